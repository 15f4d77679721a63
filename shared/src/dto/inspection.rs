//! An on-site inspection as the tablet records it: the three checks, who is present, how the
//! work is directed, findings with photo hashes, and the conclusion. Submitted inspections are
//! never edited; corrections are appended as amendments.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::registration::MemberRole;
use super::review::{ReviewState, ReviewView};
use crate::rules::verdict::{Verdict, VerdictStatus};

/// The three checks of an enclave inspection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CheckKind {
    ContractFiled,
    DailyRegistration,
    SupervisorPresent,
}

/// A check as recorded: the verdict the rules computed on the device, and the inspector's
/// confirmation or override with a note.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CheckRecord {
    pub computed: Verdict,
    /// Set when the inspector overrides the computed status; a note is then required.
    pub override_status: Option<VerdictStatus>,
    pub note: Option<String>,
}

impl CheckRecord {
    /// The status that counts: the override if any, else the computed one.
    pub fn status(&self) -> VerdictStatus {
        self.override_status.unwrap_or(self.computed.status)
    }

    /// Whether the status that counts is the inspector's override.
    pub fn is_overridden(&self) -> bool {
        self.override_status.is_some()
    }
}

/// A registered person the inspector saw on site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PresentPerson {
    pub person_id: Uuid,
    /// The role in that day's registration.
    pub role: MemberRole,
    /// The name in that day's registration, copied when ticked (empty in older records).
    #[serde(default)]
    pub name: String,
    /// The maatwerkbedrijf's staff reference (personeelsnummer) in that day's registration,
    /// copied when ticked (empty in older records): tells two people of the same name apart.
    #[serde(default)]
    pub staff_ref: String,
}

/// Someone working in the team who is not in the registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnregisteredPerson {
    pub name: String,
    /// The role the person states.
    pub stated_role: MemberRole,
}

/// Who gives the workers their instructions on site. Workers may take instructions only from
/// the begeleider; otherwise it is forbidden hiring-out (terbeschikkingstelling).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum InstructionGiver {
    /// Only the begeleider of the maatwerkbedrijf.
    Supervisor,
    /// Staff of the host organisation.
    HostStaff,
    /// Both.
    Both,
    /// Could not be established.
    Unclear,
}

/// The structured questions on how the work is directed. Each starts unanswered (`None`):
/// a record carries only the answers the inspector gave, and is not accepted while one is
/// missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Instructions {
    #[serde(default)]
    pub given_by: Option<InstructionGiver>,
    /// Does host staff assign or check the workers' tasks directly?
    #[serde(default)]
    pub host_assigns_tasks: Option<bool>,
    /// Is the begeleider present during the whole shift?
    #[serde(default)]
    pub supervisor_whole_shift: Option<bool>,
    /// Do the target-group workers do the host's main activity (hoofdactiviteit), the same
    /// work as in the maatwerkbedrijf, as enclave work is defined? The app asks it; the
    /// server takes a record without it (made before it was asked), and such a record's
    /// hash stays as it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main_activity: Option<bool>,
    #[serde(default)]
    pub note: Option<String>,
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

/// A photo, known by the SHA-256 of its bytes (hex), computed on the device when taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoRef {
    pub sha256: String,
    pub content_type: String,
    pub bytes: u64,
}

/// A finding, tied to a check or general.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Finding {
    pub id: Uuid,
    pub check: Option<CheckKind>,
    pub category: String,
    pub severity: Severity,
    pub text: String,
    pub photos: Vec<PhotoRef>,
}

/// The graduated measures of the inspectorate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Information and advice.
    Advice,
    /// A warning with a deadline.
    Warning,
    /// An order to regularise.
    RegularisationOrder,
    /// A report (proces-verbaal) is proposed; needs a reviewer's approval.
    ReportProposed,
}

impl Measure {
    /// Every measure, from the lightest to the heaviest.
    pub const ALL: [Self; 4] = [
        Self::Advice,
        Self::Warning,
        Self::RegularisationOrder,
        Self::ReportProposed,
    ];

    /// As stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Advice => "advice",
            Self::Warning => "warning",
            Self::RegularisationOrder => "regularisation_order",
            Self::ReportProposed => "report_proposed",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Whether this measure needs a deadline (a warning, an order).
    pub fn needs_deadline(self) -> bool {
        matches!(self, Self::Warning | Self::RegularisationOrder)
    }

    /// Dutch and English names, for tables and exports.
    pub fn names(self) -> (&'static str, &'static str) {
        match self {
            Self::Advice => ("advies", "advice"),
            Self::Warning => ("waarschuwing", "warning"),
            Self::RegularisationOrder => ("bevel tot regularisatie", "regularisation order"),
            Self::ReportProposed => ("proces-verbaal", "report"),
        }
    }
}

/// The conclusion of an inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conclusion {
    pub measure: Measure,
    /// Required for a warning and a regularisation order.
    pub deadline: Option<NaiveDate>,
    /// Required, always.
    pub motivation: String,
}

/// A shortcoming of an inspection that a follow-up judges: a check that failed, or a
/// finding (by its id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Shortcoming {
    Check(CheckKind),
    Finding(Uuid),
}

/// Whether one shortcoming of the earlier inspection was remedied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Remedy {
    pub shortcoming: Shortcoming,
    pub remedied: bool,
}

/// What a follow-up inspection says of the inspection it follows up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUpRecord {
    /// The earlier inspection, whose warning or order this one follows up.
    pub inspection_id: Uuid,
    /// One answer per shortcoming of the earlier inspection, none left out.
    pub remedies: Vec<Remedy>,
}

/// Where the device was, if the inspector allowed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Position {
    pub latitude: f64,
    pub longitude: f64,
    pub accuracy_m: Option<f64>,
}

/// A submitted inspection, as pushed by the device. The id is generated on the device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionRecord {
    pub id: Uuid,
    pub enclave_id: Uuid,
    /// Device clock when the inspection started and was submitted; kept, never trusted for
    /// ordering.
    pub started_at: DateTime<Utc>,
    pub submitted_at: DateTime<Utc>,
    /// The Belgian date and time the checks are for.
    pub on: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(value_type = String, pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?$", example = "10:15:00"))]
    pub at: NaiveTime,
    pub position: Option<Position>,
    pub contract_filed: CheckRecord,
    pub daily_registration: CheckRecord,
    pub supervisor_present: CheckRecord,
    pub present: Vec<PresentPerson>,
    /// People working who are not in the registration: never counted as the team's workers
    /// or begeleiders, whatever role they state.
    pub unregistered: Vec<UnregisteredPerson>,
    /// Registered workers ticked present.
    pub workers_present: u32,
    /// Registered begeleiders of the maatwerkbedrijf ticked present.
    pub supervisors_present: u32,
    pub instructions: Instructions,
    pub findings: Vec<Finding>,
    pub conclusion: Conclusion,
    /// Set when this inspection follows up an earlier one's measure: per shortcoming of the
    /// earlier inspection, whether it was remedied. Absent in records that follow nothing
    /// (and so in every record made before follow-ups existed, whose hash stays the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<FollowUpRecord>,
}

impl InspectionRecord {
    /// Every photo the findings name, in order (the evidence that must reach the server).
    pub fn photos(&self) -> impl Iterator<Item = &PhotoRef> {
        self.findings.iter().flat_map(|f| &f.photos)
    }
}

/// A correction appended to a submitted inspection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AmendmentRecord {
    pub id: Uuid,
    pub inspection_id: Uuid,
    /// The inspection version the author saw (1 + amendments known on the device).
    pub base_version: u32,
    pub text: String,
    /// A corrected measure, if the amendment corrects it.
    #[serde(default)]
    pub measure: Option<Measure>,
    /// A corrected deadline, if the amendment corrects it.
    #[serde(default)]
    pub deadline: Option<NaiveDate>,
    /// Device clock.
    pub written_at: DateTime<Utc>,
}

impl AmendmentRecord {
    /// The structured correction it carries, if any.
    pub fn correction(&self) -> Option<Correction> {
        correction(self.measure, self.deadline)
    }
}

fn correction(measure: Option<Measure>, deadline: Option<NaiveDate>) -> Option<Correction> {
    (measure.is_some() || deadline.is_some()).then_some(Correction { measure, deadline })
}

/// An amendment as the server stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AmendmentView {
    pub id: Uuid,
    pub author_id: Uuid,
    /// The author's display name (no other personal data).
    #[serde(default)]
    pub author_name: String,
    pub base_version: u32,
    pub text: String,
    /// A corrected measure, if the amendment corrects it.
    #[serde(default)]
    pub measure: Option<Measure>,
    /// A corrected deadline, if the amendment corrects it.
    #[serde(default)]
    pub deadline: Option<NaiveDate>,
    /// Device clock of the author.
    pub written_at: DateTime<Utc>,
    /// Server clock.
    pub received_at: DateTime<Utc>,
}

impl AmendmentView {
    /// The structured correction it carries, if any.
    pub fn correction(&self) -> Option<Correction> {
        correction(self.measure, self.deadline)
    }
}

/// `GET /api/inspections/{id}`: the record as submitted, with what the server added.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InspectionView {
    pub record: InspectionRecord,
    /// 1 + the number of amendments.
    pub version: u32,
    pub inspector_id: Uuid,
    /// Server clock when it arrived.
    pub received_at: DateTime<Utc>,
    pub review_state: ReviewState,
    /// The reviewers' decisions, oldest first.
    pub reviews: Vec<ReviewView>,
    /// When the offender was notified of the approved report, if so.
    pub report_notified_on: Option<NaiveDate>,
    /// Oldest first; the original record is never changed.
    pub amendments: Vec<AmendmentView>,
    /// SHA-256 hashes of every photo the record names.
    pub photo_hashes: Vec<String>,
}

/// One structured correction of the conclusion: a measure, a deadline, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Correction {
    pub measure: Option<Measure>,
    pub deadline: Option<NaiveDate>,
}

/// The conclusion as corrected: `original` with each field replaced by its latest
/// correction, in the order of `corrections` (oldest first). A corrected measure that needs
/// no deadline drops the original's deadline unless a correction gives one.
pub fn corrected_conclusion(
    original: &Conclusion,
    corrections: impl IntoIterator<Item = Correction>,
) -> Conclusion {
    let mut conclusion = original.clone();
    for c in corrections {
        if let Some(measure) = c.measure {
            conclusion.measure = measure;
            if !measure.needs_deadline() {
                conclusion.deadline = None;
            }
        }
        if let Some(deadline) = c.deadline {
            conclusion.deadline = Some(deadline);
        }
    }
    conclusion
}
