//! The follow-up section of a draft that follows up an earlier measure: per shortcoming of
//! the earlier inspection (a failed check, a finding with its text), *verholpen* or *niet
//! verholpen*, neither chosen until the inspector answers.

use super::*;

/// The earlier inspection's shortcomings, each answered with two buttons.
#[component]
pub(super) fn FollowUpForm(ed: Editor) -> impl IntoView {
    let i18n = I18n::expect();
    let d = ed.draft;
    let Some(follows) = d.with_untracked(|d| d.follows.clone()) else {
        return ().into_any();
    };
    let (measure_nl, measure_en) = follows.measure.names();
    let heading = move || {
        i18n.t(FieldKey::FollowUpOf)
            .replace("{measure}", i18n.pick(measure_nl, measure_en))
            .replace("{date}", &i18n::date(follows.inspected_on))
            .replace("{due}", &i18n::date(follows.due))
    };
    let answer = move |i: usize| {
        d.with(|d| {
            d.follows
                .as_ref()
                .and_then(|f| f.answers.get(i))
                .and_then(|a| a.remedied)
        })
    };
    let set = move |i: usize, remedied: bool| {
        ed.edit(|d| {
            if let Some(a) = d.follows.as_mut().and_then(|f| f.answers.get_mut(i)) {
                a.remedied = Some(remedied);
            }
        });
    };
    let items = follows
        .answers
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let what = match a.item.shortcoming {
                Shortcoming::Check(CheckKind::ContractFiled) => {
                    i18n.t(FieldKey::CheckOneName).to_owned()
                }
                Shortcoming::Check(CheckKind::DailyRegistration) => {
                    i18n.t(FieldKey::CheckTwoName).to_owned()
                }
                Shortcoming::Check(CheckKind::SupervisorPresent) => {
                    i18n.t(FieldKey::CheckThreeName).to_owned()
                }
                Shortcoming::Finding(_) => format!("{}: {}", a.item.category, a.item.text),
            };
            view! {
                <li data-test="remedy">
                    <p>{what}</p>
                    <div class="answer">
                        <button class:chosen=move || answer(i) == Some(true)
                            aria-pressed=move || (answer(i) == Some(true)).to_string()
                            data-test="remedied" on:click=move |_| set(i, true)>
                            {i18n.text(FieldKey::Remedied)}
                        </button>
                        <button class:chosen=move || answer(i) == Some(false)
                            aria-pressed=move || (answer(i) == Some(false)).to_string()
                            data-test="not-remedied" on:click=move |_| set(i, false)>
                            {i18n.text(FieldKey::NotRemedied)}
                        </button>
                    </div>
                </li>
            }
        })
        .collect_view();
    view! {
        <p data-test="follow-up-of">{heading}</p>
        <p class="muted">{i18n.text(FieldKey::FollowUpQuestion)}</p>
        <ul class="members">{items}</ul>
    }
    .into_any()
}
