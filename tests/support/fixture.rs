//! A builder for the data a scenario needs, written through the server's own rows.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use server::auth::password;
use server::db::repo::journal::{self, Change};
use server::db::rows::*;
use server::db::schema::*;
use server::db::{Db, repo};
use server::search_text::{enclave_search_text, normalise};
use shared::dto::auth::Role;
use shared::dto::contract::{ContractStatus, Regime};
use shared::dto::enclave::Province;
use shared::dto::organisation::OrganisationKind;
use shared::dto::registration::MemberRole;
use shared::dto::sync::Entity;
use shared::rules::supervision_norm::SupportNeed;
use shared::rules::time::from_belgian_local;

use crate::dates::{date, local};

/// Writes scenario data straight into the test database.
pub struct Fixture {
    db: Db,
}

/// An enclave to create; `Default` gives a plausible one in Gent.
#[derive(Debug, Clone)]
pub struct EnclaveSpec {
    pub site_name: String,
    pub street: String,
    pub postcode: String,
    pub municipality: String,
    pub latitude: f64,
    pub longitude: f64,
    pub activity: String,
    /// The team's support need, if recorded.
    pub support_need: Option<SupportNeed>,
}

impl Default for EnclaveSpec {
    fn default() -> Self {
        Self {
            site_name: "Productiehal".into(),
            street: "Industrieweg 1".into(),
            postcode: "9000".into(),
            municipality: "Gent".into(),
            latitude: 51.0543,
            longitude: 3.7174,
            activity: "verpakking".into(),
            support_need: None,
        }
    }
}

/// A contract to create; `Default` is notified in time, open-ended, from 2024-03-11.
#[derive(Debug, Clone)]
pub struct ContractSpec {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
    /// Belgian local time of receipt.
    pub notified_local: Option<NaiveDateTime>,
    pub approved_local: Option<NaiveDateTime>,
    pub regime: Regime,
    pub status: ContractStatus,
    pub rejection_reason: Option<String>,
}

impl Default for ContractSpec {
    fn default() -> Self {
        Self {
            start: date("2024-03-11"),
            end: None,
            notified_local: Some(local("2024-03-01 10:00")),
            approved_local: None,
            regime: Regime::Notification,
            status: ContractStatus::Notified,
            rejection_reason: None,
        }
    }
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn utc(local: NaiveDateTime) -> NaiveDateTime {
    from_belgian_local(local).naive_utc()
}

impl Fixture {
    /// A builder on `db`.
    pub fn new(db: Db) -> Self {
        Self { db }
    }

    fn exec<T>(&self, f: impl FnOnce(&mut server::db::DbConnection) -> QueryResult<T>) -> T {
        let mut conn = self.db.get().expect("connection");
        f(&mut conn).expect("fixture write")
    }

    /// An organisation; `enterprise_number` is 10 digits.
    pub fn organisation(
        &self,
        kind: OrganisationKind,
        name: &str,
        enterprise_number: Option<&str>,
    ) -> OrganisationRow {
        let now = repo::now();
        let row = OrganisationRow {
            id: new_id(),
            kind: kind.as_str().into(),
            name: name.into(),
            enterprise_number: enterprise_number.map(str::to_owned),
            street: "Kerkstraat 1".into(),
            postcode: "9000".into(),
            municipality: "Gent".into(),
            nace_code: None,
            created_at: now,
            updated_at: now,
        };
        self.exec(|c| {
            diesel::insert_into(organisations::table)
                .values(&row)
                .execute(c)
        });
        row
    }

    /// An enclave of `mwb` at `host`.
    pub fn enclave(
        &self,
        mwb: &OrganisationRow,
        host: &OrganisationRow,
        spec: EnclaveSpec,
    ) -> EnclaveRow {
        let now = repo::now();
        let province = spec
            .postcode
            .parse()
            .ok()
            .and_then(Province::from_postcode)
            .expect("Flemish postcode");
        let row = EnclaveRow {
            id: new_id(),
            maatwerkbedrijf_id: mwb.id.clone(),
            host_id: host.id.clone(),
            search_text: enclave_search_text(&[
                &host.name,
                &mwb.name,
                &spec.site_name,
                &spec.street,
                &spec.postcode,
                &spec.municipality,
                &spec.activity,
            ]),
            sort_key: normalise(&format!("{} {}", host.name, spec.site_name)),
            site_name: spec.site_name,
            street: spec.street,
            postcode: spec.postcode,
            municipality: spec.municipality,
            province: province.as_str().into(),
            latitude: spec.latitude,
            longitude: spec.longitude,
            establishment_unit_number: None,
            activity: spec.activity,
            status: "active".into(),
            created_at: now,
            updated_at: now,
            support_need: spec.support_need.map(|n| n.as_str().to_owned()),
        };
        self.exec(|c| diesel::insert_into(enclaves::table).values(&row).execute(c));
        row
    }

    /// A maatwerkbedrijf, a regular host and one enclave between them.
    pub fn simple_enclave(&self, host_name: &str) -> EnclaveRow {
        let mwb = self.organisation(
            OrganisationKind::Maatwerkbedrijf,
            &format!("Maatwerk {host_name}"),
            None,
        );
        let host = self.organisation(OrganisationKind::RegularCompany, host_name, None);
        self.enclave(&mwb, &host, EnclaveSpec::default())
    }

    /// An enclave of `mwb` at a new host `host_name`, its site in `postcode` `municipality`
    /// (another province than the default site in Gent, for tests of an inspector's region).
    pub fn enclave_in(
        &self,
        mwb: &OrganisationRow,
        host_name: &str,
        postcode: &str,
        municipality: &str,
    ) -> EnclaveRow {
        let host = self.organisation(OrganisationKind::RegularCompany, host_name, None);
        self.enclave(
            mwb,
            &host,
            EnclaveSpec {
                postcode: postcode.into(),
                municipality: municipality.into(),
                ..EnclaveSpec::default()
            },
        )
    }

    /// A contract of an enclave.
    pub fn contract(&self, enclave: &EnclaveRow, spec: ContractSpec) -> ContractRow {
        let now = repo::now();
        let row = ContractRow {
            id: new_id(),
            enclave_id: enclave.id.clone(),
            reference: format!("ENC-{}", &new_id()[..8]),
            start_date: spec.start,
            end_date: spec.end,
            notified_at: spec.notified_local.map(utc),
            approved_at: spec.approved_local.map(utc),
            regime: spec.regime.as_str().into(),
            status: spec.status.as_str().into(),
            rejection_reason: spec.rejection_reason,
            min_supervisors: 1,
            created_at: now,
            updated_at: now,
        };
        self.exec(|c| {
            diesel::insert_into(contracts::table)
                .values(&row)
                .execute(c)
        });
        self.register_change(Entity::Contract, &row.id, enclave, false);
        row
    }

    /// A registration made at `registered_local` for a team starting at `planned_start`,
    /// with new people of the given roles.
    pub fn registration(
        &self,
        enclave: &EnclaveRow,
        work_date: NaiveDate,
        registered_local: NaiveDateTime,
        planned_start: NaiveTime,
        roles: &[MemberRole],
    ) -> RegistrationRow {
        let now = repo::now();
        let reg = RegistrationRow {
            id: new_id(),
            enclave_id: enclave.id.clone(),
            work_date,
            registered_at: utc(registered_local),
            planned_start,
            created_at: now,
        };
        self.exec(|c| {
            c.transaction(|c| {
                diesel::insert_into(registrations::table)
                    .values(&reg)
                    .execute(c)?;
                for (i, role) in roles.iter().enumerate() {
                    let person = PersonRow {
                        id: new_id(),
                        maatwerkbedrijf_id: enclave.maatwerkbedrijf_id.clone(),
                        display_name: format!("Persoon {i}"),
                        company_reference: format!("R-{}", &new_id()[..8]),
                        role: role.as_str().into(),
                        created_at: now,
                    };
                    diesel::insert_into(people::table)
                        .values(&person)
                        .execute(c)?;
                    diesel::insert_into(registration_members::table)
                        .values(&RegistrationMemberRow {
                            registration_id: reg.id.clone(),
                            person_id: person.id,
                            role: role.as_str().into(),
                        })
                        .execute(c)?;
                }
                Ok(())
            })
        });
        self.register_change(Entity::Registration, &reg.id, enclave, false);
        reg
    }

    /// Deletes a registration, leaving a tombstone in the change log.
    pub fn delete_registration(&self, enclave: &EnclaveRow, registration: &RegistrationRow) {
        self.exec(|c| {
            diesel::delete(
                registration_members::table
                    .filter(registration_members::registration_id.eq(&registration.id)),
            )
            .execute(c)?;
            diesel::delete(registrations::table.filter(registrations::id.eq(&registration.id)))
                .execute(c)
        });
        self.register_change(Entity::Registration, &registration.id, enclave, true);
    }

    /// What every writer of the register does: a change devices of the region pull.
    fn register_change(&self, entity: Entity, id: &str, enclave: &EnclaveRow, deleted: bool) {
        let change = Change::Register {
            entity,
            id: id.to_owned(),
            enclave_id: enclave.id.clone(),
            province: Province::parse(&enclave.province).expect("stored province"),
            deleted,
        };
        let mut conn = self.db.get().expect("connection");
        conn.transaction(|c| journal::append_changes(c, vec![change]))
            .expect("register change");
    }

    /// Adds an existing person to a registration (e.g. a supervisor registered twice a day).
    pub fn add_member(&self, registration: &RegistrationRow, person_id: &str, role: MemberRole) {
        self.exec(|c| {
            diesel::insert_into(registration_members::table)
                .values(&RegistrationMemberRow {
                    registration_id: registration.id.clone(),
                    person_id: person_id.to_owned(),
                    role: role.as_str().into(),
                })
                .execute(c)
        });
    }

    /// The members of a registration: `(person id, role)`.
    pub fn members(&self, registration: &RegistrationRow) -> Vec<(String, String)> {
        self.exec(|c| {
            registration_members::table
                .filter(registration_members::registration_id.eq(&registration.id))
                .select((registration_members::person_id, registration_members::role))
                .load(c)
        })
    }

    /// A user with a password (hashed with argon2id like any other).
    pub fn user(&self, username: &str, pw: &str, role: Role, provinces: &[Province]) -> UserRow {
        let hash = password::hash(pw).expect("hash");
        let mut conn = self.db.get().expect("connection");
        repo::users::insert(&mut conn, username, username, role, &hash, provinces).expect("user")
    }

    /// Whether a user of that name exists.
    pub fn has_user(&self, username: &str) -> bool {
        self.exec(|c| {
            diesel::select(diesel::dsl::exists(
                users::table.filter(users::username.eq(username)),
            ))
            .get_result(c)
        })
    }
}
