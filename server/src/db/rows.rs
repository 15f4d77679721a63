//! Database rows, apart from the API types: ids are TEXT, times are naive UTC, enums are
//! their stored strings. Conversions to `shared` DTOs live here.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use diesel::prelude::*;
use shared::dto::contract::{Contract, ContractStatus, Regime};
use shared::dto::enclave::{EnclaveStatus, Province, Site};
use shared::dto::organisation::{Organisation, OrganisationKind, OrganisationRef};
use shared::rules::enterprise_number::{EnterpriseNumber, EstablishmentUnitNumber};
use uuid::Uuid;

use super::schema::*;
use crate::error::AppError;

/// Parses a stored UUID; a malformed one is a corrupt row.
pub fn uuid(s: &str) -> Result<Uuid, AppError> {
    Uuid::parse_str(s).map_err(|e| AppError::internal(format!("bad stored uuid {s:?}: {e}")))
}

fn corrupt(what: &str, value: &str) -> AppError {
    AppError::internal(format!("bad stored {what}: {value:?}"))
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
    fn kind(&self) -> Result<OrganisationKind, AppError> {
        OrganisationKind::parse(&self.kind).ok_or_else(|| corrupt("organisation kind", &self.kind))
    }

    /// The full API form.
    pub fn to_dto(&self) -> Result<Organisation, AppError> {
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
    pub fn to_ref(&self) -> Result<OrganisationRef, AppError> {
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
}

impl EnclaveRow {
    /// The enclave's province.
    pub fn province(&self) -> Result<Province, AppError> {
        Province::parse(&self.province).ok_or_else(|| corrupt("province", &self.province))
    }

    /// The enclave's status.
    pub fn status(&self) -> Result<EnclaveStatus, AppError> {
        EnclaveStatus::parse(&self.status).ok_or_else(|| corrupt("enclave status", &self.status))
    }

    /// The site in API form.
    pub fn site(&self) -> Result<Site, AppError> {
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
    pub fn to_dto(&self) -> Result<Contract, AppError> {
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
    /// `YYYY-MM-DD` when the offender was notified of an approved report, else empty.
    pub report_notified_on: String,
    /// The record's registered workers and supervisors ticked present, and its unregistered
    /// people: kept beside the record so that the statistics sum them in SQL.
    pub workers_present: i32,
    pub supervisors_present: i32,
    pub unregistered: i32,
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

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = attachments)]
pub struct AttachmentRow {
    pub sha256: String,
    pub content_type: String,
    pub bytes: i64,
    pub uploader_id: String,
    pub stored_at: NaiveDateTime,
}
