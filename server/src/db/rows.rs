//! Database rows, apart from the API types: ids are TEXT, times are naive UTC, enums are
//! their stored strings. Conversions between rows and `shared` DTOs live here, and only here.
//!
//! A stored value that does not parse is a corrupt row: a [`CorruptValue`], returned as
//! diesel's `DeserializationError` like any other value diesel could not read.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use shared::dto::contract::{Contract, ContractStatus, Regime};
use shared::dto::enclave::{EnclaveStatus, Province, Site};
use shared::dto::inspection::{AmendmentRecord, AmendmentView, InspectionRecord, Measure};
use shared::dto::organisation::{Organisation, OrganisationKind, OrganisationRef};
use shared::dto::registration::{MemberRole, Registration, RegistrationMember};
use shared::dto::review::{ReviewDecision, ReviewRequest, ReviewState, ReviewView};
use shared::dto::sync::{Change, Entity};
use shared::rules::enterprise_number::{EnterpriseNumber, EstablishmentUnitNumber};
use shared::rules::follow_up;
use shared::rules::supervision_norm::SupportNeed;
use uuid::Uuid;

use super::schema::*;

/// A stored value that does not parse as what its column holds.
#[derive(Debug, thiserror::Error)]
#[error("bad stored {what}: {value:?}")]
pub struct CorruptValue {
    /// What the column holds ("uuid", "regime", ...).
    pub what: &'static str,
    pub value: String,
}

/// The error of a corrupt stored value.
pub fn corrupt(what: &'static str, value: &str) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(Box::new(CorruptValue {
        what,
        value: value.to_owned(),
    }))
}

/// How many of an inspection's three stored check statuses (contract filed, daily
/// registration, supervisor present) say it failed.
pub fn failed_checks(statuses: [&str; 3]) -> u32 {
    let fail = shared::rules::verdict::VerdictStatus::Fail.as_str();
    statuses.into_iter().filter(|s| *s == fail).count() as u32
}

/// Parses a stored UUID; a malformed one is a corrupt row.
pub fn uuid(s: &str) -> QueryResult<Uuid> {
    Uuid::parse_str(s).map_err(|_| corrupt("uuid", s))
}

/// Parses an id column that is empty where it does not apply.
fn optional_uuid(s: &str) -> QueryResult<Option<Uuid>> {
    if s.is_empty() {
        Ok(None)
    } else {
        uuid(s).map(Some)
    }
}

/// A stored count that cannot be negative, as the API counts.
fn count(n: i32) -> u32 {
    u32::try_from(n).unwrap_or(0)
}

/// A stored enterprise number (10 digits) in its display form.
fn enterprise_display(digits: &Option<String>) -> Option<String> {
    digits.as_deref().map(|d| {
        d.parse::<EnterpriseNumber>()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| d.to_owned())
    })
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = organisations)]
pub struct OrganisationRow {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub enterprise_number: Option<String>,
    pub street: String,
    pub postcode: String,
    pub municipality: String,
    pub nace_code: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl OrganisationRow {
    fn kind(&self) -> QueryResult<OrganisationKind> {
        OrganisationKind::parse(&self.kind).ok_or_else(|| corrupt("organisation kind", &self.kind))
    }

    /// The full API form.
    pub fn to_dto(&self) -> QueryResult<Organisation> {
        Ok(Organisation {
            id: uuid(&self.id)?,
            kind: self.kind()?,
            name: self.name.clone(),
            enterprise_number: enterprise_display(&self.enterprise_number),
            street: self.street.clone(),
            postcode: self.postcode.clone(),
            municipality: self.municipality.clone(),
            nace_code: self.nace_code.clone(),
        })
    }

    /// The short API form.
    pub fn to_ref(&self) -> QueryResult<OrganisationRef> {
        Ok(OrganisationRef {
            id: uuid(&self.id)?,
            kind: self.kind()?,
            name: self.name.clone(),
            enterprise_number: enterprise_display(&self.enterprise_number),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = enclaves)]
pub struct EnclaveRow {
    pub id: String,
    pub maatwerkbedrijf_id: String,
    pub host_id: String,
    pub site_name: String,
    pub street: String,
    pub postcode: String,
    pub municipality: String,
    pub province: String,
    pub latitude: f64,
    pub longitude: f64,
    pub establishment_unit_number: Option<String>,
    pub activity: String,
    pub status: String,
    pub search_text: String,
    pub sort_key: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `low`, `medium` or `high`; see [`SupportNeed`].
    pub support_need: Option<String>,
}

impl EnclaveRow {
    /// The team's support need, if the register records it.
    pub fn support_need(&self) -> QueryResult<Option<SupportNeed>> {
        self.support_need
            .as_deref()
            .map(|s| SupportNeed::parse(s).ok_or_else(|| corrupt("support need", s)))
            .transpose()
    }

    /// The enclave's province.
    pub fn province(&self) -> QueryResult<Province> {
        Province::parse(&self.province).ok_or_else(|| corrupt("province", &self.province))
    }

    /// The enclave's status.
    pub fn status(&self) -> QueryResult<EnclaveStatus> {
        EnclaveStatus::parse(&self.status).ok_or_else(|| corrupt("enclave status", &self.status))
    }

    /// The site in API form.
    pub fn site(&self) -> QueryResult<Site> {
        Ok(Site {
            name: self.site_name.clone(),
            street: self.street.clone(),
            postcode: self.postcode.clone(),
            municipality: self.municipality.clone(),
            province: self.province()?,
            latitude: self.latitude,
            longitude: self.longitude,
            establishment_unit_number: self.establishment_unit_number.as_deref().map(|d| {
                d.parse::<EstablishmentUnitNumber>()
                    .map(|n| n.to_string())
                    .unwrap_or_else(|_| d.to_owned())
            }),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = contracts)]
pub struct ContractRow {
    pub id: String,
    pub enclave_id: String,
    pub reference: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub notified_at: Option<NaiveDateTime>,
    pub approved_at: Option<NaiveDateTime>,
    pub regime: String,
    pub status: String,
    pub rejection_reason: Option<String>,
    pub min_supervisors: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl ContractRow {
    /// The API form.
    pub fn to_dto(&self) -> QueryResult<Contract> {
        Ok(Contract {
            id: uuid(&self.id)?,
            enclave_id: uuid(&self.enclave_id)?,
            reference: self.reference.clone(),
            start_date: self.start_date,
            end_date: self.end_date,
            notified_at: self.notified_at.map(|t| t.and_utc()),
            approved_at: self.approved_at.map(|t| t.and_utc()),
            regime: Regime::parse(&self.regime).ok_or_else(|| corrupt("regime", &self.regime))?,
            status: ContractStatus::parse(&self.status)
                .ok_or_else(|| corrupt("contract status", &self.status))?,
            rejection_reason: self.rejection_reason.clone(),
            min_supervisors: u32::try_from(self.min_supervisors.max(1)).unwrap_or(1),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = people)]
pub struct PersonRow {
    pub id: String,
    pub maatwerkbedrijf_id: String,
    pub display_name: String,
    pub company_reference: String,
    pub role: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = registrations)]
pub struct RegistrationRow {
    pub id: String,
    pub enclave_id: String,
    pub work_date: NaiveDate,
    pub registered_at: NaiveDateTime,
    pub planned_start: NaiveTime,
    pub created_at: NaiveDateTime,
}

impl RegistrationRow {
    /// The registration as the API shows it, with its members and who they are.
    pub fn to_dto(
        &self,
        members: &[(RegistrationMemberRow, PersonRow)],
    ) -> QueryResult<Registration> {
        Ok(Registration {
            id: uuid(&self.id)?,
            enclave_id: uuid(&self.enclave_id)?,
            work_date: self.work_date,
            registered_at: self.registered_at.and_utc(),
            planned_start: self.planned_start,
            members: members
                .iter()
                .map(|(m, p)| {
                    Ok(RegistrationMember {
                        person_id: uuid(&p.id)?,
                        display_name: p.display_name.clone(),
                        company_reference: p.company_reference.clone(),
                        role: MemberRole::parse(&m.role)
                            .ok_or_else(|| corrupt("member role", &m.role))?,
                    })
                })
                .collect::<QueryResult<_>>()?,
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = registration_members)]
pub struct RegistrationMemberRow {
    pub registration_id: String,
    pub person_id: String,
    pub role: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub password_hash: String,
    pub active: bool,
    /// Comma-separated province codes; empty means all of Flanders.
    pub provinces: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Set when someone else chose the password: the user must choose a new one first.
    pub must_change_password: bool,
}

impl UserRow {
    /// The provinces the user covers (empty: all).
    pub fn provinces(&self) -> Vec<Province> {
        self.provinces
            .split(',')
            .filter_map(|p| Province::parse(p.trim()))
            .collect()
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = sessions)]
pub struct SessionRow {
    pub id: String,
    pub user_id: String,
    pub client: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_reason: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshTokenRow {
    pub id: String,
    pub session_id: String,
    pub issued_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = audit_events)]
pub struct AuditEventRow {
    pub id: String,
    pub occurred_at: NaiveDateTime,
    pub actor_id: Option<String>,
    pub actor_username: Option<String>,
    pub client: String,
    pub action: String,
    pub outcome: String,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = inspections)]
pub struct InspectionRow {
    pub id: String,
    pub enclave_id: String,
    pub inspector_id: String,
    pub province: String,
    pub on_date: NaiveDate,
    pub measure: String,
    pub contract_filed: String,
    pub daily_registration: String,
    pub supervisor_present: String,
    pub version: i32,
    /// SHA-256 of the record as pushed: tells a duplicate from a conflicting resend.
    pub content_hash: String,
    /// The record's JSON.
    pub record: String,
    pub review_state: String,
    pub started_at_device: NaiveDateTime,
    pub submitted_at_device: NaiveDateTime,
    pub received_at: NaiveDateTime,
    /// When the offender was notified of an approved report (`None`: not yet).
    pub report_notified_on: Option<NaiveDate>,
    /// The record's registered workers and supervisors ticked present, and its unregistered
    /// people: kept beside the record so that the statistics sum them in SQL.
    pub workers_present: i32,
    pub supervisors_present: i32,
    pub unregistered: i32,
    /// When the follow-up its measure opens is due (a warning's or an order's deadline, as
    /// corrected by amendments); `None`: its measure opens none.
    pub follow_up_due: Option<NaiveDate>,
    /// The inspection it follows up, and how many of that one's shortcomings it found
    /// remedied and not (`None` when it follows nothing up).
    pub follows_id: Option<String>,
    pub remedied: Option<i32>,
    pub not_remedied: Option<i32>,
}

impl InspectionRow {
    /// A pushed inspection as first stored (version 1, waiting for review): `json` is the
    /// record as pushed and `content_hash` its hash.
    pub fn submitted(
        record: &InspectionRecord,
        inspector_id: &str,
        province: Province,
        json: String,
        content_hash: String,
        received_at: NaiveDateTime,
    ) -> Self {
        let tally = record
            .follows
            .as_ref()
            .map(|f| follow_up::tally(&f.remedies));
        Self {
            id: record.id.to_string(),
            enclave_id: record.enclave_id.to_string(),
            inspector_id: inspector_id.to_owned(),
            province: province.as_str().to_owned(),
            on_date: record.on,
            measure: record.conclusion.measure.as_str().to_owned(),
            contract_filed: record.contract_filed.status().as_str().to_owned(),
            daily_registration: record.daily_registration.status().as_str().to_owned(),
            supervisor_present: record.supervisor_present.status().as_str().to_owned(),
            version: 1,
            content_hash,
            record: json,
            review_state: ReviewState::Submitted.as_str().to_owned(),
            started_at_device: record.started_at.naive_utc(),
            submitted_at_device: record.submitted_at.naive_utc(),
            received_at,
            report_notified_on: None,
            workers_present: record.workers_present as i32,
            supervisors_present: record.supervisors_present as i32,
            unregistered: record.unregistered.len() as i32,
            follow_up_due: follow_up::due(&record.conclusion),
            follows_id: record.follows.as_ref().map(|f| f.inspection_id.to_string()),
            remedied: tally.map(|t| t.remedied as i32),
            not_remedied: tally.map(|t| t.not_remedied as i32),
        }
    }

    /// The record as pushed; unreadable JSON is a corrupt row.
    pub fn stored_record(&self) -> QueryResult<InspectionRecord> {
        serde_json::from_str(&self.record).map_err(|_| corrupt("inspection record", &self.id))
    }

    /// The review state.
    pub fn review_state(&self) -> QueryResult<ReviewState> {
        ReviewState::parse(&self.review_state)
            .ok_or_else(|| corrupt("review state", &self.review_state))
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = reviews)]
pub struct ReviewRow {
    pub id: String,
    pub inspection_id: String,
    pub reviewer_id: String,
    pub decision: String,
    pub comment: String,
    pub inspection_version: i32,
    pub decided_at: NaiveDateTime,
}

impl ReviewRow {
    /// A reviewer's decision on `inspection` as it stands, made `at`.
    pub fn decided(
        inspection: &InspectionRow,
        reviewer_id: &str,
        request: &ReviewRequest,
        at: NaiveDateTime,
    ) -> Self {
        Self {
            id: Uuid::new_v4().to_string(),
            inspection_id: inspection.id.clone(),
            reviewer_id: reviewer_id.to_owned(),
            decision: request.decision.as_str().to_owned(),
            comment: request.comment.trim().to_owned(),
            inspection_version: inspection.version,
            decided_at: at,
        }
    }

    /// The API form, with the reviewer's name.
    pub fn to_view(&self, reviewer_name: String) -> QueryResult<ReviewView> {
        Ok(ReviewView {
            id: uuid(&self.id)?,
            reviewer_id: uuid(&self.reviewer_id)?,
            reviewer_name,
            decision: ReviewDecision::parse(&self.decision)
                .ok_or_else(|| corrupt("review decision", &self.decision))?,
            comment: self.comment.clone(),
            inspection_version: count(self.inspection_version),
            decided_at: self.decided_at.and_utc(),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = amendments)]
pub struct AmendmentRow {
    pub id: String,
    pub inspection_id: String,
    pub author_id: String,
    pub base_version: i32,
    pub text: String,
    pub content_hash: String,
    pub written_at_device: NaiveDateTime,
    pub received_at: NaiveDateTime,
    /// The corrected measure (`Measure::as_str`), if the amendment corrects it.
    pub measure: Option<String>,
    /// The corrected deadline, if the amendment corrects it.
    pub deadline: Option<NaiveDate>,
}

impl AmendmentRow {
    /// A pushed amendment of `inspection` (at its current version) by `author_id`; `hash` is
    /// the hash of the record as pushed.
    pub fn pushed(
        record: AmendmentRecord,
        inspection: &InspectionRow,
        author_id: &str,
        content_hash: String,
        received_at: NaiveDateTime,
    ) -> Self {
        Self {
            id: record.id.to_string(),
            inspection_id: inspection.id.clone(),
            author_id: author_id.to_owned(),
            base_version: inspection.version,
            text: record.text,
            content_hash,
            written_at_device: record.written_at.naive_utc(),
            received_at,
            measure: record.measure.map(|m| m.as_str().to_owned()),
            deadline: record.deadline,
        }
    }

    /// The API form, with the author's name.
    pub fn to_view(&self, author_name: String) -> QueryResult<AmendmentView> {
        Ok(AmendmentView {
            id: uuid(&self.id)?,
            author_id: uuid(&self.author_id)?,
            author_name,
            base_version: count(self.base_version),
            text: self.text.clone(),
            measure: self.measure.as_deref().and_then(Measure::parse),
            deadline: self.deadline,
            written_at: self.written_at_device.and_utc(),
            received_at: self.received_at.and_utc(),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = changes)]
pub struct ChangeRow {
    pub seq: i64,
    pub entity: String,
    pub entity_id: String,
    pub inspection_id: String,
    /// The user who may pull the change.
    pub owner_id: String,
    pub deleted: bool,
    pub received_at: NaiveDateTime,
    /// For register changes: the enclave, and its province (who pulls it).
    pub enclave_id: Option<String>,
    pub province: Option<String>,
}

impl ChangeRow {
    /// Change `seq` of a user's own records (an inspection, an amendment, a review of it),
    /// which `owner_id` pulls.
    pub fn of_owner(
        seq: i64,
        entity: Entity,
        entity_id: &str,
        inspection_id: &str,
        owner_id: &str,
        received_at: NaiveDateTime,
    ) -> Self {
        Self {
            seq,
            entity: entity.as_str().to_owned(),
            entity_id: entity_id.to_owned(),
            inspection_id: inspection_id.to_owned(),
            owner_id: owner_id.to_owned(),
            deleted: false,
            received_at,
            enclave_id: None,
            province: None,
        }
    }

    /// The API form.
    pub fn to_change(&self) -> QueryResult<Change> {
        Ok(Change {
            seq: self.seq,
            entity: Entity::parse(&self.entity).ok_or_else(|| corrupt("entity", &self.entity))?,
            id: uuid(&self.entity_id)?,
            inspection_id: optional_uuid(&self.inspection_id)?,
            enclave_id: match self.enclave_id.as_deref() {
                Some(id) => optional_uuid(id)?,
                None => None,
            },
            deleted: self.deleted,
            received_at: self.received_at.and_utc(),
        })
    }
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    pub sha256: String,
    pub content_type: String,
    pub bytes: i64,
    pub uploader_id: String,
    pub stored_at: NaiveDateTime,
}
