//! The outcome of a check: pass, fail or unknown, with reasons in Dutch and English.

use serde::{Deserialize, Serialize};

/// Overall outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum VerdictStatus {
    Pass,
    Fail,
    /// The data do not allow a verdict; the reasons say what is missing.
    Unknown,
}

impl VerdictStatus {
    /// As stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Fail => "fail",
            Self::Unknown => "unknown",
        }
    }

    /// Parses the stored form; anything else is `Unknown`.
    pub fn parse(s: &str) -> Self {
        match s {
            "pass" => Self::Pass,
            "fail" => Self::Fail,
            _ => Self::Unknown,
        }
    }
}

/// Stable machine codes of the reasons behind a verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReasonCode {
    // Check 1: contract filed.
    /// Pass: notified to WSE within the lead time before the start.
    NotifiedInTime,
    /// Pass: approved by the department (approval regime).
    ContractApproved,
    /// Fail: the enclave has no contract in the register at all.
    NoContract,
    /// Fail: contracts exist, but none covers the date (not yet started, or ended).
    NoContractCoveringDate,
    /// Fail: the contract covering the date was rejected.
    ContractRejected,
    /// Fail: the notification reached WSE later than the lead time allows.
    NotifiedLate,
    /// Fail: approval regime, but the contract was never approved.
    NotApproved,
    /// Unknown: the register does not say when the notification was received.
    NotificationDateUnknown,
    // Check 2: daily registration.
    /// Pass: registered before the planned start.
    RegisteredInTime,
    /// Pass: at least one supervisor is registered.
    SupervisorRegistered,
    /// Fail: no registration for the date.
    NoRegistration,
    /// Fail: registered after the planned start.
    RegisteredLate,
    /// Fail: the registration names nobody.
    EmptyRegistration,
    /// Fail: the registration names no supervisor.
    NoSupervisorRegistered,
    /// Unknown: the date lies after the moment of the check.
    DateInFuture,
    // Check 3: supervisor present.
    /// Pass: at least one registered supervisor is present.
    SupervisorPresent,
    /// Fail: no registered supervisor is present.
    NoSupervisorPresent,
    /// Fail: people are working who are not in the registration.
    PresentNotRegistered,
    /// Informational (neither fails nor passes): registered people were not seen on site.
    RegisteredButAbsent,
    /// Fail: the registration was made after the planned start.
    RegisteredAfterStart,
    /// Fail: a supervisor is also registered for another enclave the same day.
    SupervisorFloating,
    /// Informational: more workers per begeleider present than the sector's norm allows.
    SupervisionNormShortfall,
}

impl ReasonCode {
    /// Whether this reason, on its own, makes the verdict fail.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            Self::NoContract
                | Self::NoContractCoveringDate
                | Self::ContractRejected
                | Self::NotifiedLate
                | Self::NotApproved
                | Self::NoRegistration
                | Self::RegisteredLate
                | Self::EmptyRegistration
                | Self::NoSupervisorRegistered
                | Self::NoSupervisorPresent
                | Self::PresentNotRegistered
                | Self::RegisteredAfterStart
                | Self::SupervisorFloating
        )
    }

    /// Whether this reason leaves the verdict undecided (unless another reason fails it).
    pub fn is_unknown(self) -> bool {
        matches!(self, Self::NotificationDateUnknown | Self::DateInFuture)
    }
}

/// One reason behind a verdict, with its message in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    pub code: ReasonCode,
    pub message_nl: String,
    pub message_en: String,
}

impl Reason {
    /// A reason with its messages.
    pub fn new(
        code: ReasonCode,
        message_nl: impl Into<String>,
        message_en: impl Into<String>,
    ) -> Self {
        Self {
            code,
            message_nl: message_nl.into(),
            message_en: message_en.into(),
        }
    }
}

/// The verdict of one check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Verdict {
    pub status: VerdictStatus,
    pub reasons: Vec<Reason>,
    /// The rule and settings that produced this verdict, e.g. `contract_filed/1;lead=1wd;11jul=no`.
    pub rule_version: String,
}

impl Verdict {
    /// Builds a verdict whose status follows from its reasons: fail if any reason fails,
    /// else unknown if any reason is unknown (or there are none), else pass.
    pub fn from_reasons(reasons: Vec<Reason>, rule_version: impl Into<String>) -> Self {
        let status = if reasons.iter().any(|r| r.code.is_failure()) {
            VerdictStatus::Fail
        } else if reasons.is_empty() || reasons.iter().any(|r| r.code.is_unknown()) {
            VerdictStatus::Unknown
        } else {
            VerdictStatus::Pass
        };
        Self {
            status,
            reasons,
            rule_version: rule_version.into(),
        }
    }
}
