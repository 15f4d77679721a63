//! The daily registrations import: one row per person per day, as a maatwerkbedrijf's payroll
//! or planning system writes them. Validated row by row, all or nothing, like the contract
//! import.
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

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Utc};
use shared::dto::enclave::Province;
use shared::dto::import::{ImportReport, RowProblem};
use shared::dto::registration::MemberRole;
use shared::dto::sync::Entity;
use shared::rules::inspection::control_character;
use shared::rules::time::from_belgian_local;

use super::problem;
use super::table::{Table, columns, parse_date, parse_datetime};
use crate::db::DbConnection;
use crate::db::repo::journal::{self, Actor, Change};
use crate::db::repo::{self, registrations::Stored};
use crate::db::rows::{PersonRow, RegistrationMemberRow, RegistrationRow};
use crate::error::AppError;
use crate::index::Snapshot;
use crate::search_text::normalise;

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

/// The registrations a file holds: rows of the same enclave and day form one.
pub struct Plan {
    registrations: Vec<Vec<Line>>,
}

/// What an import did, or on a dry run would do.
pub struct Outcome {
    pub added: u32,
    pub unchanged: u32,
    pub problems: Vec<RowProblem>,
}

impl Outcome {
    /// The report of an import of `rows` rows: nothing added when it has problems.
    pub fn report(self, dry_run: bool, rows: u32) -> ImportReport {
        ImportReport {
            dry_run,
            rows,
            added: if self.problems.is_empty() {
                self.added
            } else {
                0
            },
            updated: 0,
            unchanged: self.unchanged,
            support_needs: 0,
            problems: self.problems,
            contracts: Vec::new(),
        }
    }

    /// A file refused before the register was read.
    fn refused(problems: Vec<RowProblem>) -> Self {
        Self {
            added: 0,
            unchanged: 0,
            problems,
        }
    }
}

/// Reads every row of `table` (the enclave by its contract reference or id in `snapshot`)
/// and groups them into registrations; `Err` with the outcome when a row has a problem.
pub fn read(table: &Table, snapshot: &Snapshot) -> Result<Plan, Outcome> {
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
        Ok(index) if index.has("referentie") || index.has("enclave") => index,
        Ok(_) => {
            return Err(Outcome::refused(vec![problem(
                1,
                "referentie",
                "De kolom 'referentie' of 'enclave' ontbreekt in de kopregel.".into(),
                "The column 'referentie' or 'enclave' is missing from the header row.".into(),
            )]));
        }
        Err(missing) => return Err(Outcome::refused(missing)),
    };
    let now = Utc::now();
    let mut problems = Vec::new();
    let mut lines = Vec::new();
    for (i, cells) in table.rows.iter().enumerate() {
        let line = i as u32 + 2;
        let cell = |name: &str| index.cell(cells, name);
        let before = problems.len();
        let mut bad =
            |column: &str, nl: String, en: String| problems.push(problem(line, column, nl, en));
        // A control character (NUL and the like) in any cell read is the row's problem: no
        // database stores it alike.
        for name in index.in_file_order() {
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
        let day = date(cell("datum"), "datum", &mut bad);
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
    if problems.is_empty() {
        Ok(Plan {
            registrations: groups,
        })
    } else {
        Err(Outcome::refused(problems))
    }
}

/// Compares each registration with what is stored for its enclave and day and, unless this
/// is a dry run or there are problems, writes the new ones with their new people, register
/// changes and an audit row, in the caller's transaction. What the file's window (its
/// enclaves and dates) holds is read at once, and the new rows are written in batches.
pub fn write(
    conn: &mut DbConnection,
    plan: Plan,
    dry_run: bool,
    actor: Actor<'_>,
) -> Result<Outcome, AppError> {
    let groups = plan.registrations;
    let now = repo::now();
    let mut problems = Vec::new();
    let (mut added, mut unchanged) = (0, 0);
    let mut enclave_ids: Vec<String> = groups.iter().map(|g| g[0].enclave_id.clone()).collect();
    enclave_ids.sort_unstable();
    enclave_ids.dedup();
    let days = groups.iter().map(|g| g[0].day);
    let stored: HashMap<(String, NaiveDate), Stored> = match (days.clone().min(), days.max()) {
        (Some(from), Some(to)) => repo::registrations::in_window(conn, &enclave_ids, from, to)?
            .into_iter()
            .map(|s| {
                (
                    (s.registration.enclave_id.clone(), s.registration.work_date),
                    s,
                )
            })
            .collect(),
        _ => HashMap::new(),
    };
    let mut maatwerkbedrijven: Vec<String> = groups
        .iter()
        .map(|g| g[0].maatwerkbedrijf_id.clone())
        .collect();
    maatwerkbedrijven.sort_unstable();
    maatwerkbedrijven.dedup();
    let known_people: HashMap<(String, String), String> =
        repo::registrations::people_of(conn, &maatwerkbedrijven)?
            .into_iter()
            .map(|p| ((p.maatwerkbedrijf_id, p.company_reference), p.id))
            .collect();
    let mut new_people: HashMap<(String, String), PersonRow> = HashMap::new();
    let mut new_registrations = Vec::new();
    let mut members = Vec::new();
    let mut changes = Vec::new();
    for group in &groups {
        let first = &group[0];
        if let Some(stored) = stored.get(&(first.enclave_id.clone(), first.day)) {
            let had: HashSet<(&str, &str)> = stored
                .members
                .iter()
                .map(|(n, r)| (n.as_str(), r.as_str()))
                .collect();
            let wanted: HashSet<(&str, &str)> = group
                .iter()
                .map(|l| (l.staff_number.as_str(), l.role.as_str()))
                .collect();
            if had == wanted
                && stored.registration.registered_at == first.registered_at
                && stored.registration.planned_start == first.planned_start
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
        for l in group {
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
            members.push(RegistrationMemberRow {
                registration_id: registration.id.clone(),
                person_id,
                role: l.role.as_str().to_owned(),
            });
        }
        changes.push(Change::register(
            Entity::Registration,
            &registration.id,
            &registration.enclave_id,
            first.province,
        ));
        new_registrations.push(registration);
        added += 1;
    }
    let outcome = Outcome {
        added,
        unchanged,
        problems,
    };
    if !outcome.problems.is_empty() || dry_run {
        return Ok(outcome);
    }
    let new_people: Vec<PersonRow> = new_people.into_values().collect();
    repo::registrations::insert(conn, &new_people, &new_registrations, &members)?;
    journal::record(
        conn,
        actor,
        journal::Entry::new("registrations_import")
            .detail(format!(
                "{added} registrations added, {unchanged} unchanged, {} people added",
                new_people.len()
            ))
            .changes(changes),
    )?;
    Ok(outcome)
}

/// `YYYY-MM-DD` or `DD/MM/YYYY`; `None` on a problem (named through `bad`).
fn date(s: &str, column: &str, bad: &mut dyn FnMut(&str, String, String)) -> Option<NaiveDate> {
    if s.is_empty() {
        bad(
            column,
            format!("De datum '{column}' ontbreekt."),
            format!("The date '{column}' is missing."),
        );
        return None;
    }
    let day = parse_date(s);
    if day.is_none() {
        bad(
            column,
            format!("'{s}' is geen datum (JJJJ-MM-DD of DD/MM/JJJJ)."),
            format!("'{s}' is not a date (YYYY-MM-DD or DD/MM/YYYY)."),
        );
    }
    day
}

/// A Belgian date, or date and time (a bare date counts as noon); `None` on a problem.
fn datetime(
    s: &str,
    column: &str,
    bad: &mut dyn FnMut(&str, String, String),
) -> Option<NaiveDateTime> {
    let moment = parse_datetime(s);
    if moment.is_none() {
        bad(
            column,
            format!("'{s}' is geen datum en tijd (JJJJ-MM-DD [UU:MM])."),
            format!("'{s}' is not a date and time (YYYY-MM-DD [HH:MM])."),
        );
    }
    moment
}
