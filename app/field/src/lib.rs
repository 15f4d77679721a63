//! Enclave Inspect's field app, the inspectors' PWA: search, the enclave page with the three
//! checks, the inspection form, the device page and the day's planning, all working without
//! a network from what the device holds. Runs in the shell of `app_core`.
//!
//! - [`pages`]: one per route of the field app.
//! - [`device`]: the working set, drafts, outbox and sync engine; [`store`]: IndexedDB;
//!   [`draft`]: an inspection being recorded; [`photo`]: downscaling and hashing;
//!   [`position`]: where the tablet is.
//! - [`components`]: the sync indicator and the logout warning in the header, the result
//!   cards of the search.
//! - [`texts`]: the app's table of interface texts, Dutch and English side by side.

mod components;
mod device;
mod draft;
mod pages;
mod photo;
mod position;
mod store;
mod texts;

use app_core::api::ApiFailure;
use app_core::pages::follow_ups::FollowUpsPage;
use app_core::picture::LocalPhotos;
use app_core::router::Route;
use app_core::shell::{AppKind, Shell};
use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::components::status::{LogoutWarning, SyncIndicator};
use crate::device::Device;
use crate::pages::device::DevicePage;
use crate::pages::enclave::EnclavePage;
use crate::pages::inspection::InspectionPage;
use crate::pages::logout::LogoutPage;
use crate::pages::planning::PlanningPage;
use crate::pages::search::{SearchPage, SearchState};
use crate::store::Store;

/// Entry point, run when the wasm module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    app_core::run(AppKind::Field, setup, page);
}

/// The device (store, working set, outbox, sync) and what it adds to the shell.
fn setup(session: app_core::session::Session) -> Shell {
    let device = Device::provide(session);
    SearchState::provide();
    provide_context(LocalPhotos(|sha256| {
        Box::pin(async move { store::bytes(Store::Photos, &sha256).await.ok().flatten() })
    }));
    Shell {
        kind: AppKind::Field,
        logout: Callback::new(move |()| device.logout()),
        password_changed: Callback::new(move |()| device.sync()),
        unreachable: Signal::derive(move || {
            device
                .failure
                .with(|f| f.as_ref() == Some(&ApiFailure::Offline))
        }),
        status: Some(ViewFn::from(|| view! { <SyncIndicator /> })),
        notices: Some(ViewFn::from(move || {
            view! {
                <Show when=move || device.logout_warning.get()>
                    <LogoutWarning />
                </Show>
            }
        })),
    }
}

/// The field app's pages.
fn page(route: Route) -> AnyView {
    match route {
        Route::Search => view! { <SearchPage /> }.into_any(),
        Route::Enclave { id } => view! { <EnclavePage id /> }.into_any(),
        Route::Inspection { id } => view! { <InspectionPage id /> }.into_any(),
        Route::Device => view! { <DevicePage /> }.into_any(),
        Route::Logout => view! { <LogoutPage /> }.into_any(),
        Route::FollowUps => view! { <FollowUpsPage /> }.into_any(),
        Route::Planning => view! { <PlanningPage /> }.into_any(),
        _ => ().into_any(),
    }
}
