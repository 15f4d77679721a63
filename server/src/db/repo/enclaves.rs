//! The enclave register for the lookup index, and the enclave page's data.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, max};
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::rows::{
    ContractRow, EnclaveRow, OrganisationRow, PersonRow, RegistrationMemberRow, RegistrationRow,
};
use crate::db::schema::{
    contracts, enclaves, organisations, people, registration_members, registrations,
};
use crate::error::AppError;

/// The register as the lookup index needs it: every enclave and every organisation.
pub fn register(
    conn: &mut DbConnection,
) -> Result<(Vec<EnclaveRow>, Vec<OrganisationRow>), AppError> {
    let enclaves = enclaves::table
        .select(EnclaveRow::as_select())
        .order((enclaves::sort_key.asc(), enclaves::id.asc()))
        .load(conn)?;
    let organisations = organisations::table
        .select(OrganisationRow::as_select())
        .load(conn)?;
    Ok((enclaves, organisations))
}

/// A cheap fingerprint of the register: row counts and latest updates of enclaves and
/// organisations. When it changes, the lookup index reloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RegisterVersion {
    pub enclaves: i64,
    pub enclaves_updated: Option<NaiveDateTime>,
    pub organisations: i64,
    pub organisations_updated: Option<NaiveDateTime>,
}

/// The register's current fingerprint (two aggregate queries on indexed tables).
pub fn register_version(conn: &mut DbConnection) -> Result<RegisterVersion, AppError> {
    let (enclaves, enclaves_updated) = enclaves::table
        .select((count_star(), max(enclaves::updated_at)))
        .first(conn)?;
    let (organisations, organisations_updated) = organisations::table
        .select((count_star(), max(organisations::updated_at)))
        .first(conn)?;
    Ok(RegisterVersion {
        enclaves,
        enclaves_updated,
        organisations,
        organisations_updated,
    })
}

fn organisations_by_id(
    conn: &mut DbConnection,
    ids: &[&str],
) -> Result<HashMap<String, OrganisationRow>, AppError> {
    let rows: Vec<OrganisationRow> = organisations::table
        .filter(organisations::id.eq_any(ids))
        .select(OrganisationRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|o| (o.id.clone(), o)).collect())
}

/// Everything the enclave page shows for one day.
pub struct EnclaveData {
    pub enclave: EnclaveRow,
    pub host: OrganisationRow,
    pub maatwerkbedrijf: OrganisationRow,
    pub contracts: Vec<ContractRow>,
    pub registration: Option<(RegistrationRow, Vec<(RegistrationMemberRow, PersonRow)>)>,
}

/// Loads an enclave with its organisations, contracts (newest start first) and the
/// registration of `on`.
pub fn detail(
    conn: &mut DbConnection,
    id: &str,
    on: NaiveDate,
) -> Result<Option<EnclaveData>, AppError> {
    let Some(enclave) = enclaves::table
        .find(id)
        .select(EnclaveRow::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(None);
    };
    let mut orgs = organisations_by_id(conn, &[&enclave.host_id, &enclave.maatwerkbedrijf_id])?;
    let host = orgs
        .get(&enclave.host_id)
        .cloned()
        .ok_or_else(|| AppError::internal("enclave without host"))?;
    let maatwerkbedrijf = orgs
        .remove(&enclave.maatwerkbedrijf_id)
        .ok_or_else(|| AppError::internal("enclave without maatwerkbedrijf"))?;
    let contracts = contracts::table
        .filter(contracts::enclave_id.eq(id))
        .order((contracts::start_date.desc(), contracts::id.asc()))
        .select(ContractRow::as_select())
        .load(conn)?;
    let registration = registrations::table
        .filter(registrations::enclave_id.eq(id))
        .filter(registrations::work_date.eq(on))
        .select(RegistrationRow::as_select())
        .first(conn)
        .optional()?;
    let registration = match registration {
        None => None,
        Some(reg) => {
            let members = registration_members::table
                .inner_join(people::table)
                .filter(registration_members::registration_id.eq(&reg.id))
                .order((registration_members::role.asc(), people::display_name.asc()))
                .select((RegistrationMemberRow::as_select(), PersonRow::as_select()))
                .load(conn)?;
            Some((reg, members))
        }
    };
    Ok(Some(EnclaveData {
        enclave,
        host,
        maatwerkbedrijf,
        contracts,
        registration,
    }))
}
