//! The bar at the top of every page: app name, connection state, the pages the user's role
//! may use, the sync state (always on screen, announcing a returned inspection), the user with
//! the logout button, and the language switch; below it, the logout
//! warning when the device still holds unsynced work, and the notice that the session ended.

use leptos::prelude::*;

use crate::components::offline::OnlineIndicator;
use crate::device::Device;
use crate::i18n::{I18n, Key};
use crate::router::{Route, Router};
use crate::session::Session;
use shared::dto::auth::Role;

#[component]
pub fn Header() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let device = Device::expect();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Enclave Inspect"</a>
            <OnlineIndicator />
            <Show when=move || session.is_signed_in()>
                <Nav />
            </Show>
            <Show when=move || session.user().is_some()>
                <SyncIndicator />
                <span class="user" data-test="current-user">
                    {move || session.user().map(|u| u.display_name)}
                </span>
                <button data-test="logout" on:click=move |_| device.logout()>
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
        <Show when=move || device.logout_warning.get()>
            <LogoutWarning />
        </Show>
    }
}

/// The pages the user's role may use, and nothing else (the server's role checks): an
/// inspector searches and prepares for the field; a reviewer reviews, reads the overview, the
/// statistics and the register; an admin keeps the register, imports, reads the overview, the
/// statistics and the audit trail, and manages the users.
#[component]
fn Nav() -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let role = move || session.user().map(|u| u.role);
    let is = move |roles: &'static [Role]| move || role().is_some_and(|r| roles.contains(&r));
    view! {
        <nav class="nav-links" aria-label=move || i18n.pick("Hoofdmenu", "Main menu").to_owned()>
            <Show when=is(&[Role::Inspector])>
                <a class="button nav" href="/" data-test="nav-search">
                    {i18n.tr("Zoeken", "Search")}
                </a>
                <a class="button nav" href="/device" data-test="nav-prepare">
                    {i18n.tr("Voorbereiden op het terrein", "Prepare for the field")}
                </a>
            </Show>
            <Show when=is(&[Role::Reviewer])>
                <a class="button nav" href="/review" data-test="nav-review">
                    {i18n.tr("Beoordelen", "Review")}
                </a>
            </Show>
            <Show when=is(&[Role::Reviewer, Role::Admin])>
                <a class="button nav" href="/register" data-test="nav-register">
                    {i18n.tr("Register", "Register")}
                </a>
            </Show>
            <Show when=is(&[Role::Admin])>
                <a class="button nav" href="/imports" data-test="nav-imports">
                    {i18n.tr("Importeren", "Import")}
                </a>
                <a class="button nav" href="/users" data-test="nav-users">
                    {i18n.tr("Gebruikers", "Users")}
                </a>
            </Show>
            <Show when=is(&[Role::Reviewer, Role::Admin])>
                <a class="button nav" href="/reports/contracts" data-test="nav-overview">
                    {i18n.tr("Overzicht", "Overview")}
                </a>
                <a class="button nav" href="/reports/inspections" data-test="nav-statistics">
                    {i18n.tr("Statistiek", "Statistics")}
                </a>
            </Show>
            <Show when=is(&[Role::Admin])>
                <a class="button nav" href="/audit" data-test="nav-audit">
                    {i18n.tr("Audittrail", "Audit trail")}
                </a>
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
    let sign_in = move |_| {
        let next = String::from(js_sys::encode_uri_component(&router.here()));
        router.navigate(&format!("/login?next={next}"), false);
    };
    view! {
        <Show when=move || session.ended() && !matches!(router.route(), Route::Login { .. })>
            <div class="notice warning-panel" role="status" data-test="session-ended">
                <p>
                    {i18n.tr(
                        "Je sessie is beëindigd. Wat nog niet verzonden is, blijft op dit toestel en wordt verzonden zodra je je opnieuw aanmeldt.",
                        "Your session has ended. What has not been sent yet stays on this device and is sent as soon as you sign in again.",
                    )}
                </p>
                <button class="primary" data-test="session-ended-sign-in" on:click=sign_in>
                    {i18n.tr("Opnieuw aanmelden", "Sign in again")}
                </button>
            </div>
        </Show>
    }
}

/// One indicator for everything the device still has to send; it links to the device page,
/// or to the inspection a reviewer returned. Until the device store is read it says so,
/// rather than "all synced"; while an inspection of the user is returned and not yet answered
/// by an amendment, it says so rather than "all synced".
#[component]
fn SyncIndicator() -> impl IntoView {
    let i18n = I18n::expect();
    let device = Device::expect();
    let state = move || {
        if !device.ready.get() {
            "loading"
        } else if device.attention() > 0 {
            "attention"
        } else if device.syncing.get() && device.pending() > 0 {
            "sending"
        } else if !device.returned().is_empty() {
            "returned"
        } else if device.pending() > 0 {
            "waiting"
        } else {
            "synced"
        }
    };
    let text = move || match state() {
        "attention" => i18n
            .pick("⚠ {n} aandacht nodig", "⚠ {n} need attention")
            .replace("{n}", &device.attention().to_string()),
        "loading" => i18n.pick("… Toestel lezen", "… Reading device").to_owned(),
        "returned" => i18n
            .pick("↩ {n} teruggestuurd", "↩ {n} returned")
            .replace("{n}", &device.returned().len().to_string()),
        "sending" => i18n.pick("↻ Verzenden…", "↻ Sending…").to_owned(),
        "waiting" => i18n
            .pick("● {n} te verzenden", "● {n} to send")
            .replace("{n}", &device.pending().to_string()),
        _ => i18n.pick("✓ Alles verzonden", "✓ All synced").to_owned(),
    };
    let href = move || match device.returned().as_slice() {
        [only] if state() == "returned" => format!("/inspections/{only}"),
        _ => "/device".to_owned(),
    };
    // The link's name is its text; the status around it announces changes.
    view! {
        <span role="status" class="sync-status">
            <a
                class=move || format!("sync {}", state())
                href=href
                data-test="sync-indicator"
                data-state=state
            >
                {text}
            </a>
        </span>
    }
}

/// Shown instead of logging out while drafts or unsynced records are on the device.
#[component]
fn LogoutWarning() -> impl IntoView {
    let i18n = I18n::expect();
    let device = Device::expect();
    let session = Session::expect();
    view! {
        <div class="notice error warning-panel" role="alertdialog" data-test="logout-warning">
            <p>
                {move || {
                    i18n
                        .pick(
                            "Er staan nog {n} niet verzonden items op dit toestel (inspecties in opmaak of te verzenden). Afmelden wist niets: ze blijven bewaard tot ze verzonden zijn.",
                            "There are still {n} unsent items on this device (inspections in progress or waiting to send). Logging out deletes nothing: they are kept until they are sent.",
                        )
                        .replace("{n}", &device.unsynced().to_string())
                }}
            </p>
            <div class="actions">
                // Without a live session, sync waits for a sign-in.
                <Show when=move || session.is_signed_in()>
                    <button
                        class="primary"
                        data-test="logout-sync"
                        on:click=move |_| {
                            device.logout_warning.set(false);
                            device.sync();
                        }
                    >
                        {i18n.tr("Eerst synchroniseren", "Sync first")}
                    </button>
                </Show>
                <button data-test="logout-keep" on:click=move |_| device.logout_keeping_data()>
                    {i18n.tr("Toch afmelden, gegevens bewaren", "Log out, keep the data")}
                </button>
                <button data-test="logout-cancel" on:click=move |_| device.logout_warning.set(false)>
                    {i18n.tr("Annuleren", "Cancel")}
                </button>
            </div>
        </div>
    }
}
