//! Choosing a new password, shown in place of every page while the server requires it (after
//! an admin's reset or `enclave-inspect user password`): the server refuses everything else
//! until `POST /api/auth/password` succeeds.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::{self, ApiFailure};
use crate::i18n::{I18n, Key};
use crate::session::Session;
use crate::shell::Shell;

/// The shortest password the server accepts.
const MIN_CHARS: usize = 10;

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let shell = Shell::expect();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let (c, n, a) = (
            current.get_untracked(),
            new.get_untracked(),
            again.get_untracked(),
        );
        if n.chars().count() < MIN_CHARS {
            error.set(Some(i18n.t(Key::PasswordTooShort).to_owned()));
            return;
        }
        if n != a {
            error.set(Some(i18n.t(Key::PasswordsDiffer).to_owned()));
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::change_password(session, c, n).await {
                Ok(()) => {
                    session.password_changed();
                    shell.password_changed.run(());
                }
                Err(ApiFailure::SignedOut) => {}
                Err(failure) => error.set(Some(failure.message(i18n))),
            }
            busy.set(false);
        });
    };

    view! {
        <main class="narrow">
            <h1>{i18n.text(Key::ChooseNewPassword)}</h1>
            <p class="muted">
                {i18n.text(Key::PasswordSetByAdmin)}
            </p>
            <form on:submit=submit data-test="change-password">
                <label for="current-password">{i18n.text(Key::CurrentPassword)}</label>
                <input id="current-password" type="password" autocomplete="current-password" required
                    data-test="password-current" bind:value=current />
                <label for="new-password">{i18n.text(Key::NewPassword)}</label>
                <input id="new-password" type="password" autocomplete="new-password" required
                    minlength=MIN_CHARS data-test="password-new" bind:value=new />
                <label for="new-password-again">{i18n.text(Key::NewPasswordAgain)}</label>
                <input id="new-password-again" type="password" autocomplete="new-password" required
                    data-test="password-again" bind:value=again />
                {move || error.get().map(|e| view! {
                    <p class="notice error" role="alert" data-test="password-error">{e}</p>
                })}
                <button type="submit" class="primary" data-test="password-submit" disabled=move || busy.get()>
                    {i18n.text(Key::ChangePassword)}
                </button>
            </form>
        </main>
    }
}
