//! Which column of a contract register file holds which field: proposed from the headers
//! (Dutch and English synonyms, accents and case ignored) and from what the cells hold, so a
//! column of company names headed "Maatwerkbedrijf" is not taken for the enterprise number
//! when "Ondernemingsnummer maatwerkbedrijf" sits beside it.

use std::collections::HashMap;

use shared::dto::import::{ColumnMapping, ContractField, FieldProposal, ImportColumns};
use shared::error::ErrorCode;
use shared::rules::enterprise_number::EnterpriseNumber;

use super::table::{Table, parse_datetime};
use crate::error::AppError;
use crate::search_text::normalise;

/// Sample rows shown in the mapping step.
const SAMPLES: usize = 5;
/// Rows whose cells decide what a column holds.
const PROBED: usize = 200;

/// The headers each field is known by (normalised). An exact match scores highest; a header
/// containing one of them as whole words scores less.
fn synonyms(field: ContractField) -> &'static [&'static str] {
    match field {
        ContractField::Reference => &[
            "referentie",
            "reference",
            "ref",
            "kenmerk",
            "dossiernummer",
            "contractnummer",
            "referentie contract",
        ],
        ContractField::Maatwerkbedrijf => &[
            "ondernemingsnummer maatwerkbedrijf",
            "kbo maatwerkbedrijf",
            "kbo nummer maatwerkbedrijf",
            "maatwerkbedrijf",
            "mwb",
            "ondernemingsnummer mwb",
        ],
        ContractField::Host => &[
            "ondernemingsnummer gebruiker",
            "ondernemingsnummer gastorganisatie",
            "ondernemingsnummer gastbedrijf",
            "kbo gebruiker",
            "gebruiker",
            "gastorganisatie",
            "gastbedrijf",
            "host",
            "klant",
        ],
        ContractField::Site => &[
            "vestiging",
            "vestigingseenheid",
            "vestigingseenheidsnummer",
            "vestigingsnummer",
            "vestigingsadres",
            "site",
            "establishment unit",
            "establishment unit number",
            "locatie",
            "werkplaats",
            "enclave",
        ],
        ContractField::Start => &[
            "start",
            "startdatum",
            "start date",
            "begin",
            "begindatum",
            "aanvang",
            "datum start",
            "datum aanvang",
        ],
        ContractField::End => &["einde", "einddatum", "end", "end date", "datum einde"],
        ContractField::Received => &[
            "datum ontvangst",
            "ontvangst",
            "ontvangstdatum",
            "ontvangen",
            "gemeld",
            "melding",
            "datum melding",
            "notified",
            "received",
            "date received",
        ],
        ContractField::Approved => &[
            "datum goedkeuring",
            "goedkeuring",
            "goedgekeurd op",
            "approved",
            "approved at",
            "date approved",
        ],
        ContractField::Status => &["status", "toestand", "state"],
        ContractField::RejectionReason => &[
            "reden weigering",
            "weigeringsreden",
            "reden",
            "rejection reason",
            "rejection_reason",
        ],
        ContractField::SupportNeed => &[
            "ondersteuningsnood",
            "ondersteuningsnoden",
            "ondersteuningsbehoefte",
            "begeleidingsnood",
            "support need",
            "support_need",
        ],
    }
}

/// What the non-empty cells of a column look like.
#[derive(Debug, Default)]
struct Content {
    filled: usize,
    numbers: usize,
    dates: usize,
}

impl Content {
    fn of(table: &Table, column: usize) -> Self {
        let mut c = Self::default();
        for cell in table
            .rows
            .iter()
            .take(PROBED)
            .filter_map(|r| r.get(column))
            .filter(|s| !s.is_empty())
        {
            c.filled += 1;
            c.numbers += usize::from(cell.parse::<EnterpriseNumber>().is_ok());
            c.dates += usize::from(parse_datetime(cell).is_some());
        }
        c
    }

    /// Whether most filled cells (four in five) are so; an empty column is nothing yet.
    fn mostly(&self, n: usize) -> bool {
        self.filled > 0 && n * 5 >= self.filled * 4
    }

    /// Whether the column can hold the field.
    fn fits(&self, field: ContractField) -> bool {
        match field {
            ContractField::Maatwerkbedrijf | ContractField::Host => self.mostly(self.numbers),
            ContractField::Start => self.mostly(self.dates),
            ContractField::End | ContractField::Received | ContractField::Approved => {
                self.filled == 0 || self.mostly(self.dates)
            }
            // A reference or a site is neither an enterprise number nor a date.
            ContractField::Reference | ContractField::Site => {
                !self.mostly(self.dates) && !self.mostly(self.numbers)
            }
            ContractField::Status | ContractField::RejectionReason => !self.mostly(self.dates),
            // Words the import does not know are its problems to name, not a reason to leave
            // the column out; dates or enterprise numbers are another field's.
            ContractField::SupportNeed => !self.mostly(self.dates) && !self.mostly(self.numbers),
        }
    }
}

/// How well a (normalised) header names the field: 0 not at all.
fn header_score(field: ContractField, header: &str) -> u32 {
    let padded = format!(" {header} ");
    synonyms(field)
        .iter()
        .map(|s| {
            if header == *s {
                100 + s.len() as u32
            } else if padded.contains(&format!(" {s} ")) {
                // Longer synonyms are more specific: "ondernemingsnummer gebruiker" beats "gebruiker".
                10 + s.len() as u32
            } else {
                0
            }
        })
        .max()
        .unwrap_or(0)
}

/// The proposed column of every field: the best-scoring (field, column) pairs first, each
/// field and each column used once, a column only for a field its cells can hold.
pub fn propose(table: &Table) -> ColumnMapping {
    let headers: Vec<String> = table.header.iter().map(|h| normalise(h)).collect();
    let contents: Vec<Content> = (0..headers.len()).map(|c| Content::of(table, c)).collect();
    let mut candidates: Vec<(u32, ContractField, usize)> = Vec::new();
    for field in ContractField::ALL {
        for (c, header) in headers.iter().enumerate() {
            let score = header_score(field, header);
            if score > 0 && contents[c].fits(field) {
                candidates.push((score, field, c));
            }
        }
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.2.cmp(&b.2)));
    let mut mapping = ColumnMapping::new();
    let mut used = vec![false; headers.len()];
    for (_, field, c) in candidates {
        if !used[c] && !mapping.contains_key(&field) {
            used[c] = true;
            mapping.insert(field, c as u32);
        }
    }
    mapping
}

/// The mapping step's answer for a file.
pub fn columns(table: &Table) -> ImportColumns {
    let mapping = propose(table);
    ImportColumns {
        header: table.header.clone(),
        samples: table.rows.iter().take(SAMPLES).cloned().collect(),
        rows: table.rows.len() as u32,
        fields: ContractField::ALL
            .into_iter()
            .map(|field| FieldProposal {
                field,
                required: field.required(),
                column: mapping.get(&field).copied(),
            })
            .collect(),
    }
}

/// The `mapping` parameter: JSON field → column, each column within the file and used once.
pub fn parse(json: &str, width: usize) -> Result<ColumnMapping, AppError> {
    let mapping: ColumnMapping = serde_json::from_str(json).map_err(|e| {
        AppError::new(
            ErrorCode::ValidationFailed,
            format!("mapping is geen geldige koppeling van velden aan kolommen: {e}"),
            format!("mapping is not a valid map of fields to columns: {e}"),
        )
    })?;
    let mut seen = HashMap::new();
    for (field, &column) in &mapping {
        if column as usize >= width {
            return Err(AppError::new(
                ErrorCode::ValidationFailed,
                format!(
                    "Het bestand heeft geen kolom {} (veld {}).",
                    column + 1,
                    field.as_str()
                ),
                format!(
                    "The file has no column {} (field {}).",
                    column + 1,
                    field.as_str()
                ),
            ));
        }
        if let Some(other) = seen.insert(column, *field) {
            return Err(AppError::new(
                ErrorCode::ValidationFailed,
                format!(
                    "Kolom {} is gekozen voor zowel {} als {}.",
                    column + 1,
                    other.label().0,
                    field.label().0
                ),
                format!(
                    "Column {} is chosen for both {} and {}.",
                    column + 1,
                    other.label().1,
                    field.label().1
                ),
            ));
        }
    }
    Ok(mapping)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(header: &[&str], rows: &[&[&str]]) -> Table {
        Table {
            header: header.iter().map(|s| s.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| r.iter().map(|s| s.to_string()).collect())
                .collect(),
        }
    }

    #[test]
    fn the_number_column_is_chosen_over_the_name_column() {
        let t = table(
            &[
                "Referentie",
                "Gebruiker",
                "Ondernemingsnummer gebruiker",
                "Maatwerkbedrijf",
                "Ondernemingsnummer maatwerkbedrijf",
                "Vestiging",
                "Startdatum",
                "Datum ontvangst",
            ],
            &[&[
                "ENC-1",
                "Brouwerij Gent",
                "0200.000.043",
                "Atelier Kouter",
                "BE0123456749",
                "Magazijn",
                "2024-03-11",
                "",
            ]],
        );
        let m = propose(&t);
        assert_eq!(m[&ContractField::Reference], 0);
        assert_eq!(m[&ContractField::Host], 2);
        assert_eq!(m[&ContractField::Maatwerkbedrijf], 4);
        assert_eq!(m[&ContractField::Site], 5);
        assert_eq!(m[&ContractField::Start], 6);
        assert_eq!(m[&ContractField::Received], 7);
        assert!(!m.contains_key(&ContractField::End));
    }

    #[test]
    fn a_name_column_alone_is_no_enterprise_number() {
        let t = table(
            &["Maatwerkbedrijf", "Gastorganisatie"],
            &[&["Atelier Kouter", "0200000043"]],
        );
        let m = propose(&t);
        assert!(!m.contains_key(&ContractField::Maatwerkbedrijf));
        assert_eq!(m[&ContractField::Host], 1);
    }
}
