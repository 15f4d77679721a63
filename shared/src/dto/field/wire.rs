//! The working set as it travels: `GET /api/field/working-set` answers a [`WireSet`], the
//! whole set or only what changed since the set the device holds, in a compact form.
//!
//! A field's name is not repeated per object: every record is a JSON array whose positions
//! are documented on its type. An organisation (a maatwerkbedrijf serves many enclaves) and a
//! person (the same team works every day) are sent once, in a table, and named by their
//! position in it. What the device can work out is not sent: an enclave's id in its
//! contracts and registrations, the summary's copies of the site's position and of its two
//! organisations, and the search-only fields of a summary (distance, checks). Nor is what the
//! tablet never reads: the ids of organisations, contracts and registrations (it finds a
//! registration by its day; an inspection names the enclave and the people) and NACE codes.
//! [`WireSet::enclaves`] gives back the [`FieldEnclave`]s as the server built them, with the
//! nil id and no NACE code in their place. The ids that are sent, of enclaves and people,
//! take 22 characters instead of 36 ([`short_id`]): random, they are most of what is left
//! after compression.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{FieldEnclave, FieldRegistration};
use crate::dto::contract::{Contract, ContractStatus, Regime};
use crate::dto::enclave::{EnclaveStatus, EnclaveSummary, Province, Site};
use crate::dto::organisation::{Organisation, OrganisationKind, OrganisationRef};
use crate::dto::registration::{MemberRole, Registration, RegistrationMember};
use crate::rules::contract_filed::RuleSettings;
use crate::rules::supervision_norm::SupportNeed;

/// `GET /api/field/working-set`: the working set, whole (`full`) or as a delta.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WireSet {
    /// Server clock when the answer was made.
    pub generated_at: DateTime<Utc>,
    /// First and last Belgian work date whose registrations are included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The settings of check 1 the server applies, so the device judges alike.
    pub rules: RuleSettings,
    /// Pass back as `since` to get only what changed after this answer.
    pub token: String,
    /// `true`: the whole set (of the region, or of the ids asked), replacing what the device
    /// holds. `false`: only the enclaves that changed since `since`, whole, and `removed`.
    pub full: bool,
    /// Organisations: `[kind, name, enterprise number, street, postcode, municipality]`,
    /// named by position.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<Value>>))]
    pub organisations: Vec<WireOrganisation>,
    /// People in the registrations: `[id, display name, company reference]`, named by
    /// position; the id in 22 characters, as an enclave's.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<Value>>))]
    pub people: Vec<WirePerson>,
    /// Enclaves: `[id, site, activity, status, maatwerkbedrijf, host, contracts,
    /// registrations, support need]`, the id in 22 characters (its 128 bits, six at a time from the most
    /// significant, in the URL-safe base64 alphabet); the site is `[name, street, postcode, municipality, province,
    /// latitude, longitude, establishment unit number]`, the organisations are positions in
    /// `organisations`, a contract is `[reference, start, end, notified at, approved at, regime,
    /// status, rejection reason, minimum supervisors]`, a registration is `[work date,
    /// registered at, planned start, members, floating]` with members `[person, role]` and
    /// floating supervisors as positions in `people`.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<Value>>))]
    pub enclaves: Vec<WireEnclave>,
    /// Enclaves asked for that the set no longer holds (gone from the register or from the
    /// user's region).
    pub removed: Vec<Uuid>,
}

/// See [`WireSet::organisations`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireOrganisation(
    OrganisationKind,
    String,
    Option<String>,
    String,
    String,
    String,
);

/// See [`WireSet::people`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WirePerson(#[serde(with = "short_id")] Uuid, String, String);

/// See [`WireSet::enclaves`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireEnclave(
    #[serde(with = "short_id")] Uuid,
    WireSite,
    String,
    EnclaveStatus,
    u32,
    u32,
    Vec<WireContract>,
    Vec<WireRegistration>,
    Option<SupportNeed>,
);

/// See [`WireSet::enclaves`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireSite(
    String,
    String,
    String,
    String,
    Province,
    f64,
    f64,
    Option<String>,
);

/// See [`WireSet::enclaves`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireContract(
    String,
    NaiveDate,
    Option<NaiveDate>,
    Option<DateTime<Utc>>,
    Option<DateTime<Utc>>,
    Regime,
    ContractStatus,
    Option<String>,
    u32,
);

/// See [`WireSet::enclaves`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireRegistration(
    NaiveDate,
    DateTime<Utc>,
    NaiveTime,
    Vec<(u32, MemberRole)>,
    Vec<u32>,
);

/// A [`WireSet`] that names an organisation or a person its tables do not hold, or a
/// floating supervisor who is not in the registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError(pub String);

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The parts of a [`WireSet`] that are not enclaves.
#[derive(Debug, Clone, PartialEq)]
pub struct WireHeader {
    pub generated_at: DateTime<Utc>,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub rules: RuleSettings,
    pub token: String,
    pub full: bool,
    pub removed: Vec<Uuid>,
}

/// The tables an encoding fills: each organisation and person once.
#[derive(Default)]
struct Tables {
    organisations: Vec<WireOrganisation>,
    organisation_at: HashMap<Uuid, u32>,
    people: Vec<WirePerson>,
    person_at: HashMap<Uuid, u32>,
}

impl Tables {
    fn organisation(&mut self, o: &Organisation) -> u32 {
        *self.organisation_at.entry(o.id).or_insert_with(|| {
            self.organisations.push(WireOrganisation(
                o.kind,
                o.name.clone(),
                o.enterprise_number.clone(),
                o.street.clone(),
                o.postcode.clone(),
                o.municipality.clone(),
            ));
            position(self.organisations.len() - 1)
        })
    }

    fn person(&mut self, m: &RegistrationMember) -> u32 {
        *self.person_at.entry(m.person_id).or_insert_with(|| {
            self.people.push(WirePerson(
                m.person_id,
                m.display_name.clone(),
                m.company_reference.clone(),
            ));
            position(self.people.len() - 1)
        })
    }

    fn enclave(&mut self, e: &FieldEnclave) -> WireEnclave {
        let s = &e.summary;
        let site = &s.site;
        let registrations = e
            .registrations
            .iter()
            .map(|r| {
                let reg = &r.registration;
                let members = reg
                    .members
                    .iter()
                    .map(|m| (self.person(m), m.role))
                    .collect();
                let floating = r
                    .floating
                    .iter()
                    .filter_map(|id| self.person_at.get(id).copied())
                    .collect();
                WireRegistration(
                    reg.work_date,
                    reg.registered_at,
                    reg.planned_start,
                    members,
                    floating,
                )
            })
            .collect();
        WireEnclave(
            s.id,
            WireSite(
                site.name.clone(),
                site.street.clone(),
                site.postcode.clone(),
                site.municipality.clone(),
                site.province,
                site.latitude,
                site.longitude,
                site.establishment_unit_number.clone(),
            ),
            s.activity.clone(),
            s.status,
            self.organisation(&e.maatwerkbedrijf),
            self.organisation(&e.host),
            e.contracts
                .iter()
                .map(|c| {
                    WireContract(
                        c.reference.clone(),
                        c.start_date,
                        c.end_date,
                        c.notified_at,
                        c.approved_at,
                        c.regime,
                        c.status,
                        c.rejection_reason.clone(),
                        c.min_supervisors,
                    )
                })
                .collect(),
            registrations,
            s.support_need,
        )
    }
}

/// A table position: the tables of one answer hold far fewer than `u32::MAX` rows.
fn position(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

impl WireSet {
    /// The compact form of `enclaves` with `header`.
    pub fn encode(header: WireHeader, enclaves: &[FieldEnclave]) -> Self {
        let mut tables = Tables::default();
        let enclaves = enclaves.iter().map(|e| tables.enclave(e)).collect();
        Self {
            generated_at: header.generated_at,
            from: header.from,
            to: header.to,
            rules: header.rules,
            token: header.token,
            full: header.full,
            organisations: tables.organisations,
            people: tables.people,
            enclaves,
            removed: header.removed,
        }
    }

    /// The enclaves as the server built them, in the order sent.
    pub fn enclaves(&self) -> Result<Vec<FieldEnclave>, WireError> {
        self.enclaves.iter().map(|e| self.enclave(e)).collect()
    }

    /// Everything but the enclaves.
    pub fn header(&self) -> WireHeader {
        WireHeader {
            generated_at: self.generated_at,
            from: self.from,
            to: self.to,
            rules: self.rules,
            token: self.token.clone(),
            full: self.full,
            removed: self.removed.clone(),
        }
    }

    fn organisation(&self, at: u32) -> Result<Organisation, WireError> {
        let WireOrganisation(kind, name, number, street, postcode, municipality) = self
            .organisations
            .get(at as usize)
            .ok_or_else(|| WireError(format!("no organisation at {at}")))?;
        Ok(Organisation {
            id: Uuid::nil(),
            kind: *kind,
            name: name.clone(),
            enterprise_number: number.clone(),
            street: street.clone(),
            postcode: postcode.clone(),
            municipality: municipality.clone(),
            nace_code: None,
        })
    }

    fn person(&self, at: u32) -> Result<&WirePerson, WireError> {
        self.people
            .get(at as usize)
            .ok_or_else(|| WireError(format!("no person at {at}")))
    }

    fn enclave(&self, wire: &WireEnclave) -> Result<FieldEnclave, WireError> {
        let WireEnclave(id, site, activity, status, mwb, host, contracts, registrations, need) =
            wire;
        let WireSite(name, street, postcode, municipality, province, lat, lon, unit) = site;
        let maatwerkbedrijf = self.organisation(*mwb)?;
        let host = self.organisation(*host)?;
        let contracts = contracts
            .iter()
            .map(|c| {
                let WireContract(
                    reference,
                    start,
                    end,
                    notified,
                    approved,
                    regime,
                    cstatus,
                    reason,
                    min,
                ) = c;
                Contract {
                    id: Uuid::nil(),
                    enclave_id: *id,
                    reference: reference.clone(),
                    start_date: *start,
                    end_date: *end,
                    notified_at: *notified,
                    approved_at: *approved,
                    regime: *regime,
                    status: *cstatus,
                    rejection_reason: reason.clone(),
                    min_supervisors: *min,
                }
            })
            .collect();
        let registrations = registrations
            .iter()
            .map(|r| {
                let WireRegistration(work_date, registered_at, planned, members, floating) = r;
                let members = members
                    .iter()
                    .map(|(at, role)| {
                        let WirePerson(person_id, display_name, reference) = self.person(*at)?;
                        Ok(RegistrationMember {
                            person_id: *person_id,
                            display_name: display_name.clone(),
                            company_reference: reference.clone(),
                            role: *role,
                        })
                    })
                    .collect::<Result<Vec<_>, WireError>>()?;
                let floating = floating
                    .iter()
                    .map(|at| Ok(self.person(*at)?.0))
                    .collect::<Result<Vec<_>, WireError>>()?;
                if let Some(stranger) = floating
                    .iter()
                    .find(|f| !members.iter().any(|m| m.person_id == **f))
                {
                    return Err(WireError(format!(
                        "floating supervisor {stranger} is not in the registration of {id} on {work_date}"
                    )));
                }
                Ok(FieldRegistration {
                    registration: Registration {
                        id: Uuid::nil(),
                        enclave_id: *id,
                        work_date: *work_date,
                        registered_at: *registered_at,
                        planned_start: *planned,
                        members,
                    },
                    floating,
                })
            })
            .collect::<Result<Vec<_>, WireError>>()?;
        let site = Site {
            name: name.clone(),
            street: street.clone(),
            postcode: postcode.clone(),
            municipality: municipality.clone(),
            province: *province,
            latitude: *lat,
            longitude: *lon,
            establishment_unit_number: unit.clone(),
        };
        Ok(FieldEnclave {
            summary: EnclaveSummary {
                id: *id,
                latitude: *lat,
                longitude: *lon,
                site,
                activity: activity.clone(),
                status: *status,
                maatwerkbedrijf: reference(&maatwerkbedrijf),
                host: reference(&host),
                distance_km: None,
                checks: None,
                support_need: *need,
            },
            maatwerkbedrijf,
            host,
            contracts,
            registrations,
        })
    }
}

/// The short form of an organisation, as a summary names it.
fn reference(o: &Organisation) -> OrganisationRef {
    OrganisationRef {
        id: o.id,
        kind: o.kind,
        name: o.name.clone(),
        enterprise_number: o.enterprise_number.clone(),
    }
}

/// An id in 22 characters: its 128 bits, six at a time from the most significant, in the
/// URL-safe base64 alphabet (the first character holds the top two bits).
mod short_id {
    use serde::{Deserialize, Deserializer, Serializer};
    use uuid::Uuid;

    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const LEN: usize = 22;

    pub fn encode(id: &Uuid) -> String {
        let mut n = id.as_u128();
        let mut out = [0u8; LEN];
        for c in out.iter_mut().rev() {
            *c = ALPHABET[(n & 63) as usize];
            n >>= 6;
        }
        out.iter().map(|&b| char::from(b)).collect()
    }

    pub fn decode(s: &str) -> Option<Uuid> {
        if s.len() != LEN {
            return None;
        }
        let mut n: u128 = 0;
        for (i, b) in s.bytes().enumerate() {
            let v = ALPHABET.iter().position(|&a| a == b)? as u128;
            // The first character holds only the top two bits.
            if i == 0 && v > 3 {
                return None;
            }
            n = (n << 6) | v;
        }
        Some(Uuid::from_u128(n))
    }

    pub fn serialize<S: Serializer>(id: &Uuid, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&encode(id))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Uuid, D::Error> {
        let s = String::deserialize(d)?;
        decode(&s).ok_or_else(|| serde::de::Error::custom(format!("not a short id: {s}")))
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn every_id_reads_back_and_nothing_else_does() {
            for id in [
                Uuid::nil(),
                Uuid::max(),
                Uuid::from_u128(0x0123_4567_89ab_cdef_fedc_ba98_7654_3210),
            ] {
                let short = encode(&id);
                assert_eq!(short.len(), 22);
                assert_eq!(decode(&short), Some(id));
            }
            assert_eq!(encode(&Uuid::nil()), "AAAAAAAAAAAAAAAAAAAAAA");
            assert_eq!(encode(&Uuid::max()), "D_____________________");
            for bad in [
                "",
                "AAAA",
                "E_____________________",
                "AAAAAAAAAAAAAAAAAAAAA=",
                "AAAAAAAAAAAAAAAAAAAAAAA",
            ] {
                assert_eq!(decode(bad), None, "{bad}");
            }
        }
    }
}
