//! Risk planning: which enclaves to inspect first.
//!
//! Each enclave is scored from what the register, the daily registrations and earlier
//! inspections say about it. The caller (the server from SQL aggregates, the tablet from its
//! working set) gathers the facts into a [`PlanningInput`]; [`score`] turns them into
//! reasons, each with a stable code, a Dutch and an English message and a weight, and the
//! score is the sum of those weights. [`rank`] orders enclaves highest score first, ties by
//! enclave id, so the server and an offline tablet give the same list.
//!
//! Weights and windows are settings ([`PlanningSettings`]). A weight may scale with how much
//! of a risk there is (per missed day, per earlier warning, …) up to a cap, see [`Weight`];
//! so adding a risk never lowers a score.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::calendar::{CalendarSettings, is_working_day};
use super::count;
use super::supervision_norm::{SupervisionNorm, SupportNeed, compare_with_norm};
use super::time::format_date;
use super::verdict::{ReasonCode, Verdict, VerdictStatus};

/// The rule's name and version; [`PlanningSettings::version_tag`] adds the settings.
pub const RULE_VERSION: &str = "planning/1";

/// Stable machine codes of the reasons behind a planning score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlanningReasonCode {
    /// Recent working days under a contract without a daily registration.
    MissingRegistrations,
    /// Recent registrations made after the team's planned start.
    RegisteredAfterStart,
    /// Recent registrations naming no supervisor.
    NoSupervisorRegistered,
    /// Recent days on which a supervisor was also registered for another enclave.
    SupervisorFloating,
    /// A recent registration with more workers per supervisor than the norm allows.
    SupervisionNormExceeded,
    /// The contract in force was notified to WSE late.
    NotifiedLate,
    /// No notification (or approval) of a contract in force.
    NotificationMissing,
    /// Failed checks at earlier inspections.
    EarlierFailedChecks,
    /// Warnings at earlier inspections.
    EarlierWarnings,
    /// Regularisation orders at earlier inspections.
    EarlierOrders,
    /// Reports (proces-verbaal) at earlier inspections.
    EarlierReports,
    /// A measure's deadline passed without a follow-up inspection.
    FollowUpOverdue,
    /// The enclave was never inspected.
    NeverInspected,
    /// The last inspection was long ago.
    NotInspectedRecently,
    /// The contract in force started recently.
    RecentStart,
}

impl PlanningReasonCode {
    /// Every code, in the order reasons of equal weight are listed.
    pub const ALL: [Self; 15] = [
        Self::MissingRegistrations,
        Self::RegisteredAfterStart,
        Self::NoSupervisorRegistered,
        Self::SupervisorFloating,
        Self::SupervisionNormExceeded,
        Self::NotifiedLate,
        Self::NotificationMissing,
        Self::EarlierFailedChecks,
        Self::EarlierWarnings,
        Self::EarlierOrders,
        Self::EarlierReports,
        Self::FollowUpOverdue,
        Self::NeverInspected,
        Self::NotInspectedRecently,
        Self::RecentStart,
    ];

    /// As stored and serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::MissingRegistrations => "missing_registrations",
            Self::RegisteredAfterStart => "registered_after_start",
            Self::NoSupervisorRegistered => "no_supervisor_registered",
            Self::SupervisorFloating => "supervisor_floating",
            Self::SupervisionNormExceeded => "supervision_norm_exceeded",
            Self::NotifiedLate => "notified_late",
            Self::NotificationMissing => "notification_missing",
            Self::EarlierFailedChecks => "earlier_failed_checks",
            Self::EarlierWarnings => "earlier_warnings",
            Self::EarlierOrders => "earlier_orders",
            Self::EarlierReports => "earlier_reports",
            Self::FollowUpOverdue => "follow_up_overdue",
            Self::NeverInspected => "never_inspected",
            Self::NotInspectedRecently => "not_inspected_recently",
            Self::RecentStart => "recent_start",
        }
    }

    /// Parses the stored form.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

/// The weight of one reason: `each` point(s) per occurrence (per missed day, per earlier
/// warning, …), at most `max` in all. A yes/no reason counts one occurrence, so a flat
/// weight has `each == max`. A weight of 0 switches the reason off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Weight {
    pub each: u32,
    pub max: u32,
}

impl Weight {
    /// The same points whether the risk occurs once or more.
    pub const fn flat(points: u32) -> Self {
        Self {
            each: points,
            max: points,
        }
    }

    /// `each` points per occurrence, capped at `max`.
    pub const fn per(each: u32, max: u32) -> Self {
        Self { each, max }
    }

    /// The points for `n` occurrences: `min(each × n, max)`.
    pub fn of(self, n: u32) -> u32 {
        self.each.saturating_mul(n).min(self.max)
    }
}

/// One [`Weight`] per reason, named like the reason codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanningWeights {
    pub missing_registrations: Weight,
    pub registered_after_start: Weight,
    pub no_supervisor_registered: Weight,
    pub supervisor_floating: Weight,
    /// Per begeleider short of the norm.
    pub supervision_norm_exceeded: Weight,
    pub notified_late: Weight,
    pub notification_missing: Weight,
    pub earlier_failed_checks: Weight,
    pub earlier_warnings: Weight,
    pub earlier_orders: Weight,
    pub earlier_reports: Weight,
    pub follow_up_overdue: Weight,
    pub never_inspected: Weight,
    pub not_inspected_recently: Weight,
    pub recent_start: Weight,
}

impl Default for PlanningWeights {
    /// Registration and supervision risks weigh per occurrence; a missing notification and
    /// an overdue follow-up weigh most among the single facts; the heavier an earlier
    /// measure, the more it weighs; never inspected weighs more than "long ago", so making
    /// the last inspection older never lowers a score.
    fn default() -> Self {
        Self {
            missing_registrations: Weight::per(8, 40),
            registered_after_start: Weight::per(5, 25),
            no_supervisor_registered: Weight::per(10, 40),
            supervisor_floating: Weight::per(8, 32),
            supervision_norm_exceeded: Weight::per(10, 30),
            notified_late: Weight::flat(15),
            notification_missing: Weight::flat(30),
            earlier_failed_checks: Weight::per(5, 30),
            earlier_warnings: Weight::per(10, 20),
            earlier_orders: Weight::per(20, 40),
            earlier_reports: Weight::per(30, 60),
            follow_up_overdue: Weight::per(25, 50),
            never_inspected: Weight::flat(25),
            not_inspected_recently: Weight::flat(15),
            recent_start: Weight::flat(10),
        }
    }
}

impl PlanningWeights {
    /// The weight of the reason with `code`.
    pub fn get(&self, code: PlanningReasonCode) -> Weight {
        use PlanningReasonCode::*;
        match code {
            MissingRegistrations => self.missing_registrations,
            RegisteredAfterStart => self.registered_after_start,
            NoSupervisorRegistered => self.no_supervisor_registered,
            SupervisorFloating => self.supervisor_floating,
            SupervisionNormExceeded => self.supervision_norm_exceeded,
            NotifiedLate => self.notified_late,
            NotificationMissing => self.notification_missing,
            EarlierFailedChecks => self.earlier_failed_checks,
            EarlierWarnings => self.earlier_warnings,
            EarlierOrders => self.earlier_orders,
            EarlierReports => self.earlier_reports,
            FollowUpOverdue => self.follow_up_overdue,
            NeverInspected => self.never_inspected,
            NotInspectedRecently => self.not_inspected_recently,
            RecentStart => self.recent_start,
        }
    }
}

/// Settings of the risk planning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanningSettings {
    pub weights: PlanningWeights,
    /// How many working days before today the registration facts cover (default 10, two
    /// weeks); see [`PlanningSettings::registration_window`].
    pub recent_working_days: u32,
    /// How many calendar days back earlier inspections count (default 730, two years); see
    /// [`PlanningSettings::history_since`].
    pub history_days: u32,
    /// An enclave last inspected more than this many days ago is "not inspected recently"
    /// (default 365).
    pub stale_after_days: u32,
    /// A contract that started at most this many days ago "started recently" (default 90).
    pub recent_start_days: u32,
    /// Workers per begeleider, by support need.
    pub norm: SupervisionNorm,
    /// Which days are working days.
    pub calendar: CalendarSettings,
}

impl Default for PlanningSettings {
    /// The default weights, 10 working days, two years of history, stale after a year, a
    /// recent start within 90 days, the federation's norm, 11 July not a holiday.
    fn default() -> Self {
        Self {
            weights: PlanningWeights::default(),
            recent_working_days: 10,
            history_days: 730,
            stale_after_days: 365,
            recent_start_days: 90,
            norm: SupervisionNorm::default(),
            calendar: CalendarSettings::default(),
        }
    }
}

impl PlanningSettings {
    /// The working days the registration facts of a [`PlanningInput`] cover: the last
    /// [`recent_working_days`](Self::recent_working_days) working days before `today`,
    /// oldest first. Today is left out: its registration may still come before the start.
    pub fn registration_window(&self, today: NaiveDate) -> Vec<NaiveDate> {
        let mut days: Vec<NaiveDate> = today
            .iter_days()
            .rev()
            .skip(1)
            .filter(|d| is_working_day(*d, self.calendar))
            .take(self.recent_working_days as usize)
            .collect();
        days.reverse();
        days
    }

    /// The first day whose inspections count as earlier inspections:
    /// [`history_days`](Self::history_days) before `today`.
    pub fn history_since(&self, today: NaiveDate) -> NaiveDate {
        today - Days::new(u64::from(self.history_days))
    }

    /// The `rule_version` of a ranking, e.g. `planning/1;settings=0a1b2c3d`: the rule and a
    /// fingerprint (FNV-1a, 32 bits) of every setting, so two rankings with the same tag
    /// were computed alike.
    pub fn version_tag(&self) -> String {
        let mut canonical = String::new();
        for code in PlanningReasonCode::ALL {
            let w = self.weights.get(code);
            canonical.push_str(&format!("{}={}x{};", code.as_str(), w.each, w.max));
        }
        let n = self.norm;
        canonical.push_str(&format!(
            "window={}wd;history={}d;stale={}d;recent={}d;norm={}/{}/{};11jul={}",
            self.recent_working_days,
            self.history_days,
            self.stale_after_days,
            self.recent_start_days,
            n.low,
            n.medium,
            n.high,
            self.calendar.flemish_holiday,
        ));
        format!(
            "{RULE_VERSION};settings={:08x}",
            fnv1a(canonical.as_bytes())
        )
    }
}

/// FNV-1a, 32 bits: a fingerprint that is the same on every platform.
fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |hash, &b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

/// How the contract in force reached the Departement WSE.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Notification {
    /// Notified in time, or approved (older regime).
    #[default]
    InTime,
    /// Notified after the deadline.
    Late,
    /// No contract in force, or the register shows no notification or approval of it.
    Missing,
}

impl Notification {
    /// From check 1's verdict on today ([`check_contract_filed`](super::check_contract_filed)):
    /// a pass is in time, a late notification late, anything else (no contract in force,
    /// rejected, not approved, no notification date) missing.
    pub fn from_verdict(verdict: &Verdict) -> Self {
        if verdict.status == VerdictStatus::Pass {
            Self::InTime
        } else if verdict
            .reasons
            .iter()
            .any(|r| r.code == ReasonCode::NotifiedLate)
        {
            Self::Late
        } else {
            Self::Missing
        }
    }
}

/// The size of one registered team: workers and begeleiders.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamSize {
    pub workers: u32,
    pub supervisors: u32,
}

/// The facts about one enclave that the planning weighs. Counts are plain numbers so that
/// one SQL query per fact, grouped by enclave, fills them; nothing here reads a clock.
///
/// "The window" is [`PlanningSettings::registration_window`]; "the history" is the
/// inspections on or after [`PlanningSettings::history_since`].
///
/// They travel to the tablet (`GET /api/planning/facts`), which ranks from them offline: what
/// is zero, empty or unknown is left out of the JSON.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanningInput {
    pub enclave_id: Uuid,
    /// Working days of the window on which a contract (not rejected) covered the enclave.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub contract_days: u32,
    /// Of those, the days without a daily registration.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unregistered_days: u32,
    /// Registrations in the window made after their planned start.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub late_registrations: u32,
    /// Registrations in the window that name no supervisor.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unsupervised_registrations: u32,
    /// Days in the window on which a supervisor of this enclave was also registered as a
    /// supervisor of another enclave.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub floating_days: u32,
    /// Of the window's registrations that name at least one supervisor, the one with the
    /// most workers per supervisor (ties: the most workers); `None` without any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub busiest_team: Option<TeamSize>,
    /// The team's support need as the enclave records it; `None` when not recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_need: Option<SupportNeed>,
    /// How the contract in force reached WSE (see [`Notification::from_verdict`]).
    #[serde(default)]
    pub notification: Notification,
    /// Failed checks (status that counts, overrides included) at inspections in the history.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed_checks: u32,
    /// Warnings at inspections in the history (the corrected conclusion).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub warnings: u32,
    /// Regularisation orders at inspections in the history.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub orders: u32,
    /// Reports (proposed or approved) at inspections in the history.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub reports: u32,
    /// Deadlines of warnings and orders with no inspection of the enclave after the one that
    /// set them; those before today are overdue.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub open_deadlines: Vec<NaiveDate>,
    /// The day of the last inspection; `None` if never inspected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_inspection: Option<NaiveDate>,
    /// The start of the contract in force; `None` without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract_start: Option<NaiveDate>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// One reason behind a planning score, with its messages and the points it adds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanningReason {
    pub code: PlanningReasonCode,
    pub message_nl: String,
    pub message_en: String,
    pub weight: u32,
}

/// An enclave's planning score with every contribution explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RankedEnclave {
    pub enclave_id: Uuid,
    /// The sum of the reasons' weights.
    pub score: u32,
    /// Heaviest first; equal weights in the order of [`PlanningReasonCode::ALL`].
    pub reasons: Vec<PlanningReason>,
    /// The rule and settings, see [`PlanningSettings::version_tag`].
    pub rule_version: String,
}

/// The score of one enclave on `today`.
pub fn score(
    input: &PlanningInput,
    settings: &PlanningSettings,
    today: NaiveDate,
) -> RankedEnclave {
    scored(input, settings, today, settings.version_tag())
}

/// The enclaves highest score first, ties by enclave id (the same order on every device),
/// at most `limit` of them. Enclave ids are expected to be distinct.
///
/// Every enclave is scored, but messages are written only for the `limit` kept.
pub fn rank(
    inputs: &[PlanningInput],
    settings: &PlanningSettings,
    today: NaiveDate,
    limit: usize,
) -> Vec<RankedEnclave> {
    let key =
        |&(score, input): &(u32, &PlanningInput)| (std::cmp::Reverse(score), input.enclave_id);
    let mut totals: Vec<(u32, &PlanningInput)> = inputs
        .iter()
        .map(|input| {
            let mut reasons = Reasons::new(&settings.weights, false);
            collect(&mut reasons, input, settings, today);
            (reasons.score, input)
        })
        .collect();
    if limit < totals.len() {
        totals.select_nth_unstable_by_key(limit, key);
        totals.truncate(limit);
    }
    totals.sort_unstable_by_key(key);
    let version = settings.version_tag();
    totals
        .into_iter()
        .map(|(_, input)| scored(input, settings, today, version.clone()))
        .collect()
}

fn scored(
    input: &PlanningInput,
    settings: &PlanningSettings,
    today: NaiveDate,
    rule_version: String,
) -> RankedEnclave {
    let mut reasons = Reasons::new(&settings.weights, true);
    collect(&mut reasons, input, settings, today);
    let mut list = reasons.list;
    list.sort_by_key(|r| (std::cmp::Reverse(r.weight), r.code));
    RankedEnclave {
        enclave_id: input.enclave_id,
        score: reasons.score,
        reasons: list,
        rule_version,
    }
}

/// Adds up the reasons that apply, each with its weight for `n` occurrences, and lists them
/// with their messages when asked to; reasons that do not occur or weigh nothing are left
/// out.
struct Reasons<'a> {
    weights: &'a PlanningWeights,
    /// Whether to list the reasons with their messages, or only add up the score.
    explain: bool,
    score: u32,
    list: Vec<PlanningReason>,
}

impl<'a> Reasons<'a> {
    fn new(weights: &'a PlanningWeights, explain: bool) -> Self {
        Self {
            weights,
            explain,
            score: 0,
            list: Vec::new(),
        }
    }

    /// Adds the reason with `code` for `n` occurrences; the messages are only written when
    /// it applies and is explained.
    fn add(
        &mut self,
        code: PlanningReasonCode,
        n: u32,
        messages: impl FnOnce() -> (String, String),
    ) {
        let weight = self.weights.get(code).of(n);
        if n == 0 || weight == 0 {
            return;
        }
        self.score = self.score.saturating_add(weight);
        if self.explain {
            let (nl, en) = messages();
            self.list.push(PlanningReason {
                code,
                message_nl: nl,
                message_en: en,
                weight,
            });
        }
    }
}

/// "de laatste 10 werkdagen" / "the last 10 working days".
fn last_working_days(n: u32) -> (String, String) {
    if n == 1 {
        ("de laatste werkdag".into(), "the last working day".into())
    } else {
        (
            format!("de laatste {n} werkdagen"),
            format!("the last {n} working days"),
        )
    }
}

/// Adds the reasons that apply to `input` on `today` to `out`.
fn collect(
    out: &mut Reasons<'_>,
    input: &PlanningInput,
    settings: &PlanningSettings,
    today: NaiveDate,
) {
    registrations(out, input, settings.recent_working_days);
    norm_shortfall(out, input, settings);
    notification(out, input.notification);
    earlier_inspections(out, input, settings.history_since(today), today);
    last_inspection(out, input.last_inspection, settings.stale_after_days, today);
    recent_start(out, input.contract_start, settings.recent_start_days, today);
}

/// Missing, late and unsupervised registrations and floating supervisors in the window of
/// `window` working days.
fn registrations(out: &mut Reasons<'_>, input: &PlanningInput, window: u32) {
    use PlanningReasonCode::*;
    let missing = input.unregistered_days;
    if missing > 0 {
        let of = input.contract_days.max(missing);
        let (days_nl, days_en) = last_working_days(of);
        let (nl, en) = if missing == of {
            (format!("op {days_nl}"), format!("on {days_en}"))
        } else {
            (
                format!("op {missing} van {days_nl}"),
                format!("on {missing} of {days_en}"),
            )
        };
        out.add(MissingRegistrations, missing, || {
            (
                format!("Geen dagregistratie {nl} met een lopend contract."),
                format!("No daily registration {en} under a contract."),
            )
        });
    }

    let n = input.late_registrations;
    out.add(RegisteredAfterStart, n, || {
        let (window_nl, window_en) = last_working_days(window);
        (
            format!(
                "{} gemaakt na de geplande start, in {window_nl}.",
                count(n, "registratie", "registraties")
            ),
            format!(
                "{} made after the planned start, in {window_en}.",
                count(n, "registration", "registrations")
            ),
        )
    });

    let n = input.unsupervised_registrations;
    out.add(NoSupervisorRegistered, n, || {
        let (window_nl, window_en) = last_working_days(window);
        (
            format!(
                "{} zonder begeleider, in {window_nl}.",
                count(n, "registratie", "registraties")
            ),
            format!(
                "{} without a supervisor, in {window_en}.",
                count(n, "registration", "registrations")
            ),
        )
    });

    let n = input.floating_days;
    out.add(SupervisorFloating, n, || {
        let (window_nl, window_en) = last_working_days(window);
        (
            format!(
                "Op {} in {window_nl} was een begeleider van deze enclave ook geregistreerd \
                 voor een andere enclave.",
                count(n, "dag", "dagen")
            ),
            format!(
                "On {} in {window_en} a supervisor of this enclave was also registered for \
                 another enclave.",
                count(n, "day", "days")
            ),
        )
    });
}

/// The window's busiest team against the norm for the team's support need.
fn norm_shortfall(out: &mut Reasons<'_>, input: &PlanningInput, settings: &PlanningSettings) {
    if let Some(team) = input.busiest_team {
        let need = input.support_need;
        let outcome = compare_with_norm(team.workers, team.supervisors, need, &settings.norm);
        let short = outcome.shortfall;
        out.add(PlanningReasonCode::SupervisionNormExceeded, short, || {
            let (window_nl, window_en) = last_working_days(settings.recent_working_days);
            let per = outcome.workers_per_supervisor;
            let per_nl = count(per, "doelgroepwerknemer", "doelgroepwerknemers");
            let per_en = count(per, "worker", "workers");
            let (norm_nl, norm_en) = match need {
                Some(need) => {
                    let (nl, en) = need.names();
                    (
                        format!(
                            "de norm bij een {nl} ondersteuningsnood is 1 begeleider per {per_nl}"
                        ),
                        format!("the norm for a {en} support need is 1 supervisor per {per_en}"),
                    )
                }
                None => (
                    format!(
                        "de ondersteuningsnood is niet gekend, dus geldt de mildste norm van 1 \
                         begeleider per {per_nl}"
                    ),
                    format!(
                        "the support need is not recorded, so the most lenient norm applies: 1 \
                         supervisor per {per_en}"
                    ),
                ),
            };
            (
                format!(
                    "In {window_nl} telde een registratie {} voor {}; {norm_nl}: {} te weinig.",
                    count(team.workers, "doelgroepwerknemer", "doelgroepwerknemers"),
                    count(team.supervisors, "begeleider", "begeleiders"),
                    count(short, "begeleider", "begeleiders"),
                ),
                format!(
                    "In {window_en} a registration counted {} for {}; {norm_en}: {} short.",
                    count(team.workers, "worker", "workers"),
                    count(team.supervisors, "supervisor", "supervisors"),
                    count(short, "supervisor", "supervisors"),
                ),
            )
        });
    }
}

/// A late or missing notification of the contract in force.
fn notification(out: &mut Reasons<'_>, notification: Notification) {
    match notification {
        Notification::InTime => {}
        Notification::Late => out.add(PlanningReasonCode::NotifiedLate, 1, || {
            (
                "Het lopende contract werd te laat gemeld aan het departement WSE.".into(),
                "The contract in force was notified to the Departement WSE late.".into(),
            )
        }),
        Notification::Missing => out.add(PlanningReasonCode::NotificationMissing, 1, || {
            (
                "Het register toont geen kennisgeving of goedkeuring van een lopend contract."
                    .into(),
                "The register shows no notification or approval of a contract in force.".into(),
            )
        }),
    }
}

/// Failed checks and measures at inspections since `since`, and measures whose deadline
/// passed before `today` without a follow-up.
fn earlier_inspections(
    out: &mut Reasons<'_>,
    input: &PlanningInput,
    since: NaiveDate,
    today: NaiveDate,
) {
    use PlanningReasonCode::*;
    let history = [
        (
            EarlierFailedChecks,
            input.failed_checks,
            ("niet-geslaagde controle", "niet-geslaagde controles"),
            ("failed check", "failed checks"),
        ),
        (
            EarlierWarnings,
            input.warnings,
            ("waarschuwing", "waarschuwingen"),
            ("warning", "warnings"),
        ),
        (
            EarlierOrders,
            input.orders,
            ("bevel tot regularisatie", "bevelen tot regularisatie"),
            ("regularisation order", "regularisation orders"),
        ),
        (
            EarlierReports,
            input.reports,
            ("proces-verbaal", "processen-verbaal"),
            ("report", "reports"),
        ),
    ];
    for (code, n, nl, en) in history {
        out.add(code, n, || {
            let since = format_date(since);
            (
                format!("{} bij inspecties sinds {since}.", count(n, nl.0, nl.1)),
                format!("{} at inspections since {since}.", count(n, en.0, en.1)),
            )
        });
    }

    let overdue = || input.open_deadlines.iter().filter(|d| **d < today);
    if let Some(&oldest) = overdue().min() {
        let n = overdue().count() as u32;
        out.add(FollowUpOverdue, n, || {
            let oldest = format_date(oldest);
            (
                format!(
                    "{} met een verstreken termijn zonder opvolgingsinspectie (oudste termijn: \
                     {oldest}).",
                    count(n, "maatregel", "maatregelen")
                ),
                format!(
                    "{} whose deadline passed without a follow-up inspection (oldest deadline: \
                     {oldest}).",
                    count(n, "measure", "measures")
                ),
            )
        });
    }
}

/// Never inspected, or last inspected more than `stale_after_days` before `today`.
fn last_inspection(
    out: &mut Reasons<'_>,
    last: Option<NaiveDate>,
    stale_after_days: u32,
    today: NaiveDate,
) {
    match last {
        None => out.add(PlanningReasonCode::NeverInspected, 1, || {
            ("Nog nooit geïnspecteerd.".into(), "Never inspected.".into())
        }),
        Some(last) => {
            let days = (today - last).num_days();
            if days > i64::from(stale_after_days) {
                let on = format_date(last);
                out.add(PlanningReasonCode::NotInspectedRecently, 1, || {
                    (
                        format!(
                            "Laatste inspectie op {on}, {} geleden.",
                            count(days, "dag", "dagen")
                        ),
                        format!(
                            "Last inspection on {on}, {} ago.",
                            count(days, "day", "days")
                        ),
                    )
                });
            }
        }
    }
}

/// A contract in force that started at most `recent_start_days` before `today`.
fn recent_start(
    out: &mut Reasons<'_>,
    start: Option<NaiveDate>,
    recent_start_days: u32,
    today: NaiveDate,
) {
    if let Some(start) = start {
        let days = (today - start).num_days();
        if days <= i64::from(recent_start_days) {
            let on = format_date(start);
            out.add(PlanningReasonCode::RecentStart, 1, || match days {
                d if d < 0 => (
                    format!("Het contract start op {on}."),
                    format!("The contract starts on {on}."),
                ),
                0 => (
                    format!("Het contract startte vandaag ({on})."),
                    format!("The contract started today ({on})."),
                ),
                _ => (
                    format!(
                        "Het contract startte op {on}, {} geleden.",
                        count(days, "dag", "dagen")
                    ),
                    format!(
                        "The contract started on {on}, {} ago.",
                        count(days, "day", "days")
                    ),
                ),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dto::contract::{Contract, ContractStatus};
    use crate::rules::contract_filed::{RuleSettings, check_contract_filed, regime_for_start};
    use crate::rules::time::from_belgian_local;
    use PlanningReasonCode::*;
    use proptest::prelude::*;

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Monday 16 June 2025.
    fn today() -> NaiveDate {
        ymd(2025, 6, 16)
    }

    fn days_ago(n: i64) -> NaiveDate {
        today() - chrono::Duration::days(n)
    }

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    /// An enclave without any risk: registered every day, led within the norm, notified in
    /// time, inspected a month ago, running for over a year.
    fn calm() -> PlanningInput {
        PlanningInput {
            enclave_id: id(1),
            contract_days: 10,
            busiest_team: Some(TeamSize {
                workers: 13,
                supervisors: 1,
            }),
            support_need: Some(SupportNeed::Low),
            last_inspection: Some(days_ago(30)),
            contract_start: Some(days_ago(400)),
            ..PlanningInput::default()
        }
    }

    fn codes(r: &RankedEnclave) -> Vec<PlanningReasonCode> {
        r.reasons.iter().map(|r| r.code).collect()
    }

    /// Each case adds exactly one risk to [`calm`]: the reason it gives and its weight with
    /// the default settings.
    fn one_risk_each() -> Vec<(PlanningReasonCode, PlanningInput, u32)> {
        let with = |change: fn(&mut PlanningInput)| {
            let mut input = calm();
            change(&mut input);
            input
        };
        vec![
            (MissingRegistrations, with(|i| i.unregistered_days = 3), 24),
            (RegisteredAfterStart, with(|i| i.late_registrations = 2), 10),
            (
                NoSupervisorRegistered,
                with(|i| i.unsupervised_registrations = 1),
                10,
            ),
            (SupervisorFloating, with(|i| i.floating_days = 2), 16),
            (
                SupervisionNormExceeded,
                with(|i| {
                    i.busiest_team = Some(TeamSize {
                        workers: 14,
                        supervisors: 1,
                    })
                }),
                10,
            ),
            (
                NotifiedLate,
                with(|i| i.notification = Notification::Late),
                15,
            ),
            (
                NotificationMissing,
                with(|i| i.notification = Notification::Missing),
                30,
            ),
            (EarlierFailedChecks, with(|i| i.failed_checks = 3), 15),
            (EarlierWarnings, with(|i| i.warnings = 1), 10),
            (EarlierOrders, with(|i| i.orders = 1), 20),
            (EarlierReports, with(|i| i.reports = 1), 30),
            (
                FollowUpOverdue,
                // The deadline of today has not passed yet.
                with(|i| i.open_deadlines = vec![days_ago(1), today()]),
                25,
            ),
            (NeverInspected, with(|i| i.last_inspection = None), 25),
            (
                NotInspectedRecently,
                with(|i| i.last_inspection = Some(days_ago(366))),
                15,
            ),
            (
                RecentStart,
                with(|i| i.contract_start = Some(days_ago(90))),
                10,
            ),
        ]
    }

    #[test]
    fn a_calm_enclave_scores_nothing() {
        let r = score(&calm(), &PlanningSettings::default(), today());
        assert_eq!((r.score, r.reasons.len()), (0, 0));
        assert_eq!(r.enclave_id, id(1));
    }

    #[test]
    fn every_reason_alone_with_its_weight() {
        let settings = PlanningSettings::default();
        let cases = one_risk_each();
        let named: Vec<PlanningReasonCode> = cases.iter().map(|(code, _, _)| *code).collect();
        assert_eq!(
            named,
            PlanningReasonCode::ALL,
            "one case per code, in order"
        );
        for (code, input, weight) in cases {
            let r = score(&input, &settings, today());
            assert_eq!(codes(&r), [code], "{code:?}");
            assert_eq!(r.reasons[0].weight, weight, "{code:?}");
            assert_eq!(r.score, weight, "{code:?}");
        }
    }

    #[test]
    fn messages_in_both_languages_differ() {
        for (code, input, _) in one_risk_each() {
            let r = score(&input, &PlanningSettings::default(), today());
            let reason = &r.reasons[0];
            assert!(!reason.message_nl.is_empty(), "{code:?}");
            assert!(!reason.message_en.is_empty(), "{code:?}");
            assert_ne!(reason.message_nl, reason.message_en, "{code:?}");
        }
    }

    #[test]
    fn thresholds_and_caps() {
        let settings = PlanningSettings::default();
        let weight_of = |change: fn(&mut PlanningInput)| {
            let mut input = calm();
            change(&mut input);
            score(&input, &settings, today()).score
        };
        // A year ago exactly is not stale yet; 90 days ago is still recent, 91 not.
        assert_eq!(weight_of(|i| i.last_inspection = Some(days_ago(365))), 0);
        assert_eq!(weight_of(|i| i.contract_start = Some(days_ago(91))), 0);
        // Capped: 10 days × 8 = 80, at most 40; 4 begeleiders short × 10, at most 30.
        assert_eq!(weight_of(|i| i.unregistered_days = 10), 40);
        assert_eq!(
            weight_of(|i| {
                i.busiest_team = Some(TeamSize {
                    workers: 40,
                    supervisors: 2,
                });
                i.support_need = Some(SupportNeed::High);
            }),
            30
        );
        // Unknown need: the most lenient norm, 13 per begeleider.
        assert_eq!(weight_of(|i| i.support_need = None), 0);
        // A stricter need turns the same team into a shortfall (⌈13 ÷ 10⌉ − 1).
        assert_eq!(
            weight_of(|i| i.support_need = Some(SupportNeed::Medium)),
            10
        );
    }

    #[test]
    fn messages_state_the_facts() {
        let settings = PlanningSettings::default();
        let messages = |input: &PlanningInput| -> Vec<(String, String)> {
            score(input, &settings, today())
                .reasons
                .into_iter()
                .map(|r| (r.message_nl, r.message_en))
                .collect()
        };
        let pair = |nl: &str, en: &str| (nl.to_owned(), en.to_owned());

        let mut input = calm();
        input.unregistered_days = 3;
        assert_eq!(
            messages(&input),
            [pair(
                "Geen dagregistratie op 3 van de laatste 10 werkdagen met een lopend contract.",
                "No daily registration on 3 of the last 10 working days under a contract.",
            )]
        );
        input.contract_days = 1;
        input.unregistered_days = 1;
        assert_eq!(
            messages(&input),
            [pair(
                "Geen dagregistratie op de laatste werkdag met een lopend contract.",
                "No daily registration on the last working day under a contract.",
            )]
        );

        let mut input = calm();
        input.busiest_team = Some(TeamSize {
            workers: 27,
            supervisors: 1,
        });
        input.support_need = None;
        assert_eq!(
            messages(&input),
            [pair(
                "In de laatste 10 werkdagen telde een registratie 27 doelgroepwerknemers voor 1 \
                 begeleider; de ondersteuningsnood is niet gekend, dus geldt de mildste norm van \
                 1 begeleider per 13 doelgroepwerknemers: 2 begeleiders te weinig.",
                "In the last 10 working days a registration counted 27 workers for 1 \
                 supervisor; the support need is not recorded, so the most lenient norm \
                 applies: 1 supervisor per 13 workers: 2 supervisors short.",
            )]
        );
        input.support_need = Some(SupportNeed::High);
        input.busiest_team = Some(TeamSize {
            workers: 8,
            supervisors: 1,
        });
        assert_eq!(
            messages(&input)[0].0,
            "In de laatste 10 werkdagen telde een registratie 8 doelgroepwerknemers voor 1 \
             begeleider; de norm bij een hoge ondersteuningsnood is 1 begeleider per 7 \
             doelgroepwerknemers: 1 begeleider te weinig."
        );

        let mut input = calm();
        input.orders = 1;
        input.open_deadlines = vec![ymd(2025, 5, 2), ymd(2025, 3, 1), ymd(2025, 7, 1)];
        input.last_inspection = Some(ymd(2024, 6, 1));
        input.contract_start = Some(today());
        assert_eq!(
            messages(&input),
            [
                pair(
                    "2 maatregelen met een verstreken termijn zonder opvolgingsinspectie (oudste \
                     termijn: 01/03/2025).",
                    "2 measures whose deadline passed without a follow-up inspection (oldest \
                     deadline: 01/03/2025).",
                ),
                pair(
                    "1 bevel tot regularisatie bij inspecties sinds 17/06/2023.",
                    "1 regularisation order at inspections since 17/06/2023.",
                ),
                pair(
                    "Laatste inspectie op 01/06/2024, 380 dagen geleden.",
                    "Last inspection on 01/06/2024, 380 days ago.",
                ),
                pair(
                    "Het contract startte vandaag (16/06/2025).",
                    "The contract started today (16/06/2025).",
                ),
            ]
        );
    }

    #[test]
    fn codes_round_trip() {
        for code in PlanningReasonCode::ALL {
            assert_eq!(PlanningReasonCode::parse(code.as_str()), Some(code));
            assert_eq!(
                serde_json::to_string(&code).unwrap(),
                format!("\"{}\"", code.as_str())
            );
        }
        assert_eq!(PlanningReasonCode::parse("never"), None);
    }

    #[test]
    fn serialises_as_the_api_answers() {
        let mut input = calm();
        input.last_inspection = None;
        let json =
            serde_json::to_value(score(&input, &PlanningSettings::default(), today())).unwrap();
        assert_eq!(json["enclave_id"], id(1).to_string());
        assert_eq!(json["score"], 25);
        assert_eq!(json["reasons"][0]["code"], "never_inspected");
        assert_eq!(json["reasons"][0]["message_nl"], "Nog nooit geïnspecteerd.");
        assert_eq!(json["reasons"][0]["message_en"], "Never inspected.");
        assert_eq!(json["reasons"][0]["weight"], 25);
    }

    #[test]
    fn a_zero_weight_switches_a_reason_off() {
        let mut settings = PlanningSettings::default();
        settings.weights.never_inspected = Weight::flat(0);
        let mut input = calm();
        input.last_inspection = None;
        input.warnings = 1;
        let r = score(&input, &settings, today());
        assert_eq!(codes(&r), [EarlierWarnings]);
    }

    #[test]
    fn reasons_heaviest_first() {
        let mut input = calm();
        input.warnings = 1;
        input.late_registrations = 2;
        input.notification = Notification::Missing;
        let r = score(&input, &PlanningSettings::default(), today());
        // 30, then 10 and 10 in code order.
        assert_eq!(
            codes(&r),
            [NotificationMissing, RegisteredAfterStart, EarlierWarnings]
        );
        assert_eq!(r.score, 50);
    }

    #[test]
    fn notification_from_check_one() {
        let rules = RuleSettings::default();
        let start = ymd(2025, 3, 10);
        let contract = |notified: Option<NaiveDate>| Contract {
            id: id(10),
            enclave_id: id(1),
            reference: "ENC-1".into(),
            start_date: start,
            end_date: None,
            notified_at: notified.map(|d| from_belgian_local(d.and_hms_opt(10, 0, 0).unwrap())),
            approved_at: None,
            regime: regime_for_start(start),
            status: ContractStatus::Notified,
            rejection_reason: None,
            min_supervisors: 1,
        };
        let of = |contracts: &[Contract]| {
            Notification::from_verdict(&check_contract_filed(contracts, today(), &rules))
        };
        assert_eq!(of(&[contract(Some(ymd(2025, 3, 7)))]), Notification::InTime);
        assert_eq!(of(&[contract(Some(ymd(2025, 3, 10)))]), Notification::Late);
        assert_eq!(of(&[contract(None)]), Notification::Missing);
        assert_eq!(of(&[]), Notification::Missing);
        let ended = Contract {
            end_date: Some(ymd(2025, 5, 31)),
            ..contract(Some(ymd(2025, 3, 7)))
        };
        assert_eq!(of(&[ended]), Notification::Missing);
    }

    #[test]
    fn windows() {
        let settings = PlanningSettings {
            recent_working_days: 3,
            ..PlanningSettings::default()
        };
        // Tuesday 2 April 2024: Easter Monday and the weekend are skipped.
        assert_eq!(
            settings.registration_window(ymd(2024, 4, 2)),
            [ymd(2024, 3, 27), ymd(2024, 3, 28), ymd(2024, 3, 29)]
        );
        assert_eq!(
            PlanningSettings::default()
                .registration_window(today())
                .len(),
            10
        );
        // 730 days back, across 29 February 2024.
        assert_eq!(
            PlanningSettings::default().history_since(today()),
            ymd(2023, 6, 17)
        );
    }

    #[test]
    fn version_tag_follows_every_setting() {
        let base = PlanningSettings::default();
        let tag = base.version_tag();
        assert!(tag.starts_with("planning/1;settings="), "{tag}");
        assert_eq!(tag.len(), "planning/1;settings=".len() + 8);
        let mut heavier = base;
        heavier.weights.recent_start.max += 1;
        let mut stricter = base;
        stricter.norm.high = 6;
        let mut flemish = base;
        flemish.calendar.flemish_holiday = true;
        for other in [heavier, stricter, flemish] {
            assert_ne!(other.version_tag(), tag);
        }
        assert_eq!(score(&calm(), &base, today()).rule_version, tag);
    }

    #[test]
    fn rank_highest_first_then_by_id() {
        let settings = PlanningSettings::default();
        let enclave = |n: u128, warnings: u32| PlanningInput {
            enclave_id: id(n),
            warnings,
            ..calm()
        };
        let inputs = [enclave(3, 1), enclave(1, 0), enclave(2, 1), enclave(4, 2)];
        let ranked = rank(&inputs, &settings, today(), 10);
        let order: Vec<(Uuid, u32)> = ranked.iter().map(|r| (r.enclave_id, r.score)).collect();
        assert_eq!(order, [(id(4), 20), (id(2), 10), (id(3), 10), (id(1), 0)]);
        assert_eq!(rank(&inputs, &settings, today(), 2).len(), 2);
        assert!(rank(&inputs, &settings, today(), 0).is_empty());
    }

    fn need() -> impl Strategy<Value = Option<SupportNeed>> {
        proptest::option::of(prop::sample::select(SupportNeed::ALL.to_vec()))
    }

    fn notification() -> impl Strategy<Value = Notification> {
        prop::sample::select(vec![
            Notification::InTime,
            Notification::Late,
            Notification::Missing,
        ])
    }

    /// Any input, with dates around [`today`].
    fn input() -> impl Strategy<Value = PlanningInput> {
        (
            (0..15u32, 0..15u32, 0..8u32, 0..8u32, 0..8u32),
            (
                proptest::option::of((0..60u32, 0..6u32)),
                need(),
                notification(),
            ),
            (
                0..12u32,
                0..4u32,
                0..4u32,
                0..4u32,
                prop::collection::vec(-60i64..400, 0..4),
            ),
            (
                proptest::option::of(0..1500i64),
                proptest::option::of(-10..1500i64),
            ),
        )
            .prop_map(|(registrations, team, history, dates)| {
                let (contract_days, unregistered, late, unsupervised, floating) = registrations;
                let (busiest, support_need, notification) = team;
                let (failed_checks, warnings, orders, reports, deadlines) = history;
                let (last, start) = dates;
                PlanningInput {
                    enclave_id: id(1),
                    contract_days,
                    unregistered_days: unregistered,
                    late_registrations: late,
                    unsupervised_registrations: unsupervised,
                    floating_days: floating,
                    busiest_team: busiest.map(|(workers, supervisors)| TeamSize {
                        workers,
                        supervisors,
                    }),
                    support_need,
                    notification,
                    failed_checks,
                    warnings,
                    orders,
                    reports,
                    open_deadlines: deadlines.into_iter().map(days_ago).collect(),
                    last_inspection: last.map(days_ago),
                    contract_start: start.map(days_ago),
                }
            })
    }

    /// Adds risk number `which` (0–14), `k` (≥ 1) times where it counts.
    fn add_risk(mut input: PlanningInput, which: usize, k: u32) -> PlanningInput {
        let later = |d: NaiveDate| d + chrono::Days::new(u64::from(k));
        let earlier = |d: NaiveDate| d - chrono::Days::new(u64::from(k));
        match which {
            0 => {
                input.unregistered_days += k;
                input.contract_days = input.contract_days.max(input.unregistered_days);
            }
            1 => input.late_registrations += k,
            2 => input.unsupervised_registrations += k,
            3 => input.floating_days += k,
            4 => {
                let team = input.busiest_team.get_or_insert(TeamSize {
                    workers: 0,
                    supervisors: 1,
                });
                team.workers += k;
            }
            5 => {
                if let Some(team) = &mut input.busiest_team {
                    team.supervisors = team.supervisors.saturating_sub(k);
                }
            }
            6 => {
                // Stricter: unknown (held to the most lenient norm), low, medium, high.
                input.support_need = match input.support_need {
                    None => Some(SupportNeed::Low),
                    Some(SupportNeed::Low) => Some(SupportNeed::Medium),
                    Some(_) => Some(SupportNeed::High),
                }
            }
            7 => {
                input.notification = match input.notification {
                    Notification::InTime => Notification::Late,
                    _ => Notification::Missing,
                }
            }
            8 => input.failed_checks += k,
            9 => input.warnings += k,
            10 => input.orders += k,
            11 => input.reports += k,
            12 => input.open_deadlines.push(earlier(today())),
            13 => {
                input.last_inspection = if k.is_multiple_of(2) {
                    None
                } else {
                    input.last_inspection.map(earlier)
                }
            }
            _ => input.contract_start = Some(input.contract_start.map_or(earlier(today()), later)),
        }
        input
    }

    proptest! {
        #[test]
        fn adding_a_risk_never_lowers_the_score(
            input in input(), which in 0..15usize, k in 1..40u32,
        ) {
            let settings = PlanningSettings::default();
            let before = score(&input, &settings, today());
            let riskier = add_risk(input, which, k);
            let after = score(&riskier, &settings, today());
            prop_assert!(
                after.score >= before.score,
                "{} -> {} with risk {}: {:?} -> {:?}",
                before.score, after.score, which, codes(&before), codes(&after)
            );
        }

        #[test]
        fn the_score_is_the_sum_of_the_weights(input in input()) {
            let settings = PlanningSettings::default();
            let r = score(&input, &settings, today());
            prop_assert_eq!(r.score, r.reasons.iter().map(|r| r.weight).sum::<u32>());
            for reason in &r.reasons {
                prop_assert!(reason.weight > 0);
                prop_assert!(reason.weight <= settings.weights.get(reason.code).max);
                prop_assert!(!reason.message_nl.is_empty() && !reason.message_en.is_empty());
                prop_assert_ne!(&reason.message_nl, &reason.message_en);
            }
            let mut codes = codes(&r);
            let weights: Vec<u32> = r.reasons.iter().map(|r| r.weight).collect();
            prop_assert!(weights.windows(2).all(|w| w[0] >= w[1]), "heaviest first");
            codes.sort();
            codes.dedup();
            prop_assert_eq!(codes.len(), r.reasons.len(), "each code at most once");
        }

        #[test]
        fn rank_is_sorted_deterministic_and_limited(
            inputs in prop::collection::vec(input(), 0..30),
            limit in 0..40usize,
            rotate in any::<usize>(),
        ) {
            let settings = PlanningSettings::default();
            // Distinct ids, in an order unrelated to the scores.
            let inputs: Vec<PlanningInput> = inputs
                .into_iter()
                .enumerate()
                .map(|(i, input)| PlanningInput {
                    enclave_id: id((i as u128 * 7919) % 1000),
                    ..input
                })
                .collect();
            let ranked = rank(&inputs, &settings, today(), limit);
            prop_assert_eq!(ranked.len(), limit.min(inputs.len()));
            for pair in ranked.windows(2) {
                prop_assert!(
                    (std::cmp::Reverse(pair[0].score), pair[0].enclave_id)
                        < (std::cmp::Reverse(pair[1].score), pair[1].enclave_id)
                );
            }
            for r in &ranked {
                let input = inputs.iter().find(|i| i.enclave_id == r.enclave_id).unwrap();
                prop_assert_eq!(r, &score(input, &settings, today()));
            }
            // The same list whatever order the enclaves come in.
            let mut shuffled = inputs.clone();
            shuffled.reverse();
            if !shuffled.is_empty() {
                let n = shuffled.len();
                shuffled.rotate_left(rotate % n);
            }
            prop_assert_eq!(rank(&shuffled, &settings, today(), limit), ranked.clone());
            // Everything left out scores no higher than the last one in.
            if let Some(last) = ranked.last() {
                let included: Vec<Uuid> = ranked.iter().map(|r| r.enclave_id).collect();
                for input in inputs.iter().filter(|i| !included.contains(&i.enclave_id)) {
                    prop_assert!(score(input, &settings, today()).score <= last.score);
                }
            }
        }
    }
}
