//! A submitted inspection in full, read-only: the same view for the inspector (the summary
//! after submitting, from the device's outbox) and for the reviewer (from
//! `GET /api/inspections/{id}`).
//!
//! It shows the three checks with the status that counts (an override marked, see
//! [`CheckCard`]), the answers on how the work is directed, who was present (name, staff
//! reference and role; unregistered people apart, never counted as the team's begeleiders),
//! the findings with severity, category, text and photo thumbnails that enlarge on tap, the
//! conclusion as corrected (the original in small print) and the amendments with author and
//! time. The review page adds the decisions, naming who took each.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use shared::dto::inspection::{
    AmendmentRecord, AmendmentView, CheckKind, Conclusion, Correction, FollowUpRecord,
    InspectionRecord, InstructionGiver, Measure, PhotoRef, Severity, Shortcoming,
    corrected_conclusion,
};
use shared::dto::registration::MemberRole;

use crate::components::verdict::CheckCard;
use crate::i18n::{self, I18n, Key, Text};
use crate::picture::{self, LocalPhotos};
use crate::session::Session;

/// An amendment as the record shows it, from the device's outbox or the server.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordAmendment {
    pub text: String,
    pub measure: Option<Measure>,
    pub deadline: Option<NaiveDate>,
    /// Who wrote it, when known.
    pub author: Option<String>,
    /// When the server received it, else when it was written on the device.
    pub at: DateTime<Utc>,
}

impl RecordAmendment {
    #[allow(
        dead_code,
        reason = "for the review page, which shows server-side amendments"
    )]
    /// An amendment the server stored (set `author` when the view names its author).
    pub fn from_view(a: &AmendmentView) -> Self {
        Self {
            text: a.text.clone(),
            measure: a.measure,
            deadline: a.deadline,
            author: None,
            at: a.received_at,
        }
    }

    /// An amendment written on this device, by `author`.
    pub fn from_record(a: &AmendmentRecord, author: Option<String>) -> Self {
        Self {
            text: a.text.clone(),
            measure: a.measure,
            deadline: a.deadline,
            author,
            at: a.written_at,
        }
    }

    /// The structured correction it carries, if any.
    pub fn correction(&self) -> Option<Correction> {
        (self.measure.is_some() || self.deadline.is_some()).then_some(Correction {
            measure: self.measure,
            deadline: self.deadline,
        })
    }
}

/// What the server adds to a record, or what the device knows beside it.
#[derive(Clone, Default)]
pub struct RecordExtras {
    /// Oldest first.
    pub amendments: Vec<RecordAmendment>,
    /// To fetch photos the device store does not hold.
    pub session: Option<Session>,
}

/// The whole submitted `record`, read-only, with its `extras`.
#[component]
pub fn RecordView(
    record: InspectionRecord,
    #[prop(optional)] extras: RecordExtras,
) -> impl IntoView {
    let i18n = I18n::expect();
    let session = extras.session;
    let enlarged = RwSignal::new(None::<Enlarged>);
    let corrected = corrected_conclusion(
        &record.conclusion,
        extras
            .amendments
            .iter()
            .filter_map(RecordAmendment::correction),
    );
    view! {
        <div class="record" data-test="record">
            <section class="record-part">
                <h2>{i18n.text(Key::Checks)}</h2>
                <div class="verdicts">
                    <CheckCard check="contract_filed" title=Key::ContractFiled record=record.contract_filed.clone() />
                    <CheckCard check="daily_registration" title=Key::DailyRegistration record=record.daily_registration.clone() />
                    <CheckCard check="supervisor_present" title=Key::SupervisorPresent record=record.supervisor_present.clone() />
                </div>
            </section>
            <PresentList record=record.clone() />
            <InstructionAnswers record=record.clone() />
            <FindingList record=record.clone() session enlarged />
            <ConclusionView original=record.conclusion.clone() corrected />
            {record.follows.clone().map(|follows| view! { <FollowUpAnswers follows /> })}
            <AmendmentList amendments=extras.amendments />
            <Lightbox enlarged />
        </div>
    }
}

/// Who was present: the registered people ticked, with name, staff reference and role, and
/// apart from them the people working without being registered.
#[component]
fn PresentList(record: InspectionRecord) -> impl IntoView {
    let i18n = I18n::expect();
    let unregistered_count = record.unregistered.len();
    let present = record
        .present
        .iter()
        .map(|p| {
            let name = if p.name.trim().is_empty() {
                i18n.t(Key::NameNotKept).to_owned()
            } else {
                p.name.clone()
            };
            view! {
                <li data-test="record-present" data-role=p.role.as_str()>
                    <strong>{name}</strong>
                    {(!p.staff_ref.is_empty()).then(|| view! {
                        " " <span class="staff-ref" data-test="staff-ref">{i18n.text(Key::StaffNumber)} {p.staff_ref.clone()}</span>
                    })}
                    " "
                    <span class="badge">{i18n.text(role_key(p.role))}</span>
                </li>
            }
        })
        .collect_view();
    let unregistered = record
        .unregistered
        .iter()
        .map(|u| {
            view! {
                <li data-test="record-unregistered" data-role=u.stated_role.as_str()>
                    <strong>{u.name.clone()}</strong>
                    " "
                    <span class="badge warn">
                        {i18n.text(Key::NotRegistered)}
                    </span>
                    " "
                    {i18n.text(Key::States)}
                    {i18n.text(role_key(u.stated_role))}
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="record-part" data-test="record-presence">
            <h2>{i18n.text(Key::Present)}</h2>
            <p data-test="record-counts">
                {record.workers_present} " "
                {plural(
                    i18n,
                    record.workers_present,
                    Key::RegisteredWorker,
                    Key::RegisteredWorkers,
                )}
                ", " {record.supervisors_present} " "
                {plural(
                    i18n,
                    record.supervisors_present,
                    Key::RegisteredSupervisor,
                    Key::RegisteredSupervisors,
                )}
                {(unregistered_count > 0).then(|| view! {
                    ", " <span data-test="record-unregistered-count">{unregistered_count}</span> " "
                    {i18n.text(Key::NotRegistered)}
                })}
            </p>
            <ul class="members">{present}</ul>
            {(unregistered_count > 0).then(|| view! {
                <h3>{i18n.text(Key::WorkingButNotRegistered)}</h3>
                <p class="notice warn" data-test="record-unregistered-finding">
                    {i18n.text(Key::UnregisteredFinding)}
                </p>
                <ul class="members">{unregistered}</ul>
            })}
        </section>
    }
}

/// The word for `n` of something: `one` for one, else `many`.
fn plural(i18n: I18n, n: u32, one: Key, many: Key) -> impl IntoView + use<> {
    i18n.text(if n == 1 { one } else { many })
}

fn role_key(role: MemberRole) -> Key {
    match role {
        MemberRole::Supervisor => Key::RoleSupervisor,
        MemberRole::Worker => Key::RoleWorker,
    }
}

/// The inspector's answers on how the work is directed; an unanswered question (only in
/// records from before every question was required) says so.
#[component]
fn InstructionAnswers(record: InspectionRecord) -> impl IntoView {
    let i18n = I18n::expect();
    let ins = record.instructions;
    let unanswered = move || i18n.text(Key::NotAnswered).into_any();
    let yes_no = move |v: Option<bool>| match v {
        Some(true) => i18n.text(Key::AnswerYes).into_any(),
        Some(false) => i18n.text(Key::AnswerNo).into_any(),
        None => unanswered(),
    };
    let giver = match ins.given_by {
        Some(InstructionGiver::Supervisor) => i18n.text(Key::OnlySupervisor).into_any(),
        Some(InstructionGiver::HostStaff) => i18n.text(Key::HostStaff).into_any(),
        Some(InstructionGiver::Both) => i18n.text(Key::Both).into_any(),
        Some(InstructionGiver::Unclear) => i18n.text(Key::CannotBeEstablished).into_any(),
        None => unanswered(),
    };
    view! {
        <section class="record-part" data-test="record-instructions">
            <h2>{i18n.text(Key::Instructions)}</h2>
            <dl class="facts">
                <dt>{i18n.text(Key::InstructionsGivenBy)}</dt>
                <dd data-test="record-given-by">{giver}</dd>
                <dt>{i18n.text(Key::HostAssignsTasks)}</dt>
                <dd data-test="record-host-assigns">{yes_no(ins.host_assigns_tasks)}</dd>
                <dt>{i18n.text(Key::SupervisorWholeShift)}</dt>
                <dd data-test="record-whole-shift">{yes_no(ins.supervisor_whole_shift)}</dd>
                <dt>{i18n.text(Key::MainActivity)}</dt>
                <dd data-test="record-main-activity">{yes_no(ins.main_activity)}</dd>
                {ins.note.map(|note| view! {
                    <dt>{i18n.text(Key::Note)}</dt>
                    <dd>{note}</dd>
                })}
            </dl>
        </section>
    }
}

/// The severity of a finding, in words.
pub fn severity_words(severity: Severity) -> Key {
    match severity {
        Severity::Low => Key::Low,
        Severity::Medium => Key::Medium,
        Severity::High => Key::High,
    }
}

#[component]
fn FindingList(
    record: InspectionRecord,
    session: Option<Session>,
    enlarged: RwSignal<Option<Enlarged>>,
) -> impl IntoView {
    let i18n = I18n::expect();
    let empty = record.findings.is_empty();
    let findings = record
        .findings
        .into_iter()
        .map(|f| {
            let severity = severity_words(f.severity);
            // The words name the severity in the page's data and classes too.
            let (nl, en) = severity.texts();
            let check = f.check;
            let photos = f
                .photos
                .into_iter()
                .enumerate()
                .map(|(i, p)| {
                    // The printed report names each photo by its hash, the evidence's identity.
                    let sha = p.sha256.clone();
                    view! {
                        <li>
                            <PhotoThumb photo=p n=i + 1 session enlarged />
                            <code class="print-only sha" data-test="photo-sha">{sha}</code>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <li class="finding" data-test="record-finding" data-severity=nl>
                    <p>
                        <span class=format!("badge severity-{en}")>
                            {i18n.text(Key::SeverityLabel)} {i18n.text(severity)}
                        </span>
                        " "
                        <strong data-test="record-finding-category">{f.category}</strong>
                        " · "
                        <span data-test="record-finding-check">{move || belongs_to(i18n, check)}</span>
                    </p>
                    <p data-test="record-finding-text">{f.text}</p>
                    <ul class="thumbs">{photos}</ul>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="record-part" data-test="record-findings">
            <h2>{i18n.text(Key::Findings)}</h2>
            {empty.then(|| view! { <p class="muted">{i18n.text(Key::NoFindings)}</p> })}
            <ul class="findings">{findings}</ul>
        </section>
    }
}

/// What a finding belongs to, as the form asks it: a check's name, or "general".
pub fn belongs_to(i18n: I18n, check: Option<CheckKind>) -> &'static str {
    match check {
        Some(CheckKind::ContractFiled) => i18n.t(Key::ContractFiled),
        Some(CheckKind::DailyRegistration) => i18n.t(Key::DailyRegistration),
        Some(CheckKind::SupervisorPresent) => i18n.t(Key::SupervisorPresent),
        None => i18n.t(Key::General),
    }
}

/// A photo to show large.
#[derive(Debug, Clone, PartialEq)]
pub struct Enlarged {
    pub url: String,
    pub alt: String,
}

/// A photo as a thumbnail that enlarges on tap (into `enlarged`, shown by [`Lightbox`]):
/// the bytes from the device store, else fetched with `session`. `n` numbers it in its
/// finding, for its accessible name.
#[component]
pub fn PhotoThumb(
    photo: PhotoRef,
    n: usize,
    session: Option<Session>,
    enlarged: RwSignal<Option<Enlarged>>,
) -> impl IntoView {
    let i18n = I18n::expect();
    let url = RwSignal::new(None::<String>);
    let (sha, kind) = (photo.sha256.clone(), photo.content_type.clone());
    let local = use_context::<LocalPhotos>();
    leptos::task::spawn_local(async move {
        if let Some(u) = picture::object_url(local, &sha, &kind, session).await
            && url.try_set(Some(u.clone())).is_some()
        {
            // The thumbnail was gone before the picture was ready.
            picture::revoke(&u);
        }
    });
    on_cleanup(move || {
        if let Some(u) = url.try_get_untracked().flatten() {
            picture::revoke(&u);
        }
    });
    let alt = move || format!("{} {n}", i18n.t(Key::Photo));
    let open = move |_| {
        if let Some(u) = url.get_untracked() {
            enlarged.set(Some(Enlarged { url: u, alt: alt() }));
        }
    };
    view! {
        <button
            class="thumb"
            data-test="photo-thumb"
            data-sha256=photo.sha256.clone()
            data-loaded=move || url.with(Option::is_some).to_string()
            aria-label=move || format!("{} — {}", alt(), i18n.t(Key::Enlarge))
            on:click=open
        >
            {move || match url.get() {
                Some(u) => view! { <img src=u alt="" /> }.into_any(),
                None => view! { <span class="muted small">"📷 " {alt}</span> }.into_any(),
            }}
        </button>
    }
}

/// The enlarged photo over the page, closed by its button, a tap beside it or Escape.
#[component]
pub fn Lightbox(enlarged: RwSignal<Option<Enlarged>>) -> impl IntoView {
    let i18n = I18n::expect();
    let close_button = NodeRef::<leptos::html::Button>::new();
    Effect::new(move |_| {
        if enlarged.with(Option::is_some)
            && let Some(b) = close_button.get()
        {
            let _ = b.focus();
        }
    });
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && enlarged.with_untracked(Option::is_some) {
            enlarged.set(None);
        }
    });
    on_cleanup(move || keys.remove());
    move || {
        enlarged.get().map(|e| {
            let label = e.alt.clone();
            view! {
                <div
                    class="lightbox"
                    role="dialog"
                    aria-modal="true"
                    aria-label=label
                    data-test="lightbox"
                    on:click=move |_| enlarged.set(None)
                >
                    <img src=e.url alt=e.alt on:click=|ev| ev.stop_propagation() />
                    <button
                        class="close"
                        data-test="lightbox-close"
                        node_ref=close_button
                        on:click=move |_| enlarged.set(None)
                    >
                        {i18n.text(Key::Close)}
                    </button>
                </div>
            }
        })
    }
}

/// The conclusion as corrected by the latest structured corrections; the original in small
/// print when a correction changed it.
#[component]
fn ConclusionView(original: Conclusion, corrected: Conclusion) -> impl IntoView {
    let i18n = I18n::expect();
    let changed = original.measure != corrected.measure || original.deadline != corrected.deadline;
    let measure = move |c: &Conclusion| {
        let (nl, en) = c.measure.names();
        let deadline = c
            .deadline
            .map(|d| format!(" · {} {}", i18n.t(Key::DeadlineLower), i18n::date(d)));
        view! { {move || i18n.pick(nl, en)} {deadline} }
    };
    let original_line = changed.then(|| {
        view! {
            <p class="small muted" data-test="record-original-measure">
                {i18n.text(Key::Originally)} {measure(&original)}
            </p>
        }
    });
    view! {
        <section class="record-part" data-test="record-conclusion">
            <h2>{i18n.text(Key::Conclusion)}</h2>
            <dl class="facts">
                <dt>{i18n.text(Key::Measure)}</dt>
                <dd
                    data-test="record-measure"
                    data-measure=corrected.measure.as_str()
                    data-corrected=changed.to_string()
                >
                    {measure(&corrected)}
                    {changed.then(|| view! { " " <span class="badge">{i18n.text(Key::Corrected)}</span> })}
                    {original_line}
                </dd>
                <dt>{i18n.text(Key::Motivation)}</dt>
                <dd data-test="record-motivation">{corrected.motivation.clone()}</dd>
            </dl>
        </section>
    }
}

/// What a follow-up inspection said of the inspection it follows up: per shortcoming (a
/// check by name, a finding), remedied or not.
#[component]
fn FollowUpAnswers(follows: FollowUpRecord) -> impl IntoView {
    let i18n = I18n::expect();
    let outcome = shared::rules::follow_up::tally(&follows.remedies);
    let summary = move || {
        i18n.t(Key::FollowUpSummary)
            .replace("{yes}", &outcome.remedied.to_string())
            .replace("{no}", &outcome.not_remedied.to_string())
    };
    let answers = follows
        .remedies
        .iter()
        .map(|r| {
            let what = match r.shortcoming {
                Shortcoming::Check(check) => belongs_to(i18n, Some(check)),
                Shortcoming::Finding(_) => i18n.t(Key::AFinding),
            };
            let (badge, word) = if r.remedied {
                ("badge pass", Key::Remedied)
            } else {
                ("badge fail", Key::NotRemedied)
            };
            view! {
                <li data-test="record-remedy" data-remedied=r.remedied.to_string()>
                    {what} " " <span class=badge>{i18n.text(word)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="record-part" data-test="record-follow-up">
            <h2>{i18n.text(Key::FollowUp)}</h2>
            <p>{summary}</p>
            <p class="small muted">{i18n.text(Key::FollowsInspection)} " " <code>{follows.inspection_id.to_string()}</code></p>
            <ul class="members">{answers}</ul>
        </section>
    }
}

#[component]
fn AmendmentList(amendments: Vec<RecordAmendment>) -> impl IntoView {
    let i18n = I18n::expect();
    (!amendments.is_empty()).then(|| {
        let items = amendments
            .into_iter()
            .map(|a| {
                let correction = a.correction().map(|_| {
                    let measure = a.measure.map(|m| {
                        let (nl, en) = m.names();
                        view! { {i18n.text(Key::MeasureLabel)} {move || i18n.pick(nl, en)} " " }
                    });
                    let deadline = a.deadline.map(|d| {
                        view! { {i18n.text(Key::DeadlineLabel)} {i18n::date(d)} }
                    });
                    view! { <p class="small" data-test="record-amendment-correction">"→ " {measure} {deadline}</p> }
                });
                view! {
                    <li data-test="record-amendment">
                        <p class="small muted">
                            {i18n::belgian_datetime(a.at)}
                            {a.author.map(|who| view! { " · " <span data-test="record-amendment-author">{who}</span> })}
                        </p>
                        <p>{a.text}</p>
                        {correction}
                    </li>
                }
            })
            .collect_view();
        view! {
            <section class="record-part" data-test="record-amendments">
                <h2>{i18n.text(Key::Amendments)}</h2>
                <ul class="members">{items}</ul>
            </section>
        }
    })
}
