//! The device page (`/device`): what is on this tablet and how fresh it is, "prepare for the
//! field", the drafts, and every record waiting, sent or needing attention. A record that
//! needs attention says why and can be sent again, rebased on the server's version (an
//! amendment in conflict) or saved as a file; so can an entry the app can no longer read.

use leptos::prelude::*;
use shared::dto::review::ReviewState;
use shared::dto::sync::SyncRecord;
use shared::rules::sync::OutboxState;

use crate::components::status::SyncBadge;
use crate::device::{Device, OutboxEntry};
use crate::store::{Broken, Store};
use app_core::api::ApiFailure;
use app_core::file;
use app_core::i18n::{self, I18n};
use app_core::session::Session;

#[component]
pub fn DevicePage() -> impl IntoView {
    let i18n = I18n::expect();
    let device = Device::expect();
    let session = Session::expect();
    let me = move || session.user().map(|u| u.id);

    let field = move || {
        match device.field_meta() {
        Some(meta) => view! {
            <dl class="facts" data-test="working-set" data-enclaves=meta.enclaves>
                <dt>{i18n.tr("Enclaves op dit toestel", "Enclaves on this device")}</dt>
                <dd data-test="working-set-count">{meta.enclaves}</dd>
                <dt>{i18n.tr("Registraties", "Registrations")}</dt>
                <dd>{i18n::date(meta.from)} " – " {i18n::date(meta.to)}</dd>
                <dt>{i18n.tr("Opgehaald", "Downloaded")}</dt>
                <dd>{i18n::belgian_datetime(meta.generated_at)}</dd>
            </dl>
        }
        .into_any(),
        None => view! {
            <p class="notice" data-test="working-set-empty">
                {i18n.tr(
                    "Er staan nog geen gegevens op dit toestel. Bereid je voor op het terrein terwijl je online bent.",
                    "There is no data on this device yet. Prepare for the field while you are online.",
                )}
            </p>
        }
        .into_any(),
    }
    };
    let prepare = move |_| {
        leptos::task::spawn_local(async move {
            device.prepare(None).await;
        });
    };

    let drafts = move || {
        device
            .my_drafts()
            .into_iter()
            .map(|d| {
                let href = format!("/inspections/{}", d.id);
                view! {
                    <li data-test="draft">
                        <a class="entry-link" href=href>{crate::device::label(&d.enclave)}</a>
                        <span class="muted small">" · " {i18n::date(d.on)} " " {i18n::time(d.at)}</span>
                    </li>
                }
            })
            .collect_view()
    };
    let outbox = move || {
        device
            .my_outbox()
            .into_iter()
            .rev()
            .map(|e| {
                let href = format!("/inspections/{}", e.inspection_id);
                let kind = match e.record {
                    SyncRecord::Inspection(_) => i18n.tr("Inspectie", "Inspection"),
                    SyncRecord::Amendment(_) => i18n.tr("Rechtzetting", "Amendment"),
                };
                view! {
                    <li data-test="outbox-entry" data-state=e.state.as_str() data-inspection=e.inspection_id.to_string()>
                        <a class="entry-link" href=href>{kind} ": " {e.label}</a>
                        " "
                        <SyncBadge state=e.state />
                        {e.review.filter(|r| r.state == ReviewState::Returned).map(|_| view! {
                            " "
                            <span class="badge sync-needs_attention" data-test="returned">
                                {i18n.tr("teruggestuurd", "returned")}
                            </span>
                        })}
                        {e.problem.map(|(nl, en)| view! {
                            <p class="notice error">{move || i18n.pick(&nl, &en).to_owned()}</p>
                        })}
                    </li>
                }
            })
            .collect_view()
    };
    let attention = move || {
        device
            .my_outbox()
            .into_iter()
            .filter(|e| e.state == OutboxState::NeedsAttention)
            .map(|entry| view! { <AttentionEntry entry /> })
            .collect_view()
    };
    let broken = move || {
        device
            .broken
            .get()
            .into_iter()
            .map(|entry| view! { <BrokenEntry entry /> })
            .collect_view()
    };
    let others = move || {
        let me = me();
        device.outbox.with(|o| {
            o.iter()
                .filter(|e| Some(e.owner) != me && e.state != OutboxState::Synced)
                .count()
        }) + device
            .drafts
            .with(|d| d.iter().filter(|d| Some(d.owner) != me).count())
    };

    view! {
        <main>
            <h1>{i18n.tr("Toestel en synchronisatie", "Device and sync")}</h1>
            <section class="step">
                <h2>{i18n.tr("Synchronisatie", "Sync")}</h2>
                <p data-test="sync-summary">
                    {move || {
                        let (p, a) = (device.pending(), device.attention());
                        match (p, a) {
                            (0, 0) => i18n.pick("Alles is verzonden.", "Everything is synced.").to_owned(),
                            _ => i18n
                                .pick(
                                    "{p} wachten op verzending, {a} hebben aandacht nodig.",
                                    "{p} waiting to send, {a} need attention.",
                                )
                                .replace("{p}", &p.to_string())
                                .replace("{a}", &a.to_string()),
                        }
                    }}
                </p>
                <p class="muted small">
                    {move || {
                        device
                            .last_sync
                            .get()
                            .map(|t| format!("{} {}", i18n.pick("Laatst gesynchroniseerd:", "Last synced:"), i18n::belgian_datetime(t)))
                    }}
                </p>
                {move || device.failure.get().map(|f| view! {
                    <p class="notice error" data-test="sync-failure">{failure_text(i18n, device, &f)}</p>
                })}
                {move || device.store_failure.get().map(|f| view! {
                    <p class="notice error" role="alert">
                        {i18n.tr("Opslag op dit toestel mislukt: ", "Storing on this device failed: ")}
                        {f}
                    </p>
                })}
                <button data-test="sync-now" disabled=move || device.syncing.get() on:click=move |_| device.sync()>
                    {i18n.tr("Nu synchroniseren", "Sync now")}
                </button>
            </section>
            <section class="step">
                <h2>{i18n.tr("Voorbereiden op het terrein", "Prepare for the field")}</h2>
                {field}
                <button class="primary" data-test="prepare" disabled=move || device.preparing.get() on:click=prepare>
                    {move || {
                        if device.preparing.get() {
                            i18n.pick("Bezig met ophalen…", "Downloading…")
                        } else {
                            i18n.pick("Gegevens van mijn regio ophalen", "Download my region's data")
                        }
                    }}
                </button>
            </section>
            <Show when=move || { device.attention() > 0 }>
                <section class="step" data-test="attention">
                    <h2>{i18n.tr("Aandacht nodig", "Needs attention")}</h2>
                    <ul class="members attention">{attention} {broken}</ul>
                </section>
            </Show>
            <section class="step">
                <h2>{i18n.tr("Inspecties in opmaak", "Inspections in progress")}</h2>
                <ul class="members" data-test="drafts">{drafts}</ul>
            </section>
            <section class="step">
                <h2>{i18n.tr("Verzonden en te verzenden", "Sent and to send")}</h2>
                <ul class="members" data-test="outbox">{outbox}</ul>
            </section>
            <Show when=move || { others() > 0 }>
                <p class="notice" data-test="other-users-data">
                    {move || {
                        i18n
                            .pick(
                                "{n} niet verzonden items van een andere gebruiker staan op dit toestel; ze worden verzonden wanneer die zich opnieuw aanmeldt.",
                                "{n} unsent items of another user are on this device; they are sent when that user signs in again.",
                            )
                            .replace("{n}", &others().to_string())
                    }}
                </p>
            </Show>
        </main>
    }
}

/// Why the last sync or preparation failed. Without a connection it says what the device
/// still holds, rather than the generic "no stored copy" (which is about pages, not the
/// working set).
fn failure_text(i18n: I18n, device: Device, failure: &ApiFailure) -> String {
    match (failure, device.field_meta()) {
        (ApiFailure::Offline, Some(meta)) => i18n
            .pick(
                "Geen verbinding met de server. Op dit toestel staan {n} enclaves, bijgewerkt {time}: zoeken en inspecteren werkt; alles wordt verzonden zodra de server bereikbaar is.",
                "Cannot reach the server. This device holds {n} enclaves, updated {time}: search and inspections work; everything is sent once the server can be reached.",
            )
            .replace("{n}", &grouped(meta.enclaves, i18n.pick(".", ",")))
            .replace("{time}", &i18n::belgian_datetime(meta.generated_at)),
        (ApiFailure::Offline, None) => i18n
            .pick(
                "Geen verbinding met de server, en nog geen gegevens op dit toestel.",
                "Cannot reach the server, and no data on this device yet.",
            )
            .to_owned(),
        _ => failure.message(i18n),
    }
}

/// `n` with its thousands separated by `sep`: 1.500 in Dutch, 1,500 in English.
fn grouped(n: usize, sep: &str) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

/// A record that needs attention: why, and what the inspector can do about it.
#[component]
fn AttentionEntry(entry: OutboxEntry) -> impl IntoView {
    let i18n = I18n::expect();
    let device = Device::expect();
    let id = entry.record.id();
    let busy = RwSignal::new(false);
    let (kind, kind_name) = match entry.record {
        SyncRecord::Inspection(_) => (i18n.tr("Inspectie", "Inspection"), "inspection"),
        SyncRecord::Amendment(_) => (i18n.tr("Rechtzetting", "Amendment"), "amendment"),
    };
    let (nl, en) = entry.problem.clone().unwrap_or_else(|| {
        (
            "De server heeft dit item niet aanvaard.".to_owned(),
            "The server did not accept this record.".to_owned(),
        )
    });
    let rebase_to = entry.rebase_to();
    let json = file::pretty_json(&serde_json::to_string(&entry).unwrap_or_default());
    let filename = format!("enclave-inspect-{id}.json");
    let act = move |rebase: bool| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            if rebase {
                device.rebase(id).await;
            } else {
                device.retry(id).await;
            }
            busy.try_set(false);
        });
    };
    view! {
        <li data-test="attention-entry" data-id=id.to_string() data-kind=kind_name>
            <a class="entry-link" href=format!("/inspections/{}", entry.inspection_id)>{kind} ": " {entry.label}</a>
            <p class="notice error" data-test="attention-problem">
                {move || i18n.pick(&nl, &en).to_owned()}
            </p>
            <div class="actions">
                <button data-test="retry" disabled=move || busy.get() on:click=move |_| act(false)>
                    {i18n.tr("Opnieuw proberen", "Try again")}
                </button>
                {rebase_to.map(|version| view! {
                    <button
                        data-test="rebase"
                        data-version=version
                        disabled=move || busy.get()
                        on:click=move |_| act(true)
                    >
                        {i18n.tr(
                            "Aanpassen aan de versie op de server en opnieuw verzenden",
                            "Rebase on the server's version and send again",
                        )}
                    </button>
                })}
                <SaveAsFile json filename test="save-json" />
            </div>
        </li>
    }
}

/// A draft or outbox entry the app can no longer read: kept on the device (it counts as not
/// sent, so a logout deletes nothing) and offered as a file.
#[component]
fn BrokenEntry(entry: Broken) -> impl IntoView {
    let i18n = I18n::expect();
    let (nl, en) = match entry.store {
        Store::Drafts => ("Inspectie in opmaak", "Inspection in progress"),
        _ => ("Te verzenden item", "Record to send"),
    };
    let text = file::pretty_json(&entry.raw);
    let filename = format!("enclave-inspect-{}.json", entry.key);
    let key = entry.key.clone();
    view! {
        <li data-test="broken-entry" data-key=key data-store=entry.store.name()>
            <strong>{i18n.tr(nl, en)}</strong>
            " " <code>{entry.key}</code>
            <p class="notice error">
                {i18n.tr(
                    "Deze versie van de app kan dit item niet meer lezen. Het blijft op dit toestel bewaard; bewaar het als bestand en bezorg het aan de beheerder.",
                    "This version of the app can no longer read this item. It stays on this device; save it as a file and send it to the administrator.",
                )}
            </p>
            <SaveAsFile json=text filename test="save-broken" />
        </li>
    }
}

/// "Save as file": downloads `json` as `filename`, for support, or says it could not.
#[component]
fn SaveAsFile(json: String, filename: String, test: &'static str) -> impl IntoView {
    let i18n = I18n::expect();
    let failed = RwSignal::new(false);
    view! {
        <button
            data-test=test
            on:click=move |_| failed.set(!file::save_text(&json, "application/json", &filename))
        >
            {i18n.tr("Bewaren als bestand", "Save as file")}
        </button>
        <Show when=move || failed.get()>
            <span class="notice error" role="alert">
                {i18n.tr(
                    "Deze browser kon het bestand niet aanmaken.",
                    "This browser could not make the file.",
                )}
            </span>
        </Show>
    }
}
