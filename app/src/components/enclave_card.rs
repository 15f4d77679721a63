//! One search result as a large tappable card that opens the enclave page.

use leptos::prelude::*;
use shared::dto::enclave::{EnclaveStatus, EnclaveSummary};

use crate::i18n::{self, I18n, Key};

#[component]
pub fn EnclaveCard(item: EnclaveSummary) -> impl IntoView {
    let i18n = I18n::expect();
    let site = item.site;
    let status = match item.status {
        EnclaveStatus::Active => None,
        EnclaveStatus::Suspended => Some(Key::StatusSuspended),
        EnclaveStatus::Ended => Some(Key::StatusEnded),
    };
    view! {
        <li>
            <a
                class="card"
                href=format!("/enclaves/{}", item.id)
                data-test="result-card"
                data-id=item.id.to_string()
            >
                <p class="title">
                    <span>{site.name}</span>
                    {item
                        .distance_km
                        .map(|d| {
                            view! {
                                <span class="distance" data-test="result-distance">
                                    {move || i18n::km(i18n.lang(), d)}
                                </span>
                            }
                        })}
                </p>
                <p class="line">
                    <strong>{i18n.text(Key::Host)} ": "</strong>
                    {item.host.name}
                </p>
                <p class="line">
                    <strong>{i18n.text(Key::Maatwerkbedrijf)} ": "</strong>
                    {item.maatwerkbedrijf.name}
                </p>
                <p class="line muted">
                    {format!("{}, {} {}", site.street, site.postcode, site.municipality)}
                </p>
                {status.map(|key| view! { <span class="badge">{i18n.text(key)}</span> })}
            </a>
        </li>
    }
}
