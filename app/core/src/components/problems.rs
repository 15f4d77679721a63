//! A list of problems (Dutch, English) in the current language, shown only when there are
//! some: what stops a submit or an amendment.

use leptos::prelude::*;

use crate::i18n::I18n;

/// The problems in `problems`, as an alert; `test` is its `data-test` name.
#[component]
pub fn ProblemList(problems: RwSignal<Vec<(String, String)>>, test: &'static str) -> impl IntoView {
    let i18n = I18n::expect();
    view! {
        <Show when=move || !problems.with(Vec::is_empty)>
            <div class="notice error" role="alert" data-test=test>
                <ul>
                    {move || {
                        problems
                            .get()
                            .into_iter()
                            .map(|(nl, en)| view! { <li>{move || i18n.pick(&nl, &en).to_owned()}</li> })
                            .collect_view()
                    }}
                </ul>
            </div>
        </Show>
    }
}
