//! Enclave Inspect's office app, for reviewers and department staff: review, the contract
//! register, imports, the yearly overview, statistics, users and the audit trail. It holds
//! nothing on the device (no store, drafts, photos or sync) and runs in the shell of
//! `app_core`. [`pages`] holds one module per route; [`texts`], the app's table of
//! interface texts, Dutch and English side by side.
//!
//! Logging out: when the field app left data on this device (a reviewer or admin who also
//! inspects), the logout goes through the field app, which empties the device store or warns
//! about unsent work ([`app_core::shell::FIELD_DATA_KEY`]).

mod pages;
mod texts;

use app_core::pages::follow_ups::FollowUpsPage;
use app_core::router::Route;
use app_core::shell::{self, AppKind, Shell};
use leptos::prelude::*;
use wasm_bindgen::prelude::wasm_bindgen;

use crate::pages::audit::AuditPage;
use crate::pages::imports::ImportPage;
use crate::pages::register::{ContractFormPage, RegisterPage};
use crate::pages::reports::ContractOverviewPage;
use crate::pages::review::{ReviewPage, ReviewQueuePage};
use crate::pages::statistics::StatisticsPage;
use crate::pages::users::UsersPage;

/// Entry point, run when the wasm module is instantiated.
#[wasm_bindgen(start)]
pub fn start() {
    app_core::run(AppKind::Office, setup, page);
}

fn setup(session: app_core::session::Session) -> Shell {
    Shell {
        kind: AppKind::Office,
        logout: Callback::new(move |()| shell::logout_without_device(session)),
        password_changed: Callback::new(|()| {}),
        unreachable: Signal::stored(false),
        status: None,
        notices: None,
    }
}

/// The office app's pages.
fn page(route: Route) -> AnyView {
    match route {
        Route::Review => view! { <ReviewQueuePage /> }.into_any(),
        Route::ReviewItem { id } => view! { <ReviewPage id /> }.into_any(),
        Route::ContractOverview { year } => view! { <ContractOverviewPage year /> }.into_any(),
        Route::Imports => view! { <ImportPage /> }.into_any(),
        Route::Statistics { year } => view! { <StatisticsPage year /> }.into_any(),
        Route::Register => view! { <RegisterPage /> }.into_any(),
        Route::ContractForm { id } => view! { <ContractFormPage id /> }.into_any(),
        Route::Audit => view! { <AuditPage /> }.into_any(),
        Route::Users => view! { <UsersPage /> }.into_any(),
        Route::FollowUps => view! { <FollowUpsPage /> }.into_any(),
        _ => ().into_any(),
    }
}
