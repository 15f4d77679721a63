//! Enclave Inspect, the inspectors' PWA: Leptos, rendered in the browser, served by the
//! server from the files its build script embeds.
//!
//! - [`pages`]: login, search, the enclave page, the inspection form, the device page and the
//!   reviewers' queue and review page, the yearly overview, the admins' users, one per
//!   route of the [`router`]; the password change a reset requires comes before any page.
//! - [`components`]: header (with the sync indicator), connection state, verdict and result
//!   cards.
//! - [`device`]: the working set, drafts, outbox and sync engine; [`store`]: IndexedDB;
//!   [`draft`]: an inspection being recorded; [`photo`]: downscaling and hashing; [`file`]:
//!   saving as a file.
//! - [`api`]: the HTTP client of the server's JSON API; [`session`]: the tokens, and the user
//!   of a session the server ended (who keeps working from the device).
//! - [`i18n`]: Dutch and English.
//!
//! `static/` holds the shell (index.html, style.css, the service worker, manifest, icons).

mod api;
mod components;
mod device;
mod draft;
mod file;
mod i18n;
mod pages;
mod photo;
mod router;
mod session;
mod store;

use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::components::header::{Header, SessionEnded};
use crate::device::Device;
use crate::i18n::{I18n, Key};
use crate::pages::audit::AuditPage;
use crate::pages::device::DevicePage;
use crate::pages::enclave::EnclavePage;
use crate::pages::imports::ImportPage;
use crate::pages::inspection::InspectionPage;
use crate::pages::login::LoginPage;
use crate::pages::password::ChangePasswordPage;
use crate::pages::register::{ContractFormPage, RegisterPage};
use crate::pages::reports::ContractOverviewPage;
use crate::pages::review::{ReviewPage, ReviewQueuePage};
use crate::pages::search::{SearchPage, SearchState};
use crate::pages::statistics::StatisticsPage;
use crate::pages::users::UsersPage;
use crate::router::{Route, Router};
use crate::session::Session;

/// Entry point, run when the wasm module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    if let Some(boot) = document().get_element_by_id("boot") {
        boot.remove();
    }
    register_service_worker();
    leptos::mount::mount_to_body(App);
}

/// Registers `/sw.js` where the browser supports service workers (secure contexts only).
fn register_service_worker() {
    let navigator = window().navigator();
    if js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        // The promise is left alone: without a service worker the app still works online.
        let _ = navigator.service_worker().register("/sw.js");
    }
}

#[component]
fn App() -> impl IntoView {
    I18n::provide();
    let session = Session::provide();
    let router = Router::provide();
    provide_context(router);
    Device::provide(session);
    SearchState::provide();
    // Change only on login, logout and the end of a session, not on every token refresh.
    let signed_in = Memo::new(move |_| session.is_signed_in());
    let known = Memo::new(move |_| session.user().is_some());
    let must_change_password = Memo::new(move |_| session.must_change_password());
    // The pages that work from the device stay open to a user whose session ended.
    let allowed = move |route: &Route| {
        !route.needs_session() || signed_in.get() || (route.works_from_device() && known.get())
    };

    // Pages that need a session send anyone else to the login page, to come back after it;
    // a login sends the user on.
    Effect::new(move || match router.route() {
        Route::Login { next } if signed_in.get() => router.navigate(&next, true),
        route if !allowed(&route) => {
            let next = String::from(js_sys::encode_uri_component(&router.here()));
            router.navigate(&format!("/login?next={next}"), true);
        }
        _ => {}
    });

    let page = move || match router.route() {
        route if !allowed(&route) => ().into_any(),
        Route::Login { .. } if signed_in.get() => ().into_any(),
        Route::Login { .. } => view! { <LoginPage /> }.into_any(),
        // A password someone else set comes first: the server refuses everything else.
        _ if must_change_password.get() => view! { <ChangePasswordPage /> }.into_any(),
        Route::Search => view! { <SearchPage /> }.into_any(),
        Route::Enclave { id } => view! { <EnclavePage id /> }.into_any(),
        Route::Inspection { id } => view! { <InspectionPage id /> }.into_any(),
        Route::Device => view! { <DevicePage /> }.into_any(),
        Route::Review => view! { <ReviewQueuePage /> }.into_any(),
        Route::ReviewItem { id } => view! { <ReviewPage id /> }.into_any(),
        Route::ContractOverview { year } => view! { <ContractOverviewPage year /> }.into_any(),
        Route::Imports => view! { <ImportPage /> }.into_any(),
        Route::Statistics { year } => view! { <StatisticsPage year /> }.into_any(),
        Route::Register => view! { <RegisterPage /> }.into_any(),
        Route::ContractForm { id } => view! { <ContractFormPage id /> }.into_any(),
        Route::Audit => view! { <AuditPage /> }.into_any(),
        Route::Users => view! { <UsersPage /> }.into_any(),
        Route::NotFound => view! { <NotFound /> }.into_any(),
    };
    view! {
        <Header />
        <SessionEnded />
        {page}
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let i18n = I18n::expect();
    view! {
        <main>
            <p class="notice">{i18n.text(Key::NotFound)}</p>
            <a class="button" href="/">{i18n.text(Key::BackToSearch)}</a>
        </main>
    }
}
