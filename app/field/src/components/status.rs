//! The field app's sync state: the indicator in the header, always on screen, the warning
//! shown instead of logging out while the device holds unsent work, and the badge of one
//! record's state in lists.

use crate::texts::FieldKey;
use app_core::i18n::{I18n, Key};
use app_core::session::Session;
use leptos::prelude::*;
use shared::rules::sync::OutboxState;

use crate::device::Device;

/// One indicator for everything the device still has to send; it links to the device page,
/// or to the inspection a reviewer returned. Until the device store is read it says so,
/// rather than "all synced"; while an inspection of the user is returned and not yet answered
/// by an amendment, it says so rather than "all synced".
#[component]
pub fn SyncIndicator() -> impl IntoView {
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
            .t(FieldKey::SyncAttention)
            .replace("{n}", &device.attention().to_string()),
        "loading" => i18n.t(FieldKey::SyncReadingDevice).to_owned(),
        "returned" => i18n
            .t(FieldKey::SyncReturned)
            .replace("{n}", &device.returned().len().to_string()),
        "sending" => i18n.t(FieldKey::SyncSending).to_owned(),
        "waiting" => i18n
            .t(FieldKey::SyncWaiting)
            .replace("{n}", &device.pending().to_string()),
        _ => i18n.t(FieldKey::SyncAllSynced).to_owned(),
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
pub fn LogoutWarning() -> impl IntoView {
    let i18n = I18n::expect();
    let device = Device::expect();
    let session = Session::expect();
    view! {
        <div class="notice error warning-panel" role="alertdialog" data-test="logout-warning">
            <p>
                {move || {
                    i18n
                        .t(FieldKey::LogoutUnsentWarning)
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
                        {i18n.text(FieldKey::SyncFirst)}
                    </button>
                </Show>
                <button data-test="logout-keep" on:click=move |_| device.logout_keeping_data()>
                    {i18n.text(FieldKey::LogoutKeepData)}
                </button>
                <button data-test="logout-cancel" on:click=move |_| device.logout_warning.set(false)>
                    {i18n.text(Key::Cancel)}
                </button>
            </div>
        </div>
    }
}

/// The sync state of a record, as a badge.
#[component]
pub fn SyncBadge(state: OutboxState) -> impl IntoView {
    let i18n = I18n::expect();
    let text = match state {
        OutboxState::Waiting => FieldKey::BadgeWaiting,
        OutboxState::Sending => FieldKey::BadgeSending,
        OutboxState::Synced => FieldKey::BadgeSynced,
        OutboxState::NeedsAttention => FieldKey::BadgeNeedsAttention,
    };
    view! {
        <span class=format!("badge sync-{}", state.as_str()) data-test="sync-state" data-state=state.as_str()>
            {i18n.text(text)}
        </span>
    }
}
