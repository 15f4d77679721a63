//! `POST /api/imports/registrations?format=csv|xlsx&dry_run=true`: daily registrations, one
//! row per person per day, as a maatwerkbedrijf's payroll or planning system writes them.
//! Validated row by row, all or nothing, like the contract import.
//!
//! Columns: `referentie` (the enclave's contract reference) or `enclave` (its id), `datum`
//! (work date), `geregistreerd` (when the registration was made, Belgian date and time),
//! `aanvang` (planned start, HH:MM), `personeelsnummer` (the person's number at the
//! maatwerkbedrijf), `naam`, `rol` (doelgroepwerknemer / begeleider, or worker / supervisor).
//!
//! Rows of the same enclave and day form one registration. A registration already stored for
//! that day is never rewritten: the same one again is "unchanged", a different one a problem
//! (a registration made after the fact is exactly what the inspection checks). People are
//! known by (maatwerkbedrijf, personeelsnummer); new ones are added.

use std::collections::{BTreeMap, HashMap, HashSet};

use actix_web::{HttpResponse, web};
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::prelude::*;
use shared::dto::auth::Role;
use shared::dto::enclave::Province;
use shared::dto::import::{ImportReport, RowProblem};
use shared::dto::registration::MemberRole;
use shared::dto::sync::Entity;
use shared::rules::inspection::control_character;
use shared::rules::time::from_belgian_local;

use super::{ImportQuery, answer, cell_of, columns, date, datetime, problem, read_upload};
use crate::auth::AuthUser;
use crate::db::DbConnection;
use crate::db::repo::inspections::{RegisterChange, add_register_changes};
use crate::db::repo::{self, audit};
use crate::db::rows::{PersonRow, RegistrationMemberRow, RegistrationRow};
use crate::db::schema::{people, registration_members, registrations};
use crate::error::AppError;
use crate::search_text::normalise;
use crate::state::AppState;

/// The columns, each by its accepted (normalised) headers.
const COLUMNS: [(&str, &[&str]); 8] = [
    (
        "referentie",
        &["referentie", "contract", "contractreferentie"],
    ),
    ("enclave", &["enclave", "enclave id"]),
    ("datum", &["datum", "werkdag", "work date", "date"]),
    (
        "geregistreerd",
        &[
            "geregistreerd",
            "registratie",
            "registered",
            "registered at",
        ],
    ),
    ("aanvang", &["aanvang", "start", "planned start", "begin"]),
    (
        "personeelsnummer",
        &["personeelsnummer", "staff number", "person", "persoon"],
    ),
    ("naam", &["naam", "name"]),
    ("rol", &["rol", "role", "functie"]),
];

/// One person on one day, valid.
struct Line {
    row: u32,
    enclave_id: String,
    maatwerkbedrijf_id: String,
    province: Province,
    day: NaiveDate,
    registered_at: NaiveDateTime,
    planned_start: NaiveTime,
    staff_number: String,
    name: String,
    role: MemberRole,
}

/// Import daily registrations (all or nothing); `dry_run=true` previews.
#[utoipa::path(post, path = "/api/imports/registrations", tag = "imports", params(ImportQuery),
    request_body(content = String, description = "The CSV or XLSX file"),
    security(("bearer" = [])),
    responses((status = 200, body = ImportReport), (status = 400, body = shared::error::ApiError),
              (status = 403, body = shared::error::ApiError),
              (status = 413, body = shared::error::ApiError, description = "Larger than 10 MiB, or an .xlsx unzipping past the limit (archive_too_large)"),
              (status = 422, body = super::ImportRefusal, description = "Problems: nothing imported; or more rows, columns or cells than the server reads (table_too_large), or an empty or unreadable file")))]
pub async fn registrations_import(
    user: AuthUser,
    state: web::Data<AppState>,
    query: web::Query<ImportQuery>,
    payload: web::Payload,
) -> Result<HttpResponse, AppError> {
    user.require(&[Role::Admin])?;
    let ImportQuery { format, dry_run } = query.into_inner();
    let table = read_upload(format.as_deref(), payload, state.config.import_limits).await?;
    let rows = table.rows.len() as u32;
    let snapshot = state.index.snapshot(&state.db).await?;
    // Contract reference and enclave id → (enclave, maatwerkbedrijf, province).
    let mut enclaves: HashMap<String, (String, String, Province)> = HashMap::new();
    for e in snapshot.entries() {
        let target = (e.id.clone(), e.maatwerkbedrijf.id.to_string(), e.province);
        for c in &e.contracts {
            enclaves.insert(normalise(&c.reference), target.clone());
        }
        enclaves.insert(e.id.clone(), target);
    }
    let index = match columns(
        &table.header,
        &COLUMNS,
        &[
            "datum",
            "geregistreerd",
            "aanvang",
            "personeelsnummer",
            "naam",
            "rol",
        ],
    ) {
        Ok(index) if index.contains_key("referentie") || index.contains_key("enclave") => index,
        Ok(_) => {
            return Ok(answer(report(
                dry_run,
                rows,
                vec![problem(
                    1,
                    "referentie",
                    "De kolom 'referentie' of 'enclave' ontbreekt in de kopregel.".into(),
                    "The column 'referentie' or 'enclave' is missing from the header row.".into(),
                )],
            )));
        }
        Err(missing) => return Ok(answer(report(dry_run, rows, missing))),
    };
    let now = Utc::now();
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    for (i, cells) in table.rows.iter().enumerate() {
        let line = i as u32 + 2;
        let cell = |name: &str| cell_of(&index, cells, name);
        let before = problems.len();
        let mut bad =
            |column: &str, nl: String, en: String| problems.push(problem(line, column, nl, en));
        // A control character (NUL and the like) in any cell read is the row's problem: no
        // database stores it alike.
        let mut read: Vec<(&str, usize)> = index.iter().map(|(&n, &c)| (n, c)).collect();
        read.sort_by_key(|&(_, c)| c);
        for (name, _) in read {
            let what = (format!("De cel '{name}'"), format!("The cell '{name}'"));
            if let Some(p) = control_character(name, cell(name), false, (&what.0, &what.1)) {
                bad(name, p.message_nl, p.message_en);
            }
        }
        let key = if cell("enclave").is_empty() {
            ("referentie", normalise(cell("referentie")))
        } else {
            ("enclave", cell("enclave").to_lowercase())
        };
        let enclave = enclaves.get(&key.1).cloned();
        if enclave.is_none() {
            bad(
                key.0,
                format!("Geen enclave gevonden voor '{}'.", cell(key.0)),
                format!("No enclave found for '{}'.", cell(key.0)),
            );
        }
        let day = date(cell("datum"), "datum", &mut bad, true).flatten();
        let registered = if cell("geregistreerd").is_empty() {
            bad(
                "geregistreerd",
                "Het tijdstip van registratie ontbreekt.".into(),
                "The time of registration is missing.".into(),
            );
            None
        } else {
            datetime(cell("geregistreerd"), "geregistreerd", &mut bad)
        };
        let registered_at = registered.map(from_belgian_local);
        if registered_at.is_some_and(|t| t > now) {
            bad(
                "geregistreerd",
                "Het tijdstip van registratie ligt in de toekomst.".into(),
                "The time of registration lies in the future.".into(),
            );
        }
        let start = NaiveTime::parse_from_str(cell("aanvang"), "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(cell("aanvang"), "%H:%M:%S"));
        if start.is_err() {
            bad(
                "aanvang",
                format!("'{}' is geen uur (UU:MM).", cell("aanvang")),
                format!("'{}' is not a time (HH:MM).", cell("aanvang")),
            );
        }
        let staff_number = cell("personeelsnummer").to_owned();
        if staff_number.is_empty() || staff_number.chars().count() > 64 {
            bad(
                "personeelsnummer",
                "Het personeelsnummer ontbreekt of is te lang.".into(),
                "The staff number is missing or too long.".into(),
            );
        }
        let name = cell("naam").to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            bad(
                "naam",
                "De naam ontbreekt of is te lang.".into(),
                "The name is missing or too long.".into(),
            );
        }
        let role = match normalise(cell("rol")).as_str() {
            "doelgroepwerknemer" | "werknemer" | "worker" => Some(MemberRole::Worker),
            "begeleider" | "supervisor" => Some(MemberRole::Supervisor),
            other => {
                bad(
                    "rol",
                    format!("Onbekende rol '{other}' (doelgroepwerknemer of begeleider)."),
                    format!("Unknown role '{other}' (worker or supervisor)."),
                );
                None
            }
        };
        if problems.len() > before {
            continue;
        }
        let (Some((enclave_id, maatwerkbedrijf_id, province)), Some(day), Some(t), Ok(s), Some(r)) =
            (enclave, day, registered_at, start, role)
        else {
            continue;
        };
        lines.push(Line {
            row: line,
            enclave_id,
            maatwerkbedrijf_id,
            province,
            day,
            registered_at: t.naive_utc(),
            planned_start: s,
            staff_number,
            name,
            role: r,
        });
    }
    // Group by (enclave, day); a registration has one time and one start, and lists a
    // person once.
    let mut grouped: BTreeMap<(String, NaiveDate), Vec<Line>> = BTreeMap::new();
    for l in lines {
        grouped
            .entry((l.enclave_id.clone(), l.day))
            .or_default()
            .push(l);
    }
    let groups: Vec<Vec<Line>> = grouped.into_values().collect();
    for group in &groups {
        let first = &group[0];
        let mut seen = HashSet::new();
        for l in group {
            if l.registered_at != first.registered_at || l.planned_start != first.planned_start {
                problems.push(problem(
                    l.row,
                    "geregistreerd",
                    format!(
                        "Rij {} noemt voor dezelfde enclave en dag een ander tijdstip of aanvangsuur.",
                        first.row
                    ),
                    format!(
                        "Row {} gives another time or start for the same enclave and day.",
                        first.row
                    ),
                ));
            }
            if !seen.insert(&l.staff_number) {
                problems.push(problem(
                    l.row,
                    "personeelsnummer",
                    format!(
                        "{} staat twee keer in dezelfde registratie.",
                        l.staff_number
                    ),
                    format!("{} is twice in the same registration.", l.staff_number),
                ));
            }
        }
    }
    if !problems.is_empty() {
        return Ok(answer(report(dry_run, rows, problems)));
    }
    let actor = (user.id.clone(), user.username.clone(), user.client.clone());
    let outcome = state
        .db
        .run(move |conn| {
            conn.transaction::<_, AppError, _>(|conn| write(conn, &groups, dry_run, &actor))
        })
        .await?;
    let (added, unchanged, problems) = outcome;
    let mut r = report(dry_run, rows, problems);
    if r.problems.is_empty() {
        r.added = added;
    }
    r.unchanged = unchanged;
    Ok(answer(r))
}

fn report(dry_run: bool, rows: u32, problems: Vec<RowProblem>) -> ImportReport {
    ImportReport {
        dry_run,
        rows,
        added: 0,
        updated: 0,
        unchanged: 0,
        problems,
        contracts: Vec::new(),
    }
}

/// Compares each registration with what is stored and, unless this is a dry run or there
/// are problems, writes the new ones with their people, register changes and an audit row.
/// Returns (registrations added, registrations unchanged, problems).
fn write(
    conn: &mut DbConnection,
    groups: &[Vec<Line>],
    dry_run: bool,
    actor: &(String, String, String),
) -> Result<(u32, u32, Vec<RowProblem>), AppError> {
    let now = repo::now();
    let mut problems = Vec::new();
    let (mut added, mut unchanged) = (0, 0);
    let mut new_people: HashMap<(String, String), PersonRow> = HashMap::new();
    let mut known_people: HashMap<(String, String), String> = HashMap::new();
    let mwbs: HashSet<&str> = groups
        .iter()
        .map(|g| g[0].maatwerkbedrijf_id.as_str())
        .collect();
    for mwb in mwbs {
        for p in people::table
            .filter(people::maatwerkbedrijf_id.eq(mwb))
            .select(PersonRow::as_select())
            .load(conn)?
        {
            known_people.insert((p.maatwerkbedrijf_id, p.company_reference), p.id);
        }
    }
    let mut writes: Vec<(RegistrationRow, Vec<RegistrationMemberRow>, Province)> = Vec::new();
    for group in groups {
        let first = &group[0];
        let stored: Option<RegistrationRow> = registrations::table
            .filter(registrations::enclave_id.eq(&first.enclave_id))
            .filter(registrations::work_date.eq(first.day))
            .select(RegistrationRow::as_select())
            .first(conn)
            .optional()?;
        if let Some(stored) = stored {
            let members: HashSet<(String, String)> = registration_members::table
                .inner_join(people::table)
                .filter(registration_members::registration_id.eq(&stored.id))
                .select((people::company_reference, registration_members::role))
                .load(conn)?
                .into_iter()
                .collect();
            let wanted: HashSet<(String, String)> = group
                .iter()
                .map(|l| (l.staff_number.clone(), l.role.as_str().to_owned()))
                .collect();
            if members == wanted
                && stored.registered_at == first.registered_at
                && stored.planned_start == first.planned_start
            {
                unchanged += 1;
            } else {
                problems.push(problem(
                    first.row,
                    "datum",
                    format!(
                        "Voor deze enclave bestaat op {} al een andere registratie; een registratie wordt achteraf niet herschreven.",
                        first.day
                    ),
                    format!(
                        "This enclave already has a different registration on {}; a registration is not rewritten afterwards.",
                        first.day
                    ),
                ));
            }
            continue;
        }
        let registration = RegistrationRow {
            id: uuid::Uuid::new_v4().to_string(),
            enclave_id: first.enclave_id.clone(),
            work_date: first.day,
            registered_at: first.registered_at,
            planned_start: first.planned_start,
            created_at: now,
        };
        let members = group
            .iter()
            .map(|l| {
                let key = (l.maatwerkbedrijf_id.clone(), l.staff_number.clone());
                let person_id = match known_people.get(&key) {
                    Some(id) => id.clone(),
                    None => new_people
                        .entry(key)
                        .or_insert_with(|| PersonRow {
                            id: uuid::Uuid::new_v4().to_string(),
                            maatwerkbedrijf_id: l.maatwerkbedrijf_id.clone(),
                            display_name: l.name.clone(),
                            company_reference: l.staff_number.clone(),
                            role: l.role.as_str().to_owned(),
                            created_at: now,
                        })
                        .id
                        .clone(),
                };
                RegistrationMemberRow {
                    registration_id: registration.id.clone(),
                    person_id,
                    role: l.role.as_str().to_owned(),
                }
            })
            .collect();
        writes.push((registration, members, first.province));
        added += 1;
    }
    if !problems.is_empty() || dry_run {
        return Ok((added, unchanged, problems));
    }
    let people_rows: Vec<PersonRow> = new_people.into_values().collect();
    // One statement per row: diesel's MultiConnection has no batch insert.
    for person in &people_rows {
        diesel::insert_into(people::table)
            .values(person)
            .execute(conn)?;
    }
    let mut changes = Vec::with_capacity(writes.len());
    for (registration, members, province) in &writes {
        diesel::insert_into(registrations::table)
            .values(registration)
            .execute(conn)?;
        for member in members {
            diesel::insert_into(registration_members::table)
                .values(member)
                .execute(conn)?;
        }
        changes.push(RegisterChange {
            entity: Entity::Registration,
            id: registration.id.clone(),
            enclave_id: registration.enclave_id.clone(),
            province: *province,
            deleted: false,
        });
    }
    add_register_changes(conn, &changes, now)?;
    audit::record(
        conn,
        audit::Event {
            actor_id: Some(&actor.0),
            actor_username: Some(&actor.1),
            client: &actor.2,
            action: "registrations_import",
            outcome: "success",
            detail: Some(format!(
                "{added} registrations added, {unchanged} unchanged, {} people added",
                people_rows.len()
            )),
            ..Default::default()
        },
    )?;
    Ok((added, unchanged, problems))
}
