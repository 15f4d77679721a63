//! The conclusion: the measure, its deadline and the motivation.

use super::*;

#[component]
pub(super) fn ConclusionForm(ed: Editor) -> impl IntoView {
    let i18n = I18n::expect();
    let d = ed.draft;
    let measures = [
        (Measure::Advice, "advice", FieldKey::MeasureAdvice),
        (Measure::Warning, "warning", FieldKey::MeasureWarning),
        (
            Measure::RegularisationOrder,
            "regularisation_order",
            FieldKey::MeasureRegularisationOrder,
        ),
        (
            Measure::ReportProposed,
            "report_proposed",
            FieldKey::MeasureReportProposed,
        ),
    ];
    let choices = measures
        .into_iter()
        .map(|(measure, value, text)| {
            view! {
                <label class="choice">
                    <input
                        type="radio"
                        name="measure"
                        data-test=format!("measure-{value}")
                        prop:checked=move || d.with(|d| d.measure == Some(measure))
                        on:change=move |_| ed.edit(|d| d.measure = Some(measure))
                    />
                    {i18n.text(text)}
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
            <legend>{i18n.text(Key::Measure)}</legend>
            {choices}
        </fieldset>
        <Show when=needs_deadline>
            <label>
                {i18n.text(FieldKey::Deadline)}
                <input
                    type="date"
                    data-test="deadline"
                    prop:value=move || d.with(|d| d.deadline.map(|x| x.to_string()).unwrap_or_default())
                    on:change=move |ev| {
                        let v = event_target_value(&ev).parse::<NaiveDate>().ok();
                        ed.edit(|d| d.deadline = v);
                    }
                />
            </label>
        </Show>
        <label>
            {i18n.text(FieldKey::MotivationRequired)}
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
