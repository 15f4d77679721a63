//! The contract register import, from CSV (`;` or `,`) or Excel: the clerk confirms which
//! column holds which field ([`mapping`](super::mapping)), then every row is read into a
//! `ContractDraft` and checked by `shared::rules::register::validate_contract`, the rule the
//! register form runs, and against the register: the enclave is the one of that
//! maatwerkbedrijf at that host, told apart by the site column when the host has several,
//! and a contract must not overlap another one of its enclave (open-ended ones included).
//! A contract is known by its reference: importing the same file twice adds nothing.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use shared::dto::contract::{Contract, ContractDraft, ContractStatus};
use shared::dto::enclave::Province;
use shared::dto::import::{
    ColumnMapping, ContractField, ImportChange, ImportReport, ImportedContract, RowProblem,
};
use shared::dto::sync::Entity;
use shared::rules::Problem;
use shared::rules::contract_filed::regime_for_start;
use shared::rules::enterprise_number::EnterpriseNumber;
use shared::rules::inspection::ProblemCode;
use shared::rules::register::{overlap_problem, overlapping, validate_contract};
use shared::rules::supervision_norm::SupportNeed;
use shared::rules::time::from_belgian_local;
use uuid::Uuid;

use super::problem;
use super::table::{Table, parse_date, parse_datetime};
use crate::db::DbConnection;
use crate::db::repo;
use crate::db::repo::journal::{self, Actor, Change};
use crate::db::rows::ContractRow;
use crate::error::AppError;
use crate::index::{Entry, Snapshot};
use crate::search_text::normalise;

/// The rows of a file as validated: those ready to write, and every problem of the others.
pub struct Plan {
    valid: Vec<Parsed>,
    problems: Vec<RowProblem>,
    /// Whether the file has a column for the approval date; without one, a contract keeps the
    /// approval date the register holds.
    approval_column: bool,
}

/// What an import did, or on a dry run would do.
pub struct Outcome {
    /// Contracts the register already holds as the file says.
    pub unchanged: u32,
    /// Contracts added or changed (or that would be).
    pub imported: Vec<ImportedContract>,
    /// Enclaves whose support need the file sets or changes (or would).
    pub support_needs: u32,
    pub problems: Vec<RowProblem>,
}

impl Outcome {
    /// The report of an import of `rows` rows: nothing added or changed when it has problems.
    pub fn report(self, dry_run: bool, rows: u32) -> ImportReport {
        let failed = !self.problems.is_empty();
        let count = |change| {
            if failed {
                0
            } else {
                self.imported.iter().filter(|c| c.change == change).count() as u32
            }
        };
        ImportReport {
            dry_run,
            rows,
            added: count(ImportChange::Added),
            updated: count(ImportChange::Updated),
            unchanged: self.unchanged,
            contracts: if failed { Vec::new() } else { self.imported },
            support_needs: if failed { 0 } else { self.support_needs },
            problems: self.problems,
        }
    }

    /// Whether the import changed the register.
    pub fn wrote(&self, dry_run: bool) -> bool {
        !dry_run
            && self.problems.is_empty()
            && (!self.imported.is_empty() || self.support_needs > 0)
    }
}

/// Compares the valid rows with the contracts of the same references and, unless this is a
/// dry run or there are problems, writes them with their register changes and an audit row,
/// in the caller's transaction.
pub fn write(
    conn: &mut DbConnection,
    plan: Plan,
    dry_run: bool,
    actor: Actor<'_>,
) -> Result<Outcome, AppError> {
    let Plan {
        valid,
        mut problems,
        approval_column,
    } = plan;
    let references: Vec<String> = valid.iter().map(|p| p.row.reference.clone()).collect();
    let existing: HashMap<String, ContractRow> = repo::contracts::by_references(conn, &references)?
        .into_iter()
        .map(|row| (row.reference.clone(), row))
        .collect();
    let mut unchanged = 0;
    let mut writes = Vec::new();
    for p in &valid {
        match existing.get(&p.row.reference) {
            Some(old) if old.enclave_id != p.row.enclave_id => {
                problems.push(problem(
                    p.line,
                    &p.reference_column,
                    format!(
                        "Referentie {} hoort bij een andere enclave.",
                        p.row.reference
                    ),
                    format!("Reference {} belongs to another enclave.", p.row.reference),
                ));
            }
            Some(old) => {
                let mut row = p.row.clone();
                if !approval_column {
                    row.approved_at = old.approved_at;
                }
                if same(old, &row) {
                    unchanged += 1;
                    continue;
                }
                row.id = old.id.clone();
                row.created_at = old.created_at;
                row.min_supervisors = old.min_supervisors;
                writes.push((row, p, ImportChange::Updated));
            }
            None => writes.push((p.row.clone(), p, ImportChange::Added)),
        }
    }
    let imported: Vec<ImportedContract> = writes
        .iter()
        .map(|(row, p, change)| ImportedContract {
            row: p.line,
            reference: row.reference.clone(),
            enclave_id: p.enclave_id,
            enclave: p.enclave.clone(),
            change: *change,
        })
        .collect();
    // The support needs the file changes, once per enclave (`validate` refused a file that
    // gives one enclave two).
    let mut needs: Vec<&Parsed> = Vec::new();
    for p in valid.iter().filter(|p| p.support_need.is_some()) {
        if p.support_need != p.had_support_need
            && !needs.iter().any(|n| n.enclave_id == p.enclave_id)
        {
            needs.push(p);
        }
    }
    let outcome = Outcome {
        unchanged,
        imported,
        support_needs: needs.len() as u32,
        problems,
    };
    if !outcome.problems.is_empty() || dry_run {
        return Ok(outcome);
    }
    let stamp = repo::now();
    for p in &needs {
        if let Some(need) = p.support_need {
            repo::enclaves::set_support_need(conn, &p.row.enclave_id, need, stamp)?;
        }
    }
    let mut added = Vec::new();
    for (row, _, change) in &writes {
        match change {
            ImportChange::Updated => repo::contracts::update_imported(conn, row)?,
            ImportChange::Added => added.push(row.clone()),
        }
    }
    repo::contracts::insert_many(conn, &added)?;
    let (added, updated) = (added.len(), writes.len() - added.len());
    journal::record(
        conn,
        actor,
        journal::Entry::new("contracts_import")
            .detail(format!(
                "{added} added, {updated} updated, {unchanged} unchanged, {} support needs set",
                needs.len()
            ))
            // A support need set changes the enclave row, and with it the register's
            // fingerprint: a tablet's next refresh downloads its working set whole.
            .changes(writes.iter().map(|(row, p, _)| {
                Change::register(Entity::Contract, &row.id, &row.enclave_id, p.province)
            })),
    )?;
    Ok(outcome)
}

/// A problem the register's rule found, in the column of its field.
fn rule_problem_in_file(p: Problem) -> (ContractField, String, String) {
    let field = match p.field.as_str() {
        "notified_at" if p.code == ProblemCode::Required => {
            // The form asks for one of two dates; a file has a column for each.
            return (
                ContractField::Received,
                "De datum van ontvangst ontbreekt.".to_owned(),
                "The date received is missing.".to_owned(),
            );
        }
        "reference" => ContractField::Reference,
        "end_date" => ContractField::End,
        "notified_at" => ContractField::Received,
        "approved_at" => ContractField::Approved,
        "rejection_reason" => ContractField::RejectionReason,
        // start_date; min_supervisors has no column and is always 1.
        _ => ContractField::Start,
    };
    (field, p.message_nl, p.message_en)
}

fn only_digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

/// A valid row, ready to write.
struct Parsed {
    /// The row's number in the file (header = 1).
    line: u32,
    row: ContractRow,
    province: Province,
    enclave_id: Uuid,
    /// The enclave as the report names it.
    enclave: String,
    /// The file's header of the reference column.
    reference_column: String,
    /// The team's support need as the file gives it (`None`: an empty cell or no column).
    support_need: Option<SupportNeed>,
    /// The support need the register holds for the enclave.
    had_support_need: Option<SupportNeed>,
}

/// The enclave as a clerk recognises it: host — site, municipality.
fn enclave_label(e: &Entry) -> String {
    format!(
        "{} — {}, {}",
        e.host.name, e.summary.site.name, e.summary.site.municipality
    )
}

/// The enclave a row names: the one of that maatwerkbedrijf at that host, told apart by the
/// site cell when the host has several; else the problem, in its column.
fn find_enclave<'a>(
    pairs: &HashMap<(String, String), Vec<&'a Entry>>,
    maatwerkbedrijf: &str,
    host: &str,
    site: &str,
) -> Result<&'a Entry, (ContractField, String, String)> {
    let candidates = pairs
        .get(&(maatwerkbedrijf.to_owned(), host.to_owned()))
        .map(Vec::as_slice)
        .unwrap_or_default();
    let chosen: Vec<&Entry> = match candidates {
        [one] => vec![*one],
        _ if site.is_empty() => candidates.to_vec(),
        _ => candidates
            .iter()
            .copied()
            .filter(|e| names_site(site, e))
            .collect(),
    };
    let names = || {
        candidates
            .iter()
            .map(|e| {
                let s = &e.summary.site;
                match &s.establishment_unit_number {
                    Some(n) => {
                        format!("{} ({}, {}; {n})", s.name, s.street, s.municipality)
                    }
                    None => format!("{} ({}, {})", s.name, s.street, s.municipality),
                }
            })
            .collect::<Vec<_>>()
            .join("; ")
    };
    match chosen.as_slice() {
        [one] => Ok(*one),
        _ if candidates.is_empty() => Err((
            ContractField::Host,
            "Er is geen enclave van dit maatwerkbedrijf bij deze gebruiker.".into(),
            "There is no enclave of this maatwerkbedrijf at this host.".into(),
        )),
        _ if site.is_empty() => Err((
            ContractField::Site,
            format!(
                "Dit maatwerkbedrijf heeft {} enclaves bij deze gebruiker: {}. Vul de vestiging in.",
                candidates.len(),
                names()
            ),
            format!(
                "This maatwerkbedrijf has {} enclaves at this host: {}. Fill in the site.",
                candidates.len(),
                names()
            ),
        )),
        _ => Err((
            ContractField::Site,
            format!(
                "Vestiging '{site}' wijst geen enkele enclave aan; deze gebruiker heeft: {}.",
                names()
            ),
            format!(
                "Site '{site}' names none of the enclaves; this host has: {}.",
                names()
            ),
        )),
    }
}

/// Whether a site cell names this enclave: its establishment unit number (any format), or its
/// site name, street, street and municipality, or municipality.
fn names_site(cell: &str, e: &Entry) -> bool {
    let site = &e.summary.site;
    let digits = only_digits(cell);
    if digits.len() >= 9
        && site
            .establishment_unit_number
            .as_deref()
            .is_some_and(|n| only_digits(n) == digits)
    {
        return true;
    }
    let wanted = normalise(cell);
    [
        site.name.clone(),
        site.street.clone(),
        format!("{} {}", site.street, site.municipality),
        format!("{} {} {}", site.street, site.postcode, site.municipality),
        site.municipality.clone(),
        format!("{} {}", site.name, site.municipality),
    ]
    .iter()
    .any(|s| normalise(s) == wanted)
}

/// The field's column header as the file writes it (else the field's name).
fn header_of(table: &Table, mapping: &ColumnMapping, field: ContractField) -> String {
    mapping
        .get(&field)
        .and_then(|&c| table.header.get(c as usize))
        .filter(|h| !h.is_empty())
        .cloned()
        .unwrap_or_else(|| field.label().0.to_owned())
}

/// Every row read as a contract and checked: by `validate_contract` (the form's rule) as soon
/// as its cells could be read, whatever else is wrong with it, so it names every problem the
/// form would; and against the register (the enclave, and overlaps with the contracts it
/// will hold after the import).
pub fn validate(table: &Table, mapping: &ColumnMapping, snapshot: &Snapshot) -> Plan {
    let column = |field: ContractField| header_of(table, mapping, field);
    let mut problems: Vec<RowProblem> = ContractField::ALL
        .into_iter()
        .filter(|f| f.required() && !mapping.contains_key(f))
        .map(|f| {
            let (nl, en) = f.label();
            problem(
                1,
                nl,
                format!("Geen kolom gekozen voor '{nl}'."),
                format!("No column chosen for '{en}'."),
            )
        })
        .collect();
    if !mapping.contains_key(&ContractField::Received)
        && !mapping.contains_key(&ContractField::Approved)
    {
        problems.push(problem(
            1,
            ContractField::Received.label().0,
            "Geen kolom gekozen voor de datum van ontvangst (of van goedkeuring).".into(),
            "No column chosen for the date received (or approved).".into(),
        ));
    }
    let approval_column = mapping.contains_key(&ContractField::Approved);
    if !problems.is_empty() {
        return Plan {
            valid: Vec::new(),
            problems,
            approval_column,
        };
    }
    // (mwb digits, host digits) → the enclaves of that pair.
    let mut pairs: HashMap<(String, String), Vec<&Entry>> = HashMap::new();
    for e in snapshot.entries() {
        let digits = |n: &Option<String>| n.as_deref().map(only_digits).unwrap_or_default();
        pairs
            .entry((
                digits(&e.maatwerkbedrijf.enterprise_number),
                digits(&e.host.enterprise_number),
            ))
            .or_default()
            .push(e);
    }
    let now = Utc::now();
    let stamp = repo::now();
    let mut seen: HashMap<String, u32> = HashMap::new();
    // The support need each enclave got first in the file, and on which row.
    let mut needs_given: HashMap<Uuid, (SupportNeed, u32)> = HashMap::new();
    let mut parsed: Vec<(Parsed, ContractDraft)> = Vec::new();
    // Shared by the row's checks below, each of which may add to it.
    let problems = std::cell::RefCell::new(problems);
    for (i, cells) in table.rows.iter().enumerate() {
        let line = i as u32 + 2;
        let cell = |field: ContractField| {
            mapping
                .get(&field)
                .and_then(|&c| cells.get(c as usize))
                .map(String::as_str)
                .unwrap_or("")
        };
        let before = problems.borrow().len();
        let bad = |field: ContractField, nl: String, en: String| {
            problems
                .borrow_mut()
                .push(problem(line, &column(field), nl, en))
        };
        let reference = cell(ContractField::Reference).to_owned();
        if !reference.is_empty()
            && let Some(first) = seen.insert(reference.clone(), line)
        {
            bad(
                ContractField::Reference,
                format!("Referentie {reference} staat ook al op rij {first}."),
                format!("Reference {reference} is also on row {first}."),
            );
        }
        let number = |field: ContractField, whose: (&str, &str)| {
            let value = cell(field);
            if value.is_empty() {
                bad(
                    field,
                    format!("Het ondernemingsnummer van {} ontbreekt.", whose.0),
                    format!("The enterprise number of {} is missing.", whose.1),
                );
                return None;
            }
            match value.parse::<EnterpriseNumber>() {
                Ok(n) => Some(n.digits().to_owned()),
                Err(e) => {
                    bad(
                        field,
                        format!("{value}: {}", e.message_nl()),
                        format!("{value}: {}", e.message_en()),
                    );
                    None
                }
            }
        };
        let mwb = number(
            ContractField::Maatwerkbedrijf,
            ("het maatwerkbedrijf", "the maatwerkbedrijf"),
        );
        let host = number(ContractField::Host, ("de gebruiker", "the host"));
        let day = |field: ContractField| -> Result<Option<NaiveDate>, ()> {
            let value = cell(field);
            if value.is_empty() {
                return Ok(None);
            }
            parse_date(value).map(Some).ok_or_else(|| {
                bad(
                    field,
                    format!("'{value}' is geen datum (JJJJ-MM-DD of DD/MM/JJJJ)."),
                    format!("'{value}' is not a date (YYYY-MM-DD or DD/MM/YYYY)."),
                )
            })
        };
        let start = day(ContractField::Start);
        let end = day(ContractField::End);
        let moment = |field: ContractField| -> Result<Option<NaiveDateTime>, ()> {
            let value = cell(field);
            if value.is_empty() {
                return Ok(None);
            }
            parse_datetime(value).map(Some).ok_or_else(|| {
                bad(
                    field,
                    format!(
                        "'{value}' is geen datum (JJJJ-MM-DD of DD/MM/JJJJ, eventueel met UU:MM)."
                    ),
                    format!(
                        "'{value}' is not a date (YYYY-MM-DD or DD/MM/YYYY, optionally with HH:MM)."
                    ),
                )
            })
        };
        let received = moment(ContractField::Received);
        let approved = moment(ContractField::Approved);
        if start == Ok(None) {
            bad(
                ContractField::Start,
                "De startdatum ontbreekt.".into(),
                "The start date is missing.".into(),
            );
        }
        let status = match normalise(cell(ContractField::Status)).as_str() {
            "" | "gemeld" | "notified" => Some(ContractStatus::Notified),
            "goedgekeurd" | "approved" => Some(ContractStatus::Approved),
            "geweigerd" | "rejected" => Some(ContractStatus::Rejected),
            "beeindigd" | "ended" => Some(ContractStatus::Ended),
            other => {
                bad(
                    ContractField::Status,
                    format!(
                        "Onbekende status '{other}' (gemeld, goedgekeurd, geweigerd of beëindigd)."
                    ),
                    format!("Unknown status '{other}' (notified, approved, rejected or ended)."),
                );
                None
            }
        };
        let enclave = match (&mwb, &host) {
            (Some(m), Some(h)) => match find_enclave(&pairs, m, h, cell(ContractField::Site)) {
                Ok(e) => Some(e),
                Err((field, nl, en)) => {
                    bad(field, nl, en);
                    None
                }
            },
            _ => None,
        };
        let reason = cell(ContractField::RejectionReason).trim().to_owned();
        let enclave_id = enclave.and_then(|e| Uuid::parse_str(&e.id).ok());
        let support_need = match cell(ContractField::SupportNeed).trim() {
            "" => None,
            value => SupportNeed::from_cell(value).or_else(|| {
                bad(
                    ContractField::SupportNeed,
                    format!("Onbekende ondersteuningsnood '{value}' (laag, midden of hoog)."),
                    format!("Unknown support need '{value}' (low, medium or high)."),
                );
                None
            }),
        };
        if let (Some(id), Some(need)) = (enclave_id, support_need) {
            match needs_given.get(&id) {
                Some(&(other, row)) if other != need => bad(
                    ContractField::SupportNeed,
                    format!(
                        "Rij {row} geeft deze enclave een andere ondersteuningsnood ({}).",
                        other.names().0
                    ),
                    format!(
                        "Row {row} gives this enclave another support need ({}).",
                        other.names().1
                    ),
                ),
                Some(_) => {}
                None => {
                    needs_given.insert(id, (need, line));
                }
            }
        }
        // The register form's rule, on every row whose cells could be read: it says all that
        // the form would say of the same contract.
        let (Ok(Some(start)), Ok(end), Ok(received), Ok(approved), Some(status)) =
            (start, end, received, approved, status)
        else {
            // The rule cannot run: what it would say of the cells that were read.
            if reference.is_empty() {
                bad(
                    ContractField::Reference,
                    "De referentie ontbreekt.".into(),
                    "The reference is missing.".into(),
                );
            }
            if let (Ok(Some(s)), Ok(Some(e))) = (start, end)
                && e < s
            {
                bad(
                    ContractField::End,
                    "Het einde ligt voor de start.".into(),
                    "The end is before the start.".into(),
                );
            }
            continue;
        };
        let draft = ContractDraft {
            enclave_id: enclave_id.unwrap_or_default(),
            reference: reference.clone(),
            start_date: start,
            end_date: end,
            notified_at: received.map(from_belgian_local),
            approved_at: approved.map(from_belgian_local),
            status,
            rejection_reason: (!reason.is_empty()).then_some(reason),
            min_supervisors: 1,
        };
        for p in validate_contract(&draft, now) {
            let (field, nl, en) = rule_problem_in_file(p);
            bad(field, nl, en);
        }
        let (Some(enclave), Some(enclave_id), true) =
            (enclave, enclave_id, problems.borrow().len() == before)
        else {
            continue;
        };
        parsed.push((
            Parsed {
                line,
                province: enclave.province,
                enclave_id,
                enclave: enclave_label(enclave),
                reference_column: column(ContractField::Reference),
                support_need,
                had_support_need: enclave.summary.support_need,
                row: ContractRow {
                    id: uuid::Uuid::new_v4().to_string(),
                    enclave_id: enclave.id.clone(),
                    reference: draft.reference.clone(),
                    start_date: start,
                    end_date: end,
                    notified_at: draft.notified_at.map(|t| t.naive_utc()),
                    approved_at: draft.approved_at.map(|t| t.naive_utc()),
                    regime: regime_for_start(start).as_str().to_owned(),
                    status: status.as_str().to_owned(),
                    rejection_reason: draft.rejection_reason.clone(),
                    min_supervisors: 1,
                    created_at: stamp,
                    updated_at: stamp,
                },
            },
            draft,
        ));
    }
    let mut problems = problems.into_inner();
    // Overlaps: each row against the contracts its enclave holds after the import (the
    // register's, with the file's rows in place of those with the same reference).
    let in_file: HashMap<&str, &ContractDraft> = parsed
        .iter()
        .map(|(_, d)| (d.reference.as_str(), d))
        .collect();
    let mut after: HashMap<Uuid, Vec<Contract>> = HashMap::new();
    for (p, d) in &parsed {
        if let Some(entry) = snapshot.get(&p.row.enclave_id) {
            after.entry(d.enclave_id).or_insert_with(|| {
                entry
                    .contracts
                    .iter()
                    .filter(|c| !in_file.contains_key(c.reference.as_str()))
                    .cloned()
                    .collect()
            });
        }
    }
    for (_, d) in &parsed {
        if let Some(list) = after.get_mut(&d.enclave_id) {
            list.push(Contract {
                id: Uuid::nil(),
                enclave_id: d.enclave_id,
                reference: d.reference.clone(),
                start_date: d.start_date,
                end_date: d.end_date,
                notified_at: d.notified_at,
                approved_at: d.approved_at,
                regime: regime_for_start(d.start_date),
                status: d.status,
                rejection_reason: d.rejection_reason.clone(),
                min_supervisors: d.min_supervisors,
            });
        }
    }
    let mut valid = Vec::with_capacity(parsed.len());
    for (p, d) in parsed {
        let others = after
            .get(&d.enclave_id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let overlaps = overlapping(&d, others);
        if overlaps.is_empty() {
            valid.push(p);
            continue;
        }
        for other in overlaps {
            let o = overlap_problem(other);
            problems.push(problem(
                p.line,
                &column(ContractField::Start),
                o.message_nl,
                o.message_en,
            ));
        }
    }
    problems.sort_by_key(|p| p.row);
    Plan {
        valid,
        problems,
        approval_column,
    }
}

/// Whether a stored contract already says what the row says.
fn same(old: &ContractRow, new: &ContractRow) -> bool {
    old.start_date == new.start_date
        && old.end_date == new.end_date
        && old.notified_at == new.notified_at
        && old.approved_at == new.approved_at
        && old.status == new.status
        && old.rejection_reason == new.rejection_reason
}
