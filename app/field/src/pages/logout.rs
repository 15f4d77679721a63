//! `/logout`: a logout that began in the office app while this device holds the field app's
//! data. The device logs out as from its own header: it empties the store, or warns about
//! unsent work and lets the user choose.

use crate::texts::FieldKey;
use app_core::i18n::I18n;
use app_core::router::Router;
use app_core::session::Session;
use leptos::prelude::*;

use crate::device::Device;

#[component]
pub fn LogoutPage() -> impl IntoView {
    let i18n = I18n::expect();
    let device = Device::expect();
    let session = Session::expect();
    let router = expect_context::<Router>();
    let started = StoredValue::new(false);
    Effect::new(move || {
        if !device.ready.get() {
            return;
        }
        if !started.get_value() {
            started.set_value(true);
            device.logout();
        }
        if session.user().is_none() {
            router.navigate("/login", true);
        }
    });
    view! {
        <main class="narrow">
            <p class="notice" role="status">{i18n.text(FieldKey::LoggingOut)}</p>
            <a class="button" href="/device">
                {i18n.text(FieldKey::ToDevice)}
            </a>
        </main>
    }
}
