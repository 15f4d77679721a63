//! The bar at the top of every page: app name, connection state, the pages the user's role
//! may use in this app and the switch to the other app, the app's status (the field app's
//! sync state, always on screen), the user with the logout button, and the language switch;
//! below it, the app's notices and the notice that the session ended.

use leptos::prelude::*;

use crate::components::offline::OnlineIndicator;
use crate::i18n::{I18n, Key};
use crate::router::{Route, Router};
use crate::session::Session;
use crate::shell::{self, AppKind, Shell};
use shared::dto::auth::Role;

#[component]
pub fn Header() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let shell = Shell::expect();
    let logout = shell.logout;
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Enclave Inspect"</a>
            <OnlineIndicator />
            <Show when=move || session.is_signed_in()>
                <Nav />
            </Show>
            <Show when=move || session.user().is_some()>
                {shell.status.clone().map(|status| status.run())}
                <span class="user" data-test="current-user">
                    {move || session.user().map(|u| u.display_name)}
                </span>
                <button data-test="logout" on:click=move |_| logout.run(())>
                    {i18n.text(Key::Logout)}
                </button>
            </Show>
            // The accessible name starts with the visible "EN"/"NL" (WCAG 2.5.3).
            <button
                class="lang"
                data-test="lang-switch"
                data-lang=move || i18n.lang().code()
                aria-label=move || {
                    format!("{} – {}", i18n.lang().other().label(), i18n.t(Key::SwitchLanguage))
                }
                on:click=move |_| i18n.toggle()
            >
                <span lang=move || i18n.lang().other().code()>
                    {move || i18n.lang().other().label()}
                </span>
            </button>
        </header>
        {shell.notices.map(|notices| notices.run())}
    }
}

/// The pages of this app the user's role may use, and nothing else (the server's role
/// checks), and the switch to the other app for a role that may use it. In the field app
/// everyone searches, prepares for the field and plans the day's visits, and an inspector follows up their measures.
/// In the office app a reviewer reviews, follows up everyone's measures, reads the overview,
/// the statistics and the register; an admin follows up measures too, keeps the register, imports, reads
/// the overview, the statistics and the audit trail, and manages the users.
#[component]
fn Nav() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let kind = Shell::expect().kind;
    let role = move || session.user().map(|u| u.role);
    let is = move |roles: &'static [Role]| {
        move || kind == AppKind::Office && role().is_some_and(|r| roles.contains(&r))
    };
    let other = kind.other();
    let may_switch = move || role().is_some_and(|r| other.allows(r));
    view! {
        <nav class="nav-links" aria-label=move || i18n.t(Key::MainMenu).to_owned()>
            <Show when=move || kind == AppKind::Field>
                <a class="button nav" href="/" data-test="nav-search">
                    {i18n.text(Key::Search)}
                </a>
                <a class="button nav" href="/device" data-test="nav-prepare">
                    {i18n.text(Key::PrepareForField)}
                </a>
                <a class="button nav" href="/planning" data-test="nav-planning">
                    {i18n.text(Key::Planning)}
                </a>
            </Show>
            <Show when=move || kind == AppKind::Field && role() == Some(Role::Inspector)>
                <a class="button nav" href="/follow-ups" data-test="nav-follow-ups">
                    {i18n.text(Key::FollowUps)}
                </a>
            </Show>
            <Show when=is(&[Role::Reviewer])>
                <a class="button nav" href="/review" data-test="nav-review">
                    {i18n.text(Key::Review)}
                </a>
            </Show>
            <Show when=is(&[Role::Reviewer, Role::Admin])>
                <a class="button nav" href="/follow-ups" data-test="nav-follow-ups">
                    {i18n.text(Key::FollowUps)}
                </a>
            </Show>
            <Show when=is(&[Role::Reviewer, Role::Admin])>
                <a class="button nav" href="/register" data-test="nav-register">
                    {i18n.text(Key::Register)}
                </a>
            </Show>
            <Show when=is(&[Role::Admin])>
                <a class="button nav" href="/imports" data-test="nav-imports">
                    {i18n.text(Key::Import)}
                </a>
                <a class="button nav" href="/users" data-test="nav-users">
                    {i18n.text(Key::Users)}
                </a>
            </Show>
            <Show when=is(&[Role::Reviewer, Role::Admin])>
                <a class="button nav" href="/reports/contracts" data-test="nav-overview">
                    {i18n.text(Key::Overview)}
                </a>
                <a class="button nav" href="/reports/inspections" data-test="nav-statistics">
                    {i18n.text(Key::Statistics)}
                </a>
            </Show>
            <Show when=is(&[Role::Admin])>
                <a class="button nav" href="/audit" data-test="nav-audit">
                    {i18n.text(Key::AuditTrail)}
                </a>
            </Show>
            <Show when=may_switch>
                <button class="nav switch" data-test="switch-app" data-app=other.code()
                    on:click=move |_| shell::switch_to(other)>
                    {match other {
                        AppKind::Field => i18n.text(Key::ToTheField),
                        AppKind::Office => i18n.text(Key::ToTheOffice),
                    }}
                </button>
            </Show>
        </nav>
    }
}

/// Shown while the server has ended the session of the user still on the device: what is not
/// on the server yet stays (the rest of what the device held of people is gone), and sync
/// waits until they sign in again.
#[component]
pub fn SessionEnded() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let router = expect_context::<Router>();
    let sign_in = move |_| router.sign_in_and_return(false);
    view! {
        <Show when=move || session.ended() && !matches!(router.route(), Route::Login { .. })>
            <div class="notice warning-panel" role="status" data-test="session-ended">
                <p>
                    {i18n.text(Key::SessionEnded)}
                </p>
                <button class="primary" data-test="session-ended-sign-in" on:click=sign_in>
                    {i18n.text(Key::SignInAgain)}
                </button>
            </div>
        </Show>
    }
}
