//! A submitted inspection: the record as sent, its sync state, the review's decision and the
//! amendments.

use super::*;

/// A submitted inspection: its sync state, the whole record as sent (with the corrections
/// and decisions known on this device), and the amendment form.
#[component]
pub(super) fn Submitted(id: Uuid) -> impl IntoView {
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
            amend_problems.set(vec![i18n::both(FieldKey::WriteCorrection, &[])]);
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
                                {i18n.text(FieldKey::Submitted)}
                            </p>
                            <p>
                                <SyncBadge state />
                            </p>
                            {problem.map(|(nl, en)| view! {
                                <p class="notice error" data-test="sync-problem">{move || i18n.pick(&nl, &en).to_owned()}</p>
                            })}
                            {review.map(|note| view! { <ReviewNotice note /> })}
                            {place(r.enclave_id)}
                            <div class="actions no-print">
                                <button data-test="print" on:click=move |_| { let _ = window().print(); }>
                                    {i18n.text(FieldKey::Print)}
                                </button>
                            </div>
                        </header>
                        <RecordView record=*r extras />
                    }
                })
        }}
        <Show when=move || !amendments().is_empty()>
            <h2>{i18n.text(FieldKey::SendingAmendments)}</h2>
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
            <h2>{i18n.text(FieldKey::AddAnAmendment)}</h2>
            <label>
                {i18n.text(FieldKey::AmendmentLegend)}
                <textarea
                    data-test="amendment-text"
                    prop:value=move || text.get()
                    on:input=move |ev| text.set(event_target_value(&ev))
                ></textarea>
            </label>
            <label>
                {i18n.text(FieldKey::CorrectMeasure)}
                <select
                    data-test="amendment-measure"
                    prop:value=move || measure.get().map_or("", Measure::as_str)
                    on:change=move |ev| measure.set(Measure::parse(&event_target_value(&ev)))
                >
                    <option value="">{i18n.text(FieldKey::UnchangedOption)}</option>
                    {Measure::ALL
                        .into_iter()
                        .map(|m| {
                            let (nl, en) = m.names();
                            view! { <option value=m.as_str()>{move || i18n.pick(nl, en)}</option> }
                        })
                        .collect_view()}
                </select>
            </label>
            <label>
                {i18n.text(FieldKey::CorrectDeadline)}
                <input
                    type="date"
                    data-test="amendment-deadline"
                    prop:value=move || deadline.get().map(|x| x.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        deadline.set(event_target_value(&ev).parse::<NaiveDate>().ok())
                    }
                />
            </label>
            <ProblemList problems=amend_problems test="amendment-problems" />
            <button data-test="add-amendment" on:click=amend>
                {i18n.text(FieldKey::AddAmendment)}
            </button>
        </section>
    }
}

/// The maatwerkbedrijf and the site's address, from the working set when it holds the
/// enclave: the printed report names who and where.
fn place(enclave: Uuid) -> Option<impl IntoView> {
    let i18n = I18n::expect();
    let e = Device::expect().enclave(enclave)?;
    let site = e.summary.site;
    Some(view! {
        <p class="muted" data-test="inspection-place">
            {i18n.text(FieldKey::Maatwerkbedrijf)} ": " {e.maatwerkbedrijf.name} " · "
            {site.street} ", " {site.postcode} " " {site.municipality}
        </p>
    })
}

/// The latest review decision: a return is shown prominently, with the reviewer's comment,
/// so the inspector answers it with an amendment.
#[component]
pub(super) fn ReviewNotice(note: ReviewNote) -> impl IntoView {
    let i18n = I18n::expect();
    let (class, text) = match note.state {
        ReviewState::Returned => ("notice error", FieldKey::ReviewReturned),
        ReviewState::Approved => ("notice", FieldKey::ReviewApproved),
        ReviewState::Submitted => ("notice", FieldKey::ReviewWaiting),
    };
    let comment = note.comment;
    view! {
        <div class=class role="status" data-test="review-state" data-state=note.state.as_str()>
            <p>{i18n.text(text)}</p>
            {(!comment.is_empty()).then(|| view! { <p data-test="review-comment">"“" {comment} "”"</p> })}
        </div>
    }
}
