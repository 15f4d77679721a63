//! The bar at the top of every page: app name, connection state, the signed-in user with
//! the logout button, and the language switch.

use leptos::prelude::*;

use crate::api;
use crate::components::offline::OnlineIndicator;
use crate::i18n::{I18n, Key};
use crate::session::Session;

#[component]
pub fn Header() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Enclave Inspect"</a>
            <OnlineIndicator />
            <Show when=move || session.is_signed_in()>
                <span class="user" data-test="current-user">
                    {move || session.user().map(|u| u.display_name)}
                </span>
                <button data-test="logout" on:click=move |_| api::logout(session)>
                    {i18n.text(Key::Logout)}
                </button>
            </Show>
            <button
                class="lang"
                data-test="lang-switch"
                data-lang=move || i18n.lang().code()
                aria-label=move || i18n.t(Key::SwitchLanguage)
                on:click=move |_| i18n.toggle()
            >
                {move || i18n.lang().other().label()}
            </button>
        </header>
    }
}
