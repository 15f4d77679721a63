//! Enclave lookup (free text, enterprise number, nearest first) and the enclave page's data.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use shared::dto::enclave::Province;

use crate::db::DbConnection;
use crate::db::rows::{
    ContractRow, EnclaveRow, OrganisationRow, PersonRow, RegistrationMemberRow, RegistrationRow,
};
use crate::db::schema::{
    contracts, enclaves, organisations, people, registration_members, registrations,
};
use crate::error::AppError;

/// How to search.
#[derive(Debug, Clone, PartialEq)]
pub enum SearchMode {
    /// Every enclave, by name.
    All,
    /// Normalised words that must all occur in the search text.
    Text(Vec<String>),
    /// A 10-digit enterprise number of the host or the maatwerkbedrijf.
    EnterpriseNumber(String),
    /// Within `radius_km` of a position, nearest first.
    Near { lat: f64, lon: f64, radius_km: f64 },
}

/// Where the previous page ended: by sort key, or by distance for `Near`.
#[derive(Debug, Clone, PartialEq)]
pub enum After {
    Key { sort_key: String, id: String },
    Distance { km: f64, id: String },
}

/// A search.
#[derive(Debug, Clone)]
pub struct Search {
    pub mode: SearchMode,
    pub limit: usize,
    pub after: Option<After>,
    /// Restrict to these provinces (empty: all).
    pub provinces: Vec<Province>,
}

/// A search hit with its organisations; `distance_km` is set for `Near`.
pub struct Hit {
    pub enclave: EnclaveRow,
    pub host: OrganisationRow,
    pub maatwerkbedrijf: OrganisationRow,
    pub distance_km: Option<f64>,
}

/// Runs a search; returns up to `limit + 1` hits so the caller can tell if more follow.
pub fn search(conn: &mut DbConnection, s: &Search) -> Result<Vec<Hit>, AppError> {
    let mut query = enclaves::table.select(EnclaveRow::as_select()).into_boxed();
    if !s.provinces.is_empty() {
        query = query.filter(enclaves::province.eq_any(s.provinces.iter().map(|p| p.as_str())));
    }
    let fetch = i64::try_from(s.limit + 1).unwrap_or(i64::MAX);
    let rows: Vec<(EnclaveRow, Option<f64>)> = match &s.mode {
        SearchMode::Near {
            lat,
            lon,
            radius_km,
        } => {
            let dlat = radius_km / 111.2;
            let dlon = radius_km / (111.2 * lat.to_radians().cos().abs().max(0.01));
            let candidates: Vec<EnclaveRow> = query
                .filter(enclaves::latitude.between(lat - dlat, lat + dlat))
                .filter(enclaves::longitude.between(lon - dlon, lon + dlon))
                .load(conn)?;
            let mut near: Vec<(EnclaveRow, f64)> = candidates
                .into_iter()
                .map(|e| {
                    let d = haversine_km(*lat, *lon, e.latitude, e.longitude);
                    (e, d)
                })
                .filter(|(_, d)| d <= radius_km)
                .filter(|(e, d)| match &s.after {
                    Some(After::Distance { km, id }) => (*d, &e.id) > (*km, id),
                    _ => true,
                })
                .collect();
            near.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.id.cmp(&b.0.id)));
            near.truncate(s.limit + 1);
            near.into_iter().map(|(e, d)| (e, Some(d))).collect()
        }
        mode => {
            match mode {
                SearchMode::Text(words) => {
                    for w in words {
                        // Search text starts with a space: match at the start of a word.
                        let pattern = format!("% {}%", escape_like(w));
                        query = query.filter(enclaves::search_text.like(pattern).escape('\\'));
                    }
                }
                SearchMode::EnterpriseNumber(digits) => {
                    let org_ids: Vec<String> = organisations::table
                        .filter(organisations::enterprise_number.eq(digits))
                        .select(organisations::id)
                        .load(conn)?;
                    query = query.filter(
                        enclaves::host_id
                            .eq_any(org_ids.clone())
                            .or(enclaves::maatwerkbedrijf_id.eq_any(org_ids)),
                    );
                }
                _ => {}
            }
            if let Some(After::Key { sort_key, id }) = &s.after {
                query = query.filter(
                    enclaves::sort_key
                        .gt(sort_key.clone())
                        .or(enclaves::sort_key
                            .eq(sort_key.clone())
                            .and(enclaves::id.gt(id.clone()))),
                );
            }
            query
                .order((enclaves::sort_key.asc(), enclaves::id.asc()))
                .limit(fetch)
                .load(conn)?
                .into_iter()
                .map(|e| (e, None))
                .collect()
        }
    };
    let org_ids: Vec<&str> = rows
        .iter()
        .flat_map(|(e, _)| [e.host_id.as_str(), e.maatwerkbedrijf_id.as_str()])
        .collect();
    let orgs = organisations_by_id(conn, &org_ids)?;
    rows.into_iter()
        .map(|(enclave, distance_km)| {
            let host = orgs
                .get(&enclave.host_id)
                .cloned()
                .ok_or_else(|| AppError::internal("enclave without host"))?;
            let maatwerkbedrijf = orgs
                .get(&enclave.maatwerkbedrijf_id)
                .cloned()
                .ok_or_else(|| AppError::internal("enclave without maatwerkbedrijf"))?;
            Ok(Hit {
                enclave,
                host,
                maatwerkbedrijf,
                distance_km,
            })
        })
        .collect()
}

fn organisations_by_id(
    conn: &mut DbConnection,
    ids: &[&str],
) -> Result<HashMap<String, OrganisationRow>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<OrganisationRow> = organisations::table
        .filter(organisations::id.eq_any(ids))
        .select(OrganisationRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(|o| (o.id.clone(), o)).collect())
}

/// Escapes LIKE wildcards in user input (the pattern uses `\` as escape character).
fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Great-circle distance in kilometres.
pub fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    6371.0088 * 2.0 * a.sqrt().asin()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(escape_like("50%_a\\b"), "50\\%\\_a\\\\b");
    }

    #[test]
    fn haversine_gent_brugge_is_about_forty_km() {
        let d = haversine_km(51.0543, 3.7174, 51.2093, 3.2247);
        assert!((37.0..40.0).contains(&d), "{d}");
    }
}
