//! A page's data from the server, through a Leptos resource: *Laden…* until it first arrives,
//! then the page's body with it, or why it could not be loaded. A `Transition`: when the
//! resource fetches again (a filter changed), the last answer stays until the next is there.

use leptos::prelude::*;

use crate::api::ApiFailure;
use crate::i18n::{I18n, Key};

/// Shows `body` with the data once `data` has it, *Laden…* before, or the failure's message.
/// `data` is a [`LocalResource`]: the browser's fetch is not `Send`.
pub fn loaded<T, V>(
    data: LocalResource<Result<T, ApiFailure>>,
    body: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + 'static,
    V: IntoView + 'static,
{
    let i18n = I18n::expect();
    view! {
        <Transition fallback=move || view! { <p class="notice">{i18n.text(Key::Loading)}</p> }>
            {move || {
                let body = body.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(value) => body(value).into_any(),
                        Err(f) => view! { <p class="notice error">{f.message(i18n)}</p> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
