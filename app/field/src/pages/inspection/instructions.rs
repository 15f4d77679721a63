//! How the work is directed: whether the team does the host's main activity (with the host's
//! NACE code and the enclave's activity beside the question), who gives the instructions, and
//! whether the begeleider stays the whole shift.

use super::*;

#[component]
pub(super) fn InstructionsForm(ed: Editor) -> impl IntoView {
    let i18n = I18n::expect();
    let d = ed.draft;
    let givers = [
        (
            InstructionGiver::Supervisor,
            "supervisor",
            FieldKey::GiverSupervisor,
        ),
        (
            InstructionGiver::HostStaff,
            "host_staff",
            FieldKey::GiverHostStaff,
        ),
        (InstructionGiver::Both, "both", FieldKey::GiverBoth),
        (InstructionGiver::Unclear, "unclear", FieldKey::GiverUnclear),
    ];
    let choices = givers
        .into_iter()
        .map(|(giver, value, text)| {
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name="given_by"
                        data-test=format!("given-by-{value}")
                        prop:checked=move || d.with(|d| d.instructions.given_by == Some(giver))
                        on:change=move |_| ed.edit(|d| d.instructions.given_by = Some(giver))
                    />
                    {i18n.text(text)}
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
        let (name, question) = if host {
            ("host_assigns_tasks", FieldKey::HostAssignsTasksQuestion)
        } else {
            (
                "supervisor_whole_shift",
                FieldKey::SupervisorWholeShiftQuestion,
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
                    {if answer { i18n.text(FieldKey::Yes) } else { i18n.text(FieldKey::No) }}
                </label>
            }
        };
        view! {
            <fieldset class="choices" data-test=format!("question-{name}")>
                <legend>{i18n.text(question)}</legend>
                {option(true)}
                {option(false)}
            </fieldset>
        }
    };
    let (nace, activity) = d.with_untracked(|d| {
        (
            d.enclave.host.nace_code.clone(),
            d.enclave.summary.activity.clone(),
        )
    });
    let main_activity = move |answer: bool| {
        view! {
            <label class="choice">
                <input
                    type="radio"
                    name="main_activity"
                    data-test=format!("main_activity-{}", if answer { "yes" } else { "no" })
                    prop:checked=move || d.with(|d| d.instructions.main_activity == Some(answer))
                    on:change=move |_| ed.edit(|d| d.instructions.main_activity = Some(answer))
                />
                {if answer { i18n.text(FieldKey::Yes) } else { i18n.text(FieldKey::No) }}
            </label>
        }
    };
    view! {
        <fieldset class="choices" data-test="question-main_activity">
            <legend>{i18n.text(FieldKey::MainActivityQuestion)}</legend>
            <dl class="facts small">
                <dt>{i18n.text(FieldKey::HostNace)}</dt>
                <dd data-test="host-nace">
                    {match nace {
                        Some(code) => code.into_any(),
                        None => i18n.text(FieldKey::NotInRegister).into_any(),
                    }}
                </dd>
                <dt>{i18n.text(FieldKey::EnclaveActivity)}</dt>
                <dd data-test="enclave-activity">{activity}</dd>
            </dl>
            {main_activity(true)}
            {main_activity(false)}
        </fieldset>
        <fieldset class="choices" data-test="question-given_by">
            <legend>
                {i18n.text(FieldKey::InstructionsFromWhom)}
            </legend>
            {choices}
        </fieldset>
        {yes_no(true)}
        {yes_no(false)}
        <label>
            {i18n.text(Key::Note)}
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
