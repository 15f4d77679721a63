//! Enclave Inspect's PWA, the part both apps share: the shell (header, login, the password
//! change a reset requires, routing between pages and between apps), the HTTP client of the
//! server's JSON API, the session, Dutch and English, and the widgets both apps show.
//!
//! The field app (`app/field`, for inspectors) and the office app (`app/office`, for
//! reviewers and department staff) each build to their own wasm bundle and call [`run`]
//! with their pages; see [`shell`] for which bundle a page load gets.
//!
//! - [`api`]: the server's JSON API; [`session`]: the tokens, and the user of a session the
//!   server ended (who keeps working from the device).
//! - [`router`]: the routes of both apps; [`shell`]: which app serves whom.
//! - [`components`]: header, connection state, verdict and record cards, problems.
//! - [`picture`]: photos on screen; [`pages`]: login and password change; [`i18n`]: Dutch and English; [`file`]: saving
//!   as a file.
//!
//! `app/static/` holds the shell's files (index.html, boot.js, style.css, the service
//! worker, manifest, icons).

pub mod api;
pub mod components;
pub mod file;
pub mod i18n;
pub mod pages;
pub mod picture;
pub mod router;
pub mod session;
pub mod shell;

use leptos::prelude::*;
use shared::dto::auth::Role;

use crate::components::header::{Header, SessionEnded};
use crate::i18n::{I18n, Key};
use crate::pages::login::LoginPage;
use crate::pages::password::ChangePasswordPage;
use crate::router::{Route, Router};
use crate::session::Session;
use crate::shell::{AppKind, Shell};

/// Starts an app: mounts the shell with `setup`'s additions and `page`'s pages. `page`
/// renders the routes of `kind` and `/` ([`Route::app`] is `kind` or none); the shell
/// handles the login, the password change and unknown paths, and loads the other app for
/// its routes.
pub fn run(
    kind: AppKind,
    setup: impl FnOnce(Session) -> Shell + 'static,
    page: impl Fn(Route) -> AnyView + Send + Sync + 'static,
) {
    if let Some(boot) = document().get_element_by_id("boot") {
        boot.remove();
    }
    register_service_worker(kind);
    leptos::mount::mount_to_body(move || {
        I18n::provide();
        let session = Session::provide();
        let router = Router::provide(kind, session);
        provide_context(router);
        let shell = setup(session);
        provide_context(shell);
        pages(router, session, page)
    });
}

/// Registers `/sw.js` where the browser supports service workers (secure contexts only),
/// and asks it to keep this app's files for offline use.
fn register_service_worker(kind: AppKind) {
    let navigator = window().navigator();
    if js_sys::Reflect::has(&navigator, &"serviceWorker".into()).unwrap_or(false) {
        // The promise is left alone: without a service worker the app still works online.
        let _ = navigator.service_worker().register("/sw.js");
        keep_offline(kind);
    }
}

/// Tells the service worker, once it is active, which app this device uses, so it keeps
/// that app's files (and no other app's) for offline starts.
fn keep_offline(kind: AppKind) {
    let container = window().navigator().service_worker();
    let Ok(ready) = container.ready() else { return };
    // Before the app mounts, so not on Leptos' executor.
    wasm_bindgen_futures::spawn_local(async move {
        let Ok(registration) = wasm_bindgen_futures::JsFuture::from(ready).await else {
            return;
        };
        let registration: web_sys::ServiceWorkerRegistration =
            wasm_bindgen::JsCast::unchecked_into(registration);
        if let Some(worker) = registration.active() {
            let message = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&message, &"keep".into(), &kind.code().into());
            let _ = worker.post_message(&message);
        }
    });
}

/// The pages: the shell's own, the app's, and a page load into the other app for its routes.
fn pages(
    router: Router,
    session: Session,
    page: impl Fn(Route) -> AnyView + Send + Sync + 'static,
) -> impl IntoView {
    let shell = Shell::expect();
    // Change only on login, logout and the end of a session, not on every token refresh.
    let signed_in = Memo::new(move |_| session.is_signed_in());
    let known = Memo::new(move |_| session.user().is_some());
    let role = Memo::new(move |_| session.user().map(|u| u.role));
    let must_change_password = Memo::new(move |_| session.must_change_password());
    // The pages that work from the device stay open to a user whose session ended.
    let allowed = move |route: &Route| {
        !route.needs_session() || signed_in.get() || (route.works_from_device() && known.get())
    };

    // Pages that need a session send anyone else to the login page, to come back after it;
    // a login sends the user on; a page the other app serves (`Router::app_serving`) loads
    // that app; `/` in the office app is the role's first page.
    Effect::new(move || match router.route() {
        Route::Login { next } if signed_in.get() => router.navigate(&next, true),
        route if !allowed(&route) => router.sign_in_and_return(true),
        route if router.app_serving(&route, role.get()) != shell.kind => router.reload_here(),
        Route::Search if shell.kind == AppKind::Office => match role.get() {
            Some(Role::Reviewer) => router.navigate("/review", true),
            Some(_) => router.navigate("/register", true),
            None => {}
        },
        _ => {}
    });

    let view = move || match router.route() {
        route if !allowed(&route) => ().into_any(),
        Route::Login { .. } if signed_in.get() => ().into_any(),
        Route::Login { .. } => view! { <LoginPage /> }.into_any(),
        // A password someone else set comes first: the server refuses everything else.
        _ if must_change_password.get() => view! { <ChangePasswordPage /> }.into_any(),
        Route::NotFound => view! { <NotFound /> }.into_any(),
        route if route.app().is_some_and(|app| app != shell.kind) => ().into_any(),
        route => page(route),
    };
    view! {
        <Header />
        <SessionEnded />
        {view}
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
