//! The imports of the department's files: the columns the server proposes for a contract
//! register file, the mapping the clerk confirms, and what an import did (or, on a dry run,
//! would do).
//!
//! The flow: `POST /api/imports/contracts/columns` with the file answers [`ImportColumns`]
//! (the header, sample rows and, per [`ContractField`], the proposed column); the clerk
//! corrects it and sends the file again to `POST /api/imports/contracts` with the
//! [`ColumnMapping`] as JSON in the `mapping` query parameter, first as a dry run.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What a column of a contract register file can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContractField {
    /// The department's reference of the contract.
    Reference,
    /// The maatwerkbedrijf's enterprise number.
    Maatwerkbedrijf,
    /// The host's (gebruiker's) enterprise number.
    Host,
    /// Which of the host's sites: establishment unit number, site name, street or municipality.
    Site,
    Start,
    End,
    /// When the notification reached the department.
    Received,
    /// When the department approved it (approval regime).
    Approved,
    Status,
    RejectionReason,
    /// The support need of the enclave's team (laag, midden, hoog), which sets its
    /// supervision norm; an empty cell leaves the enclave's as it is.
    SupportNeed,
}

impl ContractField {
    /// Every field, in the order the mapping step shows them.
    pub const ALL: [Self; 11] = [
        Self::Reference,
        Self::Maatwerkbedrijf,
        Self::Host,
        Self::Site,
        Self::Start,
        Self::End,
        Self::Received,
        Self::Approved,
        Self::Status,
        Self::RejectionReason,
        Self::SupportNeed,
    ];

    /// The field as serialised (`reference`, `maatwerkbedrijf`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reference => "reference",
            Self::Maatwerkbedrijf => "maatwerkbedrijf",
            Self::Host => "host",
            Self::Site => "site",
            Self::Start => "start",
            Self::End => "end",
            Self::Received => "received",
            Self::Approved => "approved",
            Self::Status => "status",
            Self::RejectionReason => "rejection_reason",
            Self::SupportNeed => "support_need",
        }
    }

    /// Parses the serialised form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Whether every file needs a column for it.
    pub fn required(self) -> bool {
        matches!(
            self,
            Self::Reference | Self::Maatwerkbedrijf | Self::Host | Self::Start
        )
    }

    /// The field's name in Dutch and in English.
    pub fn label(self) -> (&'static str, &'static str) {
        match self {
            Self::Reference => ("Referentie", "Reference"),
            Self::Maatwerkbedrijf => (
                "Ondernemingsnummer maatwerkbedrijf",
                "Maatwerkbedrijf's enterprise number",
            ),
            Self::Host => (
                "Ondernemingsnummer gebruiker (gastorganisatie)",
                "Host's enterprise number",
            ),
            Self::Site => (
                "Vestiging (bij meerdere enclaves)",
                "Site (for several enclaves)",
            ),
            Self::Start => ("Startdatum", "Start date"),
            Self::End => ("Einddatum", "End date"),
            Self::Received => ("Datum ontvangst", "Date received"),
            Self::Approved => ("Datum goedkeuring", "Date approved"),
            Self::Status => ("Status", "Status"),
            Self::RejectionReason => ("Reden weigering", "Rejection reason"),
            Self::SupportNeed => (
                "Ondersteuningsnood (laag, midden, hoog)",
                "Support need (low, medium, high)",
            ),
        }
    }
}

/// Which column (0-based) holds each field; a field left out is not in the file.
pub type ColumnMapping = BTreeMap<ContractField, u32>;

/// The proposal for one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FieldProposal {
    pub field: ContractField,
    pub required: bool,
    /// The proposed column (0-based), `None` when no column looks like it.
    pub column: Option<u32>,
}

/// `POST /api/imports/contracts/columns`: the file's header, its first rows and the proposed
/// column of every field, judged by the headers (Dutch and English synonyms) and by what the
/// cells hold (an enterprise-number field is a column of enterprise numbers, not of names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportColumns {
    /// The header row as written in the file.
    pub header: Vec<String>,
    /// Up to five data rows, as read.
    pub samples: Vec<Vec<String>>,
    /// Data rows in the file.
    pub rows: u32,
    /// One proposal per [`ContractField`], in [`ContractField::ALL`]'s order.
    pub fields: Vec<FieldProposal>,
}

/// One problem with one row of an imported file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RowProblem {
    /// The row in the file, the header being row 1 (as a spreadsheet shows it).
    pub row: u32,
    pub column: String,
    pub message_nl: String,
    pub message_en: String,
}

/// Whether an imported contract is new to the register or changed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ImportChange {
    Added,
    Updated,
}

/// A contract the import wrote (or, on a dry run, would write).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportedContract {
    /// The row in the file.
    pub row: u32,
    pub reference: String,
    pub enclave_id: Uuid,
    /// The enclave as the register names it: host — site, municipality.
    pub enclave: String,
    pub change: ImportChange,
}

/// `POST /api/imports/{contracts,registrations}`: what the import did (or, on a dry run,
/// would do). With problems nothing is imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ImportReport {
    pub dry_run: bool,
    /// Data rows read.
    pub rows: u32,
    pub added: u32,
    pub updated: u32,
    /// Already in the register exactly so.
    pub unchanged: u32,
    pub problems: Vec<RowProblem>,
    /// Contract imports: each contract added or changed, in the file's order.
    #[serde(default)]
    pub contracts: Vec<ImportedContract>,
    /// Contract imports: the enclaves whose team's support need the file set or changed.
    #[serde(default)]
    pub support_needs: u32,
}
