//! The login page. After a successful login the app sends the user on to where they were
//! heading (`?next=`), or to the search page.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::{self, ApiFailure};
use crate::i18n::{I18n, Key};
use crate::session::Session;

#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    // After a session ended, its user signs in again (anyone else may, too).
    let username = RwSignal::new(
        untrack(|| session.user())
            .map(|u| u.username)
            .unwrap_or_default(),
    );
    let password = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<ApiFailure>);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let (user, pass) = (username.get_untracked(), password.get_untracked());
        leptos::task::spawn_local(async move {
            match api::login(user, pass).await {
                Ok(tokens) => session.sign_in(tokens),
                Err(failure) => {
                    password.set(String::new());
                    error.set(Some(failure));
                }
            }
            busy.set(false);
        });
    };

    view! {
            <main class="narrow">
                <h1>{i18n.text(Key::LoginTitle)}</h1>
                <p class="muted">{i18n.text(Key::LoginIntro)}</p>
                <Show when=move || session.ended()>
                    <p class="notice" role="status">{i18n.text(Key::SessionExpired)}</p>
                </Show>
                <form on:submit=submit>
                    <label for="username">{i18n.text(Key::Username)}</label>
                    <input
                        id="username"
                        name="username"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        required
                        data-test="login-username"
                        bind:value=username
                    />
                    <label for="password">{i18n.text(Key::Password)}</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        data-test="login-password"
                        bind:value=password
                    />
                    {move || {
                        error
                            .get()
                            .map(|failure| {
                                view! {
                                    <p class="notice error" role="alert" data-test="login-error">
                                        {failure.message(i18n)}
                                    </p>
                                }
                            })
                    }}
                    <button
                        type="submit"
                        class="primary"
                        data-test="login-submit"
                        disabled=move || busy.get()
                    >
                        {move || i18n.t(if busy.get() { Key::SigningIn } else { Key::SignIn })}
                    </button>
                </form>
            </main>
    }
}
