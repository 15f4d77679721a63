//! One search result as a large tappable card that opens the enclave page, with the verdicts
//! of checks 1 and 2 as small badges (a word and a symbol, not colour alone) when the server
//! gave them.

use leptos::prelude::*;
use shared::dto::enclave::{EnclaveStatus, EnclaveSummary};
use shared::rules::verdict::{Verdict, VerdictStatus};

use crate::texts::FieldKey;
use app_core::i18n::{self, I18n, Key};

#[component]
pub fn EnclaveCard(item: EnclaveSummary) -> impl IntoView {
    let i18n = I18n::expect();
    let site = item.site;
    let status = match item.status {
        EnclaveStatus::Active => None,
        EnclaveStatus::Suspended => Some(FieldKey::StatusSuspended),
        EnclaveStatus::Ended => Some(FieldKey::StatusEnded),
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
                {item.checks.map(|c| view! {
                    <p class="line verdict-badges">
                        <VerdictBadge check="contract_filed" name=Key::ContractFiled verdict=c.contract_filed />
                        <VerdictBadge check="daily_registration" name=Key::DailyRegistration verdict=c.daily_registration />
                    </p>
                })}
            </a>
        </li>
    }
}

/// One check's verdict on a result card: "✓ Contract gemeld: In orde".
#[component]
fn VerdictBadge(check: &'static str, name: Key, verdict: Verdict) -> impl IntoView {
    let i18n = I18n::expect();
    let (class, symbol, key) = match verdict.status {
        VerdictStatus::Pass => ("badge pass", "✓", Key::VerdictPass),
        VerdictStatus::Fail => ("badge fail", "✗", Key::VerdictFail),
        VerdictStatus::Unknown => ("badge unknown", "?", Key::VerdictUnknown),
    };
    view! {
        <span class=class data-test=format!("result-{check}") data-status=verdict.status.as_str()>
            {symbol} " " {i18n.text(name)} ": " {i18n.text(key)}
        </span>
    }
}
