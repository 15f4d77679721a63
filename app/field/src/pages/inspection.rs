//! The inspection page (`/inspections/:id`): a draft being recorded, or a submitted
//! inspection with its sync state and amendments.
//!
//! The draft form runs top to bottom as the inspector works on site: checks 1 and 2
//! (computed from the device's copy of the register, confirmed or overridden with a note),
//! check 3 (ticking who is present from the registration, adding people who are not in it,
//! the counts; the verdict follows every tick), how the work is directed, findings with
//! photos, and the conclusion. Every change is saved to the device store at once; a photo
//! with the draft that names it, in one transaction — when the device cannot keep it, the
//! draft stays as it was and the page says why. Submitting checks what the server checks.

use chrono::{DateTime, NaiveDate, Utc};
use leptos::prelude::*;
use shared::dto::inspection::{
    CheckKind, Correction, Finding, InspectionRecord, InstructionGiver, Measure, PhotoRef,
    Severity, UnregisteredPerson,
};
use shared::dto::registration::MemberRole;
use shared::dto::review::ReviewState;
use shared::dto::sync::SyncRecord;
use shared::rules::sync::OutboxState;
use shared::rules::time::belgian_local;
use shared::rules::verdict::VerdictStatus;
use shared::rules::{validate_correction, validate_inspection};
use uuid::Uuid;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

use crate::device::{Device, OutboxEntry, ReviewNote, Submission};
use crate::draft::Draft;
use crate::photo;
use crate::store::StoreError;
use app_core::components::problems::ProblemList;
use app_core::components::record::{
    Enlarged, Lightbox, PhotoThumb, RecordAmendment, RecordExtras, RecordView, belongs_to,
    severity_words,
};
use app_core::components::verdict::CheckCard;
use app_core::i18n::{self, I18n, Key};
use app_core::router::Router;
use app_core::session::Session;

/// The inspection `id` as the device knows it.
#[component]
pub fn InspectionPage(id: String) -> impl IntoView {
    let i18n = I18n::expect();
    let device = Device::expect();
    let id = Uuid::parse_str(&id).ok();
    // Changes only when the inspection moves from draft to submitted, so saving a draft or
    // a sync does not rebuild the form under the inspector's fingers.
    let kind = Memo::new(move |_| {
        if !device.ready.get() {
            return Kind::Loading;
        }
        let Some(id) = id else { return Kind::Missing };
        if device.drafts.with(|d| d.iter().any(|d| d.id == id)) {
            Kind::Draft(id)
        } else if device
            .outbox
            .with(|o| o.iter().any(|e| e.inspection_id == id))
        {
            Kind::Submitted(id)
        } else {
            Kind::Missing
        }
    });
    let page = move || match kind.get() {
        Kind::Loading => view! { <p class="notice">{i18n.text(Key::Loading)}</p> }.into_any(),
        Kind::Draft(id) => {
            let draft = device
                .drafts
                .with_untracked(|d| d.iter().find(|d| d.id == id).cloned());
            draft.map(|draft| view! { <DraftForm draft /> }).into_any()
        }
        Kind::Submitted(id) => view! { <Submitted id /> }.into_any(),
        Kind::Missing => view! {
            <p class="notice" data-test="inspection-missing">
                {i18n.tr(
                    "Deze inspectie staat niet op dit toestel.",
                    "This inspection is not on this device.",
                )}
            </p>
        }
        .into_any(),
    };
    view! {
        <main class="inspection">
            <a class="button back" href="/device">
                {i18n.tr("← Toestel en sync", "← Device and sync")}
            </a>
            {page}
        </main>
    }
}

/// What the page shows.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Loading,
    Draft(Uuid),
    Submitted(Uuid),
    Missing,
}

/// Changes the draft and saves it.
#[derive(Clone, Copy)]
struct Editor {
    draft: RwSignal<Draft>,
    device: Device,
    saved: RwSignal<bool>,
}

impl Editor {
    fn edit(self, f: impl FnOnce(&mut Draft)) {
        self.draft.update(f);
        // Gone when the page was left while a photo was being saved.
        let Some(draft) = self.draft.try_get_untracked() else {
            return;
        };
        self.saved.set(false);
        leptos::task::spawn_local(async move {
            let ok = self.device.save_draft(draft).await;
            self.saved.set(ok);
        });
    }
}

#[component]
fn DraftForm(draft: Draft) -> impl IntoView {
    let i18n = I18n::expect();
    let device = Device::expect();
    let router = expect_context::<Router>();
    let ed = Editor {
        draft: RwSignal::new(draft),
        device,
        saved: RwSignal::new(true),
    };
    let problems = RwSignal::new(Vec::<(String, String)>::new());
    // Once a submit was refused, the list follows every answer, so it empties as they come.
    let shown = RwSignal::new(false);
    let submitting = RwSignal::new(false);
    let d = ed.draft;
    Effect::new(move || {
        let found = d.with(|draft| check_draft(draft, Utc::now()).1);
        if shown.get_untracked() {
            problems.set(found);
        }
    });
    let (on, at) = d.with_untracked(|d| (d.on, d.at));
    let title = d.with_untracked(|d| crate::device::label(&d.enclave));

    let submit = move |_| {
        if submitting.get_untracked() {
            return;
        }
        let draft = d.get_untracked();
        let (record, found) = check_draft(&draft, Utc::now());
        let Some(record) = record.filter(|_| found.is_empty()) else {
            problems.set(found);
            shown.set(true);
            return;
        };
        problems.set(Vec::new());
        submitting.set(true);
        leptos::task::spawn_local(async move {
            match device.submit(&draft, record).await {
                // Already submitted (another tab, a reload): the page shows it as submitted.
                Submission::Queued | Submission::AlreadySubmitted => {
                    router.navigate(&format!("/inspections/{}", draft.id), true);
                }
                Submission::MissingPhotos(missing) => {
                    problems.try_set(missing_photos(&draft, &missing));
                }
                Submission::Failed(e) => {
                    problems.try_set(vec![(
                        format!(
                            "Indienen mislukt: de opslag op dit toestel faalde ({}).",
                            e.0
                        ),
                        format!(
                            "Submitting failed: storing on this device failed ({}).",
                            e.0
                        ),
                    )]);
                }
                // Gone: the page says it is not on this device. Busy: the first submit answers.
                Submission::DraftGone | Submission::Busy => {}
            }
            submitting.try_set(false);
        });
    };
    let discard = move |_| {
        let sure = window()
            .confirm_with_message(i18n.pick(
                "Deze inspectie weggooien? Dit kan niet ongedaan worden.",
                "Discard this inspection? This cannot be undone.",
            ))
            .unwrap_or(false);
        if sure {
            let id = d.with_untracked(|d| d.id);
            leptos::task::spawn_local(async move {
                if device.discard_draft(id).await {
                    router.navigate("/device", true);
                }
            });
        }
    };

    view! {
        <header>
            <h1 data-test="inspection-title">{title}</h1>
            <p class="muted">
                {move || {
                    i18n.t(Key::ChecksFor)
                        .replace("{date}", &i18n::date(on))
                        .replace("{time}", &i18n::time(at))
                }}
            </p>
            <p class="muted small" data-test="draft-saved" data-saved=move || ed.saved.get().to_string()>
                {move || {
                    if ed.saved.get() {
                        i18n.pick("✓ Bewaard op dit toestel", "✓ Saved on this device")
                    } else {
                        i18n.pick("Bewaren…", "Saving…")
                    }
                }}
            </p>
        </header>

        <section class="step">
            <h2>{i18n.tr("1. Contract en registratie", "1. Contract and registration")}</h2>
            <CheckAnswerCard ed check=CheckKind::ContractFiled />
            <CheckAnswerCard ed check=CheckKind::DailyRegistration />
        </section>

        <section class="step" data-test="presence">
            <h2>{i18n.tr("2. Wie is aanwezig?", "2. Who is present?")}</h2>
            <Presence ed />
            <CheckAnswerCard ed check=CheckKind::SupervisorPresent />
        </section>

        <section class="step">
            <h2>{i18n.tr("3. Wie geeft de instructies?", "3. Who gives the instructions?")}</h2>
            <InstructionsForm ed />
        </section>

        <section class="step">
            <h2>{i18n.tr("4. Vaststellingen", "4. Findings")}</h2>
            <Findings ed />
        </section>

        <section class="step">
            <h2>{i18n.tr("5. Conclusie", "5. Conclusion")}</h2>
            <ConclusionForm ed />
        </section>

        <ProblemList problems=problems test="problems" />
        <div class="actions">
            <button
                class="primary"
                data-test="submit"
                disabled=move || submitting.get()
                on:click=submit
            >
                {move || {
                    if submitting.get() {
                        i18n.pick("Indienen…", "Submitting…")
                    } else {
                        i18n.pick("Indienen", "Submit")
                    }
                }}
            </button>
            <button class="danger" data-test="discard" on:click=discard>
                {i18n.tr("Weggooien", "Discard")}
            </button>
        </div>
    }
}

/// Every unanswered question and problem of `draft` at `now` (the checks, how the work is
/// directed, the measure, and what the server checks), and its record when complete.
fn check_draft(
    draft: &Draft,
    now: DateTime<Utc>,
) -> (Option<InspectionRecord>, Vec<(String, String)>) {
    let today = belgian_local(now).date();
    let mut found = draft.unanswered_checks();
    let record = draft.record(now);
    // Without a measure the rest is checked as if it were advice (which needs no deadline),
    // so every other problem shows at the first try too.
    let shared_problems = record
        .clone()
        .or_else(|| {
            let mut advice = draft.clone();
            advice.measure = Some(Measure::Advice);
            advice.record(now)
        })
        .map(|record| validate_inspection(&record, today))
        .unwrap_or_default();
    found.extend(
        shared_problems
            .into_iter()
            .map(|p| (p.message_nl, p.message_en)),
    );
    if record.is_none() {
        found.push((
            "Kies een maatregel als conclusie.".to_owned(),
            "Choose a measure as the conclusion.".to_owned(),
        ));
    }
    (record, found)
}

/// The problems to show for photos of `draft` whose bytes are not on the device.
fn missing_photos(draft: &Draft, missing: &[String]) -> Vec<(String, String)> {
    draft
        .findings
        .iter()
        .flat_map(|f| {
            f.photos
                .iter()
                .filter(|p| missing.contains(&p.sha256))
                .map(move |p| {
                    let sha = p.sha256.get(..12).unwrap_or(&p.sha256);
                    (
                        format!(
                            "Foto {sha}… bij vaststelling „{}” ontbreekt op dit toestel. Verwijder ze en neem ze opnieuw.",
                            f.category
                        ),
                        format!(
                            "Photo {sha}… of finding “{}” is missing on this device. Remove it and take it again.",
                            f.category
                        ),
                    )
                })
        })
        .collect()
}

/// A computed verdict with the inspector's confirmation or override.
#[component]
fn CheckAnswerCard(ed: Editor, check: CheckKind) -> impl IntoView {
    let i18n = I18n::expect();
    let d = ed.draft;
    let (name, title) = match check {
        CheckKind::ContractFiled => ("contract_filed", Key::ContractFiled),
        CheckKind::DailyRegistration => ("daily_registration", Key::DailyRegistration),
        CheckKind::SupervisorPresent => ("supervisor_present", Key::SupervisorPresent),
    };
    let answer = move || d.with(|d| d.answer(check).clone());
    // An override is offered only where it changes something (still shown while chosen).
    let offered = move |status: VerdictStatus| {
        d.with(|d| d.verdict(check).status != status) || answer().override_status == Some(status)
    };
    let set_override = move |status: Option<VerdictStatus>| {
        ed.edit(|d| {
            let a = d.answer_mut(check);
            a.override_status = status;
            a.confirmed = status.is_none();
        });
    };
    view! {
        {move || view! { <CheckCard check=name title record=d.with(|d| d.check_record(check)) /> }}
        <div class="answer" data-test=format!("answer-{name}")>
            <button
                class:chosen=move || answer().confirmed
                data-test=format!("confirm-{name}")
                on:click=move |_| set_override(None)
            >
                {i18n.tr("✓ Bevestigen", "✓ Confirm")}
            </button>
            <button
                class:chosen=move || answer().override_status == Some(VerdictStatus::Pass)
                hidden=move || !offered(VerdictStatus::Pass)
                data-test=format!("override-pass-{name}")
                on:click=move |_| set_override(Some(VerdictStatus::Pass))
            >
                {i18n.tr("Toch in orde", "In order after all")}
            </button>
            <button
                class:chosen=move || answer().override_status == Some(VerdictStatus::Fail)
                hidden=move || !offered(VerdictStatus::Fail)
                data-test=format!("override-fail-{name}")
                on:click=move |_| set_override(Some(VerdictStatus::Fail))
            >
                {i18n.tr("Toch niet in orde", "Not in order after all")}
            </button>
        </div>
        <Show when=move || answer().override_status.is_some()>
            <label>
                {i18n.tr("Nota (verplicht bij afwijken)", "Note (required when overriding)")}
                <textarea
                    data-test=format!("note-{name}")
                    prop:value=move || answer().note
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        ed.edit(|d| d.answer_mut(check).note = v);
                    }
                ></textarea>
            </label>
        </Show>
    }
}

/// Ticking the registration, people not in it, and the counts.
#[component]
fn Presence(ed: Editor) -> impl IntoView {
    let i18n = I18n::expect();
    let d = ed.draft;
    let members = d.with_untracked(|d| d.registration().map(|r| r.members.clone()));
    let floating = d.with_untracked(|d| d.floating().to_vec());
    let list = match members {
        None => view! {
            <p class="notice" data-test="no-registration">{i18n.text(Key::NoRegistration)}</p>
        }
        .into_any(),
        Some(members) => {
            let rows = members
                .into_iter()
                .map(|m| {
                    let pid = m.person_id;
                    let ticked = move || d.with(|d| d.present.iter().any(|p| p.person_id == pid));
                    let role = match m.role {
                        MemberRole::Supervisor => Key::RoleSupervisor,
                        MemberRole::Worker => Key::RoleWorker,
                    };
                    let floats = floating.contains(&pid);
                    view! {
                        <li>
                            <label class="tick" data-test="present-person" data-role=m.role.as_str()>
                                <input
                                    type="checkbox"
                                    prop:checked=ticked
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        ed.edit(|d| d.set_present(pid, on));
                                    }
                                />
                                <span>
                                    <strong>{m.display_name}</strong>
                                    " "
                                    <span class="staff-ref" data-test="staff-ref">
                                        {i18n.tr("pers.nr. ", "staff no. ")}
                                        {m.company_reference}
                                    </span>
                                    " "
                                    <span class="badge">{i18n.text(role)}</span>
                                    {floats
                                        .then(|| {
                                            view! {
                                                " "
                                                <span class="badge warn" data-test="floating">
                                                    {i18n.tr(
                                                        "ook elders geregistreerd vandaag",
                                                        "also registered elsewhere today",
                                                    )}
                                                </span>
                                            }
                                        })}
                                </span>
                            </label>
                        </li>
                    }
                })
                .collect_view();
            view! { <ul class="ticks">{rows}</ul> }.into_any()
        }
    };

    let name = RwSignal::new(String::new());
    let role = RwSignal::new(MemberRole::Worker);
    let add = move |_| {
        let n = name.get_untracked().trim().to_owned();
        if n.is_empty() {
            return;
        }
        let stated_role = role.get_untracked();
        ed.edit(|d| {
            d.unregistered.push(UnregisteredPerson {
                name: n,
                stated_role,
            });
            d.recount();
        });
        name.set(String::new());
    };
    let unregistered = move || {
        d.with(|d| d.unregistered.clone())
            .into_iter()
            .enumerate()
            .map(|(i, u)| {
                let role = if u.stated_role == MemberRole::Supervisor {
                    Key::RoleSupervisor
                } else {
                    Key::RoleWorker
                };
                view! {
                    <li data-test="unregistered" data-role=u.stated_role.as_str()>
                        <strong>{u.name.clone()}</strong>
                        " "
                        <span class="badge warn">{i18n.tr("niet geregistreerd", "not registered")}</span>
                        " "
                        {i18n.tr("verklaart: ", "states: ")}
                        {i18n.text(role)}
                        " "
                        <button
                            class="small"
                            aria-label=move || format!("{} {}", i18n.pick("Verwijderen:", "Remove:"), u.name)
                            on:click=move |_| {
                                ed.edit(|d| {
                                    if i < d.unregistered.len() {
                                        d.unregistered.remove(i);
                                    }
                                    d.recount();
                                })
                            }
                        >
                            {i18n.tr("Verwijderen", "Remove")}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    // Counted from the ticks: only registered people of the maatwerkbedrijf count as its
    // workers and begeleiders; people not registered are counted apart.
    let counts = move || {
        d.with(|d| {
            (
                d.workers_present,
                d.supervisors_present,
                d.unregistered.len(),
            )
        })
    };
    view! {
        <p class="hint">
            {i18n.tr(
                "Vink aan wie je ter plaatse ziet.",
                "Tick everyone you see on site.",
            )}
        </p>
        {list}
        <h3>{i18n.tr("Niet geregistreerd, wel aan het werk", "Working but not registered")}</h3>
        <ul class="members">{unregistered}</ul>
        <div class="add-person">
            <label class="visually-hidden" for="unregistered-name">
                {i18n.tr("Naam van wie niet geregistreerd is", "Name of the person not registered")}
            </label>
            <input
                type="text"
                id="unregistered-name"
                data-test="unregistered-name"
                placeholder=move || i18n.pick("Naam zoals opgegeven", "Name as given")
                prop:value=move || name.get()
                on:input=move |ev| name.set(event_target_value(&ev))
            />
            <label class="visually-hidden" for="unregistered-role">
                {i18n.tr("Rol die de persoon opgeeft", "Role the person states")}
            </label>
            <select
                id="unregistered-role"
                data-test="unregistered-role"
                on:change=move |ev| {
                    role.set(
                        if event_target_value(&ev) == "supervisor" {
                            MemberRole::Supervisor
                        } else {
                            MemberRole::Worker
                        },
                    )
                }
            >
                <option value="worker">{i18n.text(Key::RoleWorker)}</option>
                <option value="supervisor">{i18n.text(Key::RoleSupervisor)}</option>
            </select>
            <button data-test="add-unregistered" on:click=add>
                {i18n.tr("Toevoegen", "Add")}
            </button>
        </div>
        <p class="counts" data-test="counts">
            <span data-test="count-workers">
                <output data-test="count">{move || counts().0}</output>
                " " {i18n.tr("geregistreerde doelgroepwerknemers", "registered target-group workers")}
            </span>
            " · "
            <span data-test="count-supervisors">
                <output data-test="count">{move || counts().1}</output>
                " " {i18n.tr("geregistreerde begeleiders", "registered supervisors")}
            </span>
            " · "
            <span data-test="count-unregistered">
                <output data-test="count">{move || counts().2}</output>
                " " {i18n.tr("niet geregistreerd (telt niet mee)", "not registered (not counted)")}
            </span>
        </p>
    }
}

#[component]
fn InstructionsForm(ed: Editor) -> impl IntoView {
    let i18n = I18n::expect();
    let d = ed.draft;
    let givers = [
        (
            InstructionGiver::Supervisor,
            "supervisor",
            "Alleen de begeleider",
            "Only the supervisor",
        ),
        (
            InstructionGiver::HostStaff,
            "host_staff",
            "Personeel van het gastbedrijf",
            "Host staff",
        ),
        (InstructionGiver::Both, "both", "Allebei", "Both"),
        (
            InstructionGiver::Unclear,
            "unclear",
            "Niet vast te stellen",
            "Cannot be established",
        ),
    ];
    let choices = givers
        .into_iter()
        .map(|(giver, value, nl, en)| {
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name="given_by"
                        data-test=format!("given-by-{value}")
                        prop:checked=move || d.with(|d| d.instructions.given_by == Some(giver))
                        on:change=move |_| ed.edit(|d| d.instructions.given_by = Some(giver))
                    />
                    {i18n.tr(nl, en)}
                </label>
            }
        })
        .collect_view();
    // A question answered yes or no; unanswered until the inspector picks one.
    let yes_no = move |host: bool| {
        let value = move || {
            d.with(|d| {
                if host {
                    d.instructions.host_assigns_tasks
                } else {
                    d.instructions.supervisor_whole_shift
                }
            })
        };
        let (name, nl, en) = if host {
            (
                "host_assigns_tasks",
                "Verdeelt of controleert het gastbedrijf zelf taken van de werknemers?",
                "Does the host assign or check the workers' tasks itself?",
            )
        } else {
            (
                "supervisor_whole_shift",
                "Is de begeleider de hele shift aanwezig?",
                "Is the supervisor present for the whole shift?",
            )
        };
        let option = move |answer: bool| {
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name=name
                        data-test=format!("{name}-{}", if answer { "yes" } else { "no" })
                        prop:checked=move || value() == Some(answer)
                        on:change=move |_| {
                            ed.edit(|d| {
                                if host {
                                    d.instructions.host_assigns_tasks = Some(answer);
                                } else {
                                    d.instructions.supervisor_whole_shift = Some(answer);
                                }
                            })
                        }
                    />
                    {if answer { i18n.tr("Ja", "Yes") } else { i18n.tr("Nee", "No") }}
                </label>
            }
        };
        view! {
            <fieldset class="choices" data-test=format!("question-{name}")>
                <legend>{i18n.tr(nl, en)}</legend>
                {option(true)}
                {option(false)}
            </fieldset>
        }
    };
    view! {
        <fieldset class="choices" data-test="question-given_by">
            <legend>
                {i18n.tr(
                    "Van wie krijgen de werknemers hun instructies?",
                    "From whom do the workers take instructions?",
                )}
            </legend>
            {choices}
        </fieldset>
        {yes_no(true)}
        {yes_no(false)}
        <label>
            {i18n.tr("Toelichting", "Note")}
            <textarea
                prop:value=move || d.with(|d| d.instructions.note.clone().unwrap_or_default())
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    ed.edit(|d| d.instructions.note = (!v.trim().is_empty()).then_some(v));
                }
            ></textarea>
        </label>
    }
}

#[component]
fn Findings(ed: Editor) -> impl IntoView {
    let i18n = I18n::expect();
    let d = ed.draft;
    let check = RwSignal::new(String::new());
    let category = RwSignal::new(String::new());
    let severity = RwSignal::new(None::<Severity>);
    let text = RwSignal::new(String::new());
    let missing = RwSignal::new(Vec::<(String, String)>::new());
    let add = move |_| {
        let (c, t) = (category.get_untracked(), text.get_untracked());
        let mut found = Vec::new();
        if c.trim().is_empty() {
            found.push((
                "Vul een categorie in.".to_owned(),
                "Fill in a category.".to_owned(),
            ));
        }
        let Some(sev) = severity.get_untracked() else {
            found.push((
                "Kies de ernst.".to_owned(),
                "Choose the severity.".to_owned(),
            ));
            missing.set(found);
            return;
        };
        if t.trim().is_empty() {
            found.push((
                "Beschrijf wat je vaststelt.".to_owned(),
                "Describe what you find.".to_owned(),
            ));
        }
        missing.set(found.clone());
        if !found.is_empty() {
            return;
        }
        let finding = Finding {
            id: Uuid::new_v4(),
            check: match check.get_untracked().as_str() {
                "contract_filed" => Some(CheckKind::ContractFiled),
                "daily_registration" => Some(CheckKind::DailyRegistration),
                "supervisor_present" => Some(CheckKind::SupervisorPresent),
                _ => None,
            },
            category: c.trim().to_owned(),
            severity: sev,
            text: t.trim().to_owned(),
            photos: Vec::new(),
        };
        ed.edit(|d| d.findings.push(finding));
        category.set(String::new());
        text.set(String::new());
        severity.set(None);
    };
    view! {
        // Keyed: a finding's item (its photo being saved, its messages) outlives other edits.
        <ul class="findings" data-test="findings">
            <For
                each=move || d.with(|d| d.findings.clone())
                key=|f| f.id
                children=move |finding| view! { <FindingItem ed finding /> }
            />
        </ul>
        <div class="finding-form">
            <label>
                {i18n.tr("Hoort bij", "Belongs to")}
                <select data-test="finding-check" on:change=move |ev| check.set(event_target_value(&ev))>
                    <option value="">{i18n.tr("Algemeen", "General")}</option>
                    <option value="contract_filed">{i18n.text(Key::ContractFiled)}</option>
                    <option value="daily_registration">{i18n.text(Key::DailyRegistration)}</option>
                    <option value="supervisor_present">{i18n.text(Key::SupervisorPresent)}</option>
                </select>
            </label>
            <label>
                {i18n.tr("Categorie", "Category")}
                <input
                    type="text"
                    list="finding-categories"
                    data-test="finding-category"
                    prop:value=move || category.get()
                    on:input=move |ev| category.set(event_target_value(&ev))
                />
                <datalist id="finding-categories">
                    <option value="Registratie"></option>
                    <option value="Begeleiding"></option>
                    <option value="Instructies / terbeschikkingstelling"></option>
                    <option value="Contract"></option>
                    <option value="Veiligheid"></option>
                </datalist>
            </label>
            <label>
                {i18n.tr("Ernst", "Severity")}
                <select
                    data-test="finding-severity"
                    prop:value=move || match severity.get() {
                        Some(Severity::Low) => "low",
                        Some(Severity::Medium) => "medium",
                        Some(Severity::High) => "high",
                        None => "",
                    }
                    on:change=move |ev| {
                        severity.set(match event_target_value(&ev).as_str() {
                            "low" => Some(Severity::Low),
                            "medium" => Some(Severity::Medium),
                            "high" => Some(Severity::High),
                            _ => None,
                        })
                    }
                >
                    <option value="">{i18n.tr("— kies —", "— choose —")}</option>
                    <option value="low">{i18n.tr("Laag", "Low")}</option>
                    <option value="medium">{i18n.tr("Middel", "Medium")}</option>
                    <option value="high">{i18n.tr("Hoog", "High")}</option>
                </select>
            </label>
            <label>
                {i18n.tr("Wat stel je vast?", "What do you find?")}
                <textarea
                    data-test="finding-text"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
            </label>
            <ProblemList problems=missing test="finding-problems" />
            <button data-test="add-finding" on:click=add>
                {i18n.tr("Vaststelling toevoegen", "Add finding")}
            </button>
        </div>
    }
}

#[component]
fn FindingItem(ed: Editor, finding: Finding) -> impl IntoView {
    let i18n = I18n::expect();
    let fid = finding.id;
    let check = finding.check;
    let busy = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let save_failed = RwSignal::new(None::<StoreError>);
    let stored = RwSignal::new(0_u32);
    let on_photo = move |ev: leptos::ev::Event| {
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        busy.set(true);
        failed.set(false);
        save_failed.set(None);
        leptos::task::spawn_local(async move {
            match photo::process(file).await {
                Ok(p) => add_photo(ed, fid, p, save_failed, stored).await,
                Err(_) => {
                    failed.try_set(true);
                }
            }
            busy.try_set(false);
        });
    };
    let enlarged = RwSignal::new(None::<Enlarged>);
    // The finding's photos: the thumbnails are redrawn when they change, not at every edit
    // of the draft.
    let list = Memo::new(move |_| {
        ed.draft.with(|d| {
            d.findings
                .iter()
                .find(|f| f.id == fid)
                .map(|f| f.photos.clone())
                .unwrap_or_default()
        })
    });
    let photos = move || {
        // Again once a photo's bytes are stored: they reach the device store after its
        // reference.
        stored.track();
        list.get()
            .into_iter()
            .enumerate()
            .map(|(i, p)| {
                let sha = p.sha256.clone();
                let remove = move |_| {
                    ed.edit(|d| {
                        if let Some(f) = d.findings.iter_mut().find(|f| f.id == fid) {
                            f.photos.retain(|x| x.sha256 != sha);
                        }
                    })
                };
                let n = i + 1;
                let key = p.sha256.clone();
                view! {
                    <li class="photo" data-test="photo" data-sha256=key>
                        <PhotoThumb photo=p n session=None enlarged />
                        <button class="small remove-photo" data-test="remove-photo" on:click=remove>
                            {move || i18n.pick(&format!("✕ Foto {n} verwijderen"), &format!("✕ Remove photo {n}")).to_owned()}
                        </button>
                    </li>
                }
            })
            .collect_view()
    };
    let save_failure = move || {
        save_failed.get().map(|e| {
            let quota = e.is_quota_exceeded();
            view! {
                <p
                    class="notice error"
                    role="alert"
                    data-test="photo-save-failed"
                    data-reason=if quota { "quota" } else { "store" }
                >
                    {move || {
                        if quota {
                            i18n.pick(
                                    "De foto kon niet bewaard worden: het toestel is vol.",
                                    "The photo could not be saved: the device storage is full.",
                                )
                                .to_owned()
                        } else {
                            i18n.pick(
                                    "De foto kon niet bewaard worden op dit toestel: {error}",
                                    "The photo could not be saved on this device: {error}",
                                )
                                .replace("{error}", &e.0)
                        }
                    }}
                </p>
            }
        })
    };
    view! {
        <li data-test="finding">
            <p>
                <span class="badge">
                    {i18n.tr("Ernst: ", "Severity: ")}
                    {
                        let (nl, en) = severity_words(finding.severity);
                        i18n.tr(nl, en)
                    }
                </span>
                " "
                <strong>{finding.category}</strong>
                " · "
                <span data-test="finding-belongs-to">{move || belongs_to(i18n, check)}</span>
            </p>
            <p>{finding.text}</p>
            <ul class="photos thumbs">{photos}</ul>
            <Lightbox enlarged />
            <label class="button">
                {i18n.tr("Foto toevoegen", "Add photo")}
                <input
                    type="file"
                    accept="image/*"
                    capture="environment"
                    class="visually-hidden"
                    data-test="photo-input"
                    on:change=on_photo
                />
            </label>
            <Show when=move || busy.get()>
                <span class="muted" data-test="photo-busy">{i18n.tr("Foto verwerken…", "Processing photo…")}</span>
            </Show>
            <Show when=move || failed.get()>
                <span class="notice error">{i18n.tr("Deze foto kon niet gelezen worden.", "This photo could not be read.")}</span>
            </Show>
            {save_failure}
            <button
                class="small"
                on:click=move |_| ed.edit(|d| d.findings.retain(|f| f.id != fid))
            >
                {i18n.tr("Vaststelling verwijderen", "Remove finding")}
            </button>
        </li>
    }
}

/// Adds photo `p` to the finding `fid` and saves its bytes with the draft, in one
/// transaction. If that fails, the draft goes back to what is saved — without the photo —
/// and `save_failed` says why. Once stored, `stored` counts one more.
async fn add_photo(
    ed: Editor,
    fid: Uuid,
    p: photo::Photo,
    save_failed: RwSignal<Option<StoreError>>,
    stored: RwSignal<u32>,
) {
    let sha = p.sha256.clone();
    let mut added = false;
    ed.draft.update(|d| {
        if let Some(f) = d.findings.iter_mut().find(|f| f.id == fid)
            && !f.photos.iter().any(|x| x.sha256 == sha)
        {
            f.photos.push(PhotoRef {
                sha256: sha.clone(),
                content_type: p.content_type.to_owned(),
                bytes: p.bytes.len() as u64,
            });
            added = true;
        }
    });
    // The page may have been left while the photo was processed.
    let (Some(draft), Some(was_saved)) =
        (ed.draft.try_get_untracked(), ed.saved.try_get_untracked())
    else {
        return;
    };
    ed.saved.set(false);
    let id = draft.id;
    match ed.device.save_photo(draft, p.sha256, p.bytes).await {
        Ok(saved) => {
            ed.saved.set(saved);
            stored.try_update(|n| *n += 1);
        }
        Err(e) => {
            ed.saved.set(was_saved);
            if added {
                ed.draft.update(|d| {
                    if let Some(f) = d.findings.iter_mut().find(|f| f.id == fid) {
                        f.photos.retain(|x| x.sha256 != sha);
                    }
                });
                // A save of another change may have stored the reference meanwhile.
                let stored = ed.device.drafts.with_untracked(|all| {
                    all.iter()
                        .any(|d| d.id == id && d.photos().any(|x| x.sha256 == sha))
                });
                if stored {
                    ed.edit(|_| ());
                }
            }
            save_failed.try_set(Some(e));
        }
    }
}

#[component]
fn ConclusionForm(ed: Editor) -> impl IntoView {
    let i18n = I18n::expect();
    let d = ed.draft;
    let measures = [
        (
            Measure::Advice,
            "advice",
            "Informatie en advies",
            "Information and advice",
        ),
        (
            Measure::Warning,
            "warning",
            "Waarschuwing met termijn",
            "Warning with a deadline",
        ),
        (
            Measure::RegularisationOrder,
            "regularisation_order",
            "Bevel tot regularisatie",
            "Regularisation order",
        ),
        (
            Measure::ReportProposed,
            "report_proposed",
            "Proces-verbaal voorstellen",
            "Propose a report (proces-verbaal)",
        ),
    ];
    let choices = measures
        .into_iter()
        .map(|(measure, value, nl, en)| {
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name="measure"
                        data-test=format!("measure-{value}")
                        prop:checked=move || d.with(|d| d.measure == Some(measure))
                        on:change=move |_| ed.edit(|d| d.measure = Some(measure))
                    />
                    {i18n.tr(nl, en)}
                </label>
            }
        })
        .collect_view();
    let needs_deadline = move || {
        d.with(|d| {
            matches!(
                d.measure,
                Some(Measure::Warning | Measure::RegularisationOrder)
            )
        })
    };
    view! {
        <fieldset class="choices">
            <legend>{i18n.tr("Maatregel", "Measure")}</legend>
            {choices}
        </fieldset>
        <Show when=needs_deadline>
            <label>
                {i18n.tr("Termijn", "Deadline")}
                <input
                    type="date"
                    data-test="deadline"
                    prop:value=move || d.with(|d| d.deadline.map(|x| x.to_string()).unwrap_or_default())
                    on:change=move |ev| {
                        let v = NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d").ok();
                        ed.edit(|d| d.deadline = v);
                    }
                />
            </label>
        </Show>
        <label>
            {i18n.tr("Motivering (verplicht)", "Motivation (required)")}
            <textarea
                data-test="motivation"
                prop:value=move || d.with(|d| d.motivation.clone())
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    ed.edit(|d| d.motivation = v);
                }
            ></textarea>
        </label>
    }
}

/// A submitted inspection: its sync state, the whole record as sent (with the corrections
/// and decisions known on this device), and the amendment form.
#[component]
fn Submitted(id: Uuid) -> impl IntoView {
    let i18n = I18n::expect();
    let device = Device::expect();
    let entries = move || -> Vec<OutboxEntry> {
        device.outbox.with(|o| {
            o.iter()
                .filter(|e| e.inspection_id == id)
                .cloned()
                .collect()
        })
    };
    let inspection = move || {
        entries().into_iter().find_map(|e| match e.record {
            SyncRecord::Inspection(r) => Some((r, e.state, e.problem, e.label, e.review)),
            SyncRecord::Amendment(_) => None,
        })
    };
    let amendments = move || {
        entries()
            .into_iter()
            .filter_map(|e| match e.record {
                SyncRecord::Amendment(a) => Some((a, e.state)),
                SyncRecord::Inspection(_) => None,
            })
            .collect::<Vec<_>>()
    };
    let text = RwSignal::new(String::new());
    let measure = RwSignal::new(None::<Measure>);
    let deadline = RwSignal::new(None::<NaiveDate>);
    let amend_problems = RwSignal::new(Vec::<(String, String)>::new());
    let amend = move |_| {
        let t = text.get_untracked().trim().to_owned();
        if t.is_empty() {
            amend_problems.set(vec![(
                "Schrijf wat je rechtzet en waarom.".to_owned(),
                "Write what you correct and why.".to_owned(),
            )]);
            return;
        }
        let (m, dl) = (measure.get_untracked(), deadline.get_untracked());
        let correction = (m.is_some() || dl.is_some()).then_some(Correction {
            measure: m,
            deadline: dl,
        });
        // The corrected conclusion holds as a submitted one does, after earlier corrections.
        if let Some((record, ..)) = inspection() {
            let earlier: Vec<Correction> = amendments()
                .iter()
                .filter_map(|(a, _)| a.correction())
                .collect();
            let probe = shared::dto::inspection::AmendmentRecord {
                id: Uuid::nil(),
                inspection_id: id,
                base_version: 1,
                text: t.clone(),
                measure: m,
                deadline: dl,
                written_at: Utc::now(),
            };
            let found = validate_correction(&probe, &record, &earlier);
            if !found.is_empty() {
                amend_problems.set(
                    found
                        .into_iter()
                        .map(|p| (p.message_nl, p.message_en))
                        .collect(),
                );
                return;
            }
        }
        leptos::task::spawn_local(async move {
            match device.amend(id, t, correction).await {
                Ok(()) => {
                    text.try_set(String::new());
                    measure.try_set(None);
                    deadline.try_set(None);
                    amend_problems.try_set(Vec::new());
                }
                Err(problems) => {
                    amend_problems.try_set(problems);
                }
            }
        });
    };
    let session = Session::expect();
    let me = session.user().map(|u| u.display_name);
    view! {
        {move || {
            inspection()
                .map(|(r, state, problem, label, review)| {
                    let (on, at) = (r.on, r.at);
                    let me = me.clone();
                    let extras = RecordExtras {
                        amendments: amendments()
                            .iter()
                            .map(|(a, _)| RecordAmendment::from_record(a, me.clone()))
                            .collect(),
                        session: Some(session),
                    };
                    view! {
                        <header>
                            <h1 data-test="inspection-title">{label}</h1>
                            <p class="muted">
                                {i18n::date(on)} " " {i18n::time(at)} " · "
                                {i18n.tr("ingediend", "submitted")}
                            </p>
                            <p>
                                <SyncBadge state />
                            </p>
                            {problem.map(|(nl, en)| view! {
                                <p class="notice error" data-test="sync-problem">{move || i18n.pick(&nl, &en).to_owned()}</p>
                            })}
                            {review.map(|note| view! { <ReviewNotice note /> })}
                        </header>
                        <RecordView record=*r extras />
                    }
                })
        }}
        <Show when=move || !amendments().is_empty()>
            <h2>{i18n.tr("Verzending van rechtzettingen", "Sending amendments")}</h2>
        </Show>
        <ul class="members" data-test="amendments">
            {move || {
                amendments()
                    .into_iter()
                    .map(|(a, state)| {
                        view! {
                            <li data-test="amendment">
                                <span>{a.text}</span>
                                " "
                                <SyncBadge state />
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
        <section class="step amend" data-test="amend-form">
            <h2>{i18n.tr("Rechtzetting toevoegen", "Add an amendment")}</h2>
            <label>
                {i18n.tr(
                    "Rechtzetting (de oorspronkelijke inspectie blijft bewaard)",
                    "Amendment (the original inspection is kept)",
                )}
                <textarea
                    data-test="amendment-text"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
            </label>
            <label>
                {i18n.tr("Maatregel rechtzetten (optioneel)", "Correct the measure (optional)")}
                <select
                    data-test="amendment-measure"
                    prop:value=move || measure.get().map_or("", Measure::as_str)
                    on:change=move |ev| measure.set(Measure::parse(&event_target_value(&ev)))
                >
                    <option value="">{i18n.tr("— ongewijzigd —", "— unchanged —")}</option>
                    {Measure::ALL
                        .into_iter()
                        .map(|m| {
                            let (nl, en) = m.names();
                            view! { <option value=m.as_str()>{i18n.tr(nl, en)}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                {i18n.tr("Termijn rechtzetten (optioneel)", "Correct the deadline (optional)")}
                <input
                    type="date"
                    data-test="amendment-deadline"
                    prop:value=move || deadline.get().map(|x| x.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        deadline.set(NaiveDate::parse_from_str(&event_target_value(&ev), "%Y-%m-%d").ok())
                    }
                />
            </label>
            <ProblemList problems=amend_problems test="amendment-problems" />
            <button data-test="add-amendment" on:click=amend>
                {i18n.tr("Rechtzetting toevoegen", "Add amendment")}
            </button>
        </section>
    }
}

/// The latest review decision: a return is shown prominently, with the reviewer's comment,
/// so the inspector answers it with an amendment.
#[component]
fn ReviewNotice(note: ReviewNote) -> impl IntoView {
    let i18n = I18n::expect();
    let (class, nl, en) = match note.state {
        ReviewState::Returned => (
            "notice error",
            "Teruggestuurd door de reviewer. Antwoord met een rechtzetting hieronder.",
            "Returned by the reviewer. Answer with an amendment below.",
        ),
        ReviewState::Approved => (
            "notice",
            "✓ Goedgekeurd door de reviewer.",
            "✓ Approved by the reviewer.",
        ),
        ReviewState::Submitted => ("notice", "Wacht op review.", "Waiting for review."),
    };
    let comment = note.comment;
    view! {
        <div class=class role="status" data-test="review-state" data-state=note.state.as_str()>
            <p>{i18n.tr(nl, en)}</p>
            {(!comment.is_empty()).then(|| view! { <p data-test="review-comment">"“" {comment} "”"</p> })}
        </div>
    }
}

/// The sync state of a record, as a badge.
#[component]
pub fn SyncBadge(state: OutboxState) -> impl IntoView {
    let i18n = I18n::expect();
    let (nl, en) = match state {
        OutboxState::Waiting => ("wacht op verzending", "waiting to send"),
        OutboxState::Sending => ("wordt verzonden", "sending"),
        OutboxState::Synced => ("✓ verzonden", "✓ synced"),
        OutboxState::NeedsAttention => ("⚠ aandacht nodig", "⚠ needs attention"),
    };
    view! {
        <span class=format!("badge sync-{}", state.as_str()) data-test="sync-state" data-state=state.as_str()>
            {i18n.tr(nl, en)}
        </span>
    }
}
