//! Connection state: the online/offline badge in the header, and the notice shown above
//! data that came from the service worker's stored copy.

use leptos::prelude::*;

use crate::api::offline_copy_time;
use crate::i18n::{I18n, Key};
use crate::shell::Shell;

/// `navigator.onLine`, followed through the window's `online` and `offline` events, and
/// whether the last sync reached the server (a network may be up without the server).
#[component]
pub fn OnlineIndicator() -> impl IntoView {
    let i18n = I18n::expect();
    let unreachable = Shell::expect().unreachable;
    let network = RwSignal::new(window().navigator().on_line());
    let online = Signal::derive(move || network.get() && !unreachable.get());
    let up = window_event_listener(leptos::ev::online, move |_| network.set(true));
    let down = window_event_listener(leptos::ev::offline, move |_| network.set(false));
    on_cleanup(move || {
        up.remove();
        down.remove();
    });
    view! {
        <span
            class="net"
            class:online=move || online.get()
            class:offline=move || !online.get()
            role="status"
            data-test="net-status"
            data-online=move || online.get().to_string()
        >
            {move || i18n.t(if online.get() { Key::Online } else { Key::Offline })}
        </span>
    }
}

/// Says the data below are a stored copy, and from when (`Date` header of the copy).
#[component]
pub fn OfflineCopyNotice(fetched_at: String) -> impl IntoView {
    let i18n = I18n::expect();
    let at = offline_copy_time(&fetched_at);
    view! {
        <p class="notice offline-copy" role="status" data-test="offline-copy">
            {move || i18n.t(Key::OfflineCopy).replace("{time}", &at)}
        </p>
    }
}
