//! Checks 1 and 2 (and 3's verdict): the computed verdict, confirmed or overridden with a note.

use super::*;

/// A computed verdict with the inspector's confirmation or override.
#[component]
pub(super) fn CheckAnswerCard(ed: Editor, check: CheckKind) -> impl IntoView {
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
                {i18n.text(FieldKey::ConfirmCheck)}
            </button>
            <button
                class:chosen=move || answer().override_status == Some(VerdictStatus::Pass)
                hidden=move || !offered(VerdictStatus::Pass)
                data-test=format!("override-pass-{name}")
                on:click=move |_| set_override(Some(VerdictStatus::Pass))
            >
                {i18n.text(FieldKey::InOrderAfterAll)}
            </button>
            <button
                class:chosen=move || answer().override_status == Some(VerdictStatus::Fail)
                hidden=move || !offered(VerdictStatus::Fail)
                data-test=format!("override-fail-{name}")
                on:click=move |_| set_override(Some(VerdictStatus::Fail))
            >
                {i18n.text(FieldKey::NotInOrderAfterAll)}
            </button>
        </div>
        <Show when=move || answer().override_status.is_some()>
            <label>
                {i18n.text(FieldKey::OverrideNote)}
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
