//! The draft form, top to bottom, and what submitting checks first.

use super::*;

#[component]
pub(super) fn DraftForm(draft: Draft) -> impl IntoView {
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
    let follows = d.with_untracked(|d| d.follows.is_some());

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
                    problems.try_set(vec![i18n::both(
                        FieldKey::SubmitStoringFailed,
                        &[("{error}", &e.0)],
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
            .confirm_with_message(i18n.t(FieldKey::DiscardQuestion))
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
                    i18n.t(FieldKey::ChecksFor)
                        .replace("{date}", &i18n::date(on))
                        .replace("{time}", &i18n::time(at))
                }}
            </p>
            <p class="muted small" data-test="draft-saved" data-saved=move || ed.saved.get().to_string()>
                {move || {
                    if ed.saved.get() {
                        i18n.t(FieldKey::SavedOnDevice)
                    } else {
                        i18n.t(FieldKey::Saving)
                    }
                }}
            </p>
        </header>

        {follows.then(|| view! {
            <section class="step" data-test="follow-up-step">
                <h2>{i18n.text(FieldKey::StepFollowUp)}</h2>
                <FollowUpForm ed />
            </section>
        })}

        <section class="step">
            <h2>{i18n.text(FieldKey::StepContract)}</h2>
            <CheckAnswerCard ed check=CheckKind::ContractFiled />
            <CheckAnswerCard ed check=CheckKind::DailyRegistration />
        </section>

        <section class="step" data-test="presence">
            <h2>{i18n.text(FieldKey::StepPresent)}</h2>
            <Presence ed />
            <CheckAnswerCard ed check=CheckKind::SupervisorPresent />
        </section>

        <section class="step">
            <h2>{i18n.text(FieldKey::StepInstructions)}</h2>
            <InstructionsForm ed />
        </section>

        <section class="step">
            <h2>{i18n.text(FieldKey::StepFindings)}</h2>
            <Findings ed />
        </section>

        <section class="step">
            <h2>{i18n.text(FieldKey::StepConclusion)}</h2>
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
                        i18n.t(FieldKey::Submitting)
                    } else {
                        i18n.t(FieldKey::Submit)
                    }
                }}
            </button>
            <button class="danger" data-test="discard" on:click=discard>
                {i18n.text(FieldKey::Discard)}
            </button>
        </div>
    }
}

/// Every unanswered question and problem of `draft` at `now` (the checks, how the work is
/// directed, the measure, and what the server checks), and its record when complete.
pub(super) fn check_draft(
    draft: &Draft,
    now: DateTime<Utc>,
) -> (Option<InspectionRecord>, Vec<(String, String)>) {
    let today = belgian_local(now).date();
    let mut found = draft.unanswered_remedies();
    found.extend(draft.unanswered_checks());
    found.extend(draft.unanswered_main_activity());
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
pub(super) fn missing_photos(draft: &Draft, missing: &[String]) -> Vec<(String, String)> {
    draft
        .findings
        .iter()
        .flat_map(|f| {
            f.photos
                .iter()
                .filter(|p| missing.contains(&p.sha256))
                .map(move |p| {
                    let sha = p.sha256.get(..12).unwrap_or(&p.sha256);
                    i18n::both(
                        FieldKey::FindingPhotoMissing,
                        &[("{photo}", sha), ("{finding}", &f.category)],
                    )
                })
        })
        .collect()
}
