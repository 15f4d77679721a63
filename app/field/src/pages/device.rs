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
use crate::texts::FieldKey;
use app_core::api::ApiFailure;
use app_core::file;
use app_core::i18n::{self, I18n, Key};
use app_core::session::Session;

#[component]
pub fn DevicePage() -> impl IntoView {
    let i18n = I18n::expect();
    let device = Device::expect();
    let session = Session::expect();
    let me = move || session.user().map(|u| u.id);

    let field = move || match device.field_meta() {
        Some(meta) => view! {
            <dl class="facts" data-test="working-set" data-enclaves=meta.enclaves>
                <dt>{i18n.text(FieldKey::EnclavesOnDevice)}</dt>
                <dd data-test="working-set-count">{meta.enclaves}</dd>
                <dt>{i18n.text(FieldKey::Registrations)}</dt>
                <dd>{i18n::date(meta.from)} " – " {i18n::date(meta.to)}</dd>
                <dt>{i18n.text(FieldKey::Downloaded)}</dt>
                <dd>{i18n::belgian_datetime(meta.generated_at)}</dd>
                <dt>{i18n.text(FieldKey::PlanningData)}</dt>
                <dd data-test="planning-facts-on"
                    data-on=meta.planning_on.map(|on| on.to_string()).unwrap_or_default()>
                    {match meta.planning_on {
                        Some(on) => i18n::date(on),
                        None => i18n.t(FieldKey::PlanningDataNextSync).to_owned(),
                    }}
                </dd>
            </dl>
        }
        .into_any(),
        None => view! {
            <p class="notice" data-test="working-set-empty">
                {i18n.text(FieldKey::NoDataOnDevice)}
            </p>
        }
        .into_any(),
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
                    SyncRecord::Inspection(_) => i18n.text(FieldKey::Inspection),
                    SyncRecord::Amendment(_) => i18n.text(FieldKey::Amendment),
                };
                view! {
                    <li data-test="outbox-entry" data-state=e.state.as_str() data-inspection=e.inspection_id.to_string()>
                        <a class="entry-link" href=href>{kind} ": " {e.label}</a>
                        " "
                        <SyncBadge state=e.state />
                        {e.review.filter(|r| r.state == ReviewState::Returned).map(|_| view! {
                            " "
                            <span class="badge sync-needs_attention" data-test="returned">
                                {i18n.text(FieldKey::ReturnedMark)}
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
            <h1>{i18n.text(FieldKey::DeviceTitle)}</h1>
            <section class="step">
                <h2>{i18n.text(FieldKey::SyncHeading)}</h2>
                <p data-test="sync-summary">
                    {move || {
                        let (p, a) = (device.pending(), device.attention());
                        match (p, a) {
                            (0, 0) => i18n.t(FieldKey::EverythingSynced).to_owned(),
                            _ => i18n
                                .t(FieldKey::PendingAndAttention)
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
                            .map(|t| format!("{} {}", i18n.t(FieldKey::LastSynced), i18n::belgian_datetime(t)))
                    }}
                </p>
                {move || device.failure.get().map(|f| view! {
                    <p class="notice error" data-test="sync-failure">{failure_text(i18n, device, &f)}</p>
                })}
                {move || device.store_failure.get().map(|f| view! {
                    <p class="notice error" role="alert">
                        {i18n.text(FieldKey::StoringFailed)}
                        {f}
                    </p>
                })}
                <button data-test="sync-now" disabled=move || device.syncing.get() on:click=move |_| device.sync()>
                    {i18n.text(FieldKey::SyncNow)}
                </button>
            </section>
            <section class="step">
                <h2>{i18n.text(Key::PrepareForField)}</h2>
                {field}
                <button class="primary" data-test="prepare" disabled=move || device.preparing.get() on:click=prepare>
                    {move || {
                        if device.preparing.get() {
                            i18n.t(FieldKey::Downloading)
                        } else {
                            i18n.t(FieldKey::DownloadRegion)
                        }
                    }}
                </button>
            </section>
            <Show when=move || { device.attention() > 0 }>
                <section class="step" data-test="attention">
                    <h2>{i18n.text(FieldKey::NeedsAttention)}</h2>
                    <ul class="members attention">{attention} {broken}</ul>
                </section>
            </Show>
            <section class="step">
                <h2>{i18n.text(FieldKey::DraftsHeading)}</h2>
                <ul class="members" data-test="drafts">{drafts}</ul>
            </section>
            <section class="step">
                <h2>{i18n.text(FieldKey::OutboxHeading)}</h2>
                <ul class="members" data-test="outbox">{outbox}</ul>
            </section>
            <Show when=move || { others() > 0 }>
                <p class="notice" data-test="other-users-data">
                    {move || {
                        i18n
                            .t(FieldKey::OtherUsersUnsent)
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
            .t(FieldKey::OfflineWithData)
            .replace(
                "{n}",
                &grouped(meta.enclaves, i18n.t(FieldKey::ThousandsSeparator)),
            )
            .replace("{time}", &i18n::belgian_datetime(meta.generated_at)),
        (ApiFailure::Offline, None) => i18n.t(FieldKey::OfflineWithoutData).to_owned(),
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
        SyncRecord::Inspection(_) => (i18n.text(FieldKey::Inspection), "inspection"),
        SyncRecord::Amendment(_) => (i18n.text(FieldKey::Amendment), "amendment"),
    };
    // The problem as stored with the entry, in both languages.
    let problem = entry.problem.clone();
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
                {move || match &problem {
                    Some((nl, en)) => i18n.pick(nl, en).to_owned(),
                    None => i18n.t(FieldKey::NotAccepted).to_owned(),
                }}
            </p>
            <div class="actions">
                <button data-test="retry" disabled=move || busy.get() on:click=move |_| act(false)>
                    {i18n.text(FieldKey::Retry)}
                </button>
                {rebase_to.map(|version| view! {
                    <button
                        data-test="rebase"
                        data-version=version
                        disabled=move || busy.get()
                        on:click=move |_| act(true)
                    >
                        {i18n.text(FieldKey::RebaseAndSend)}
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
    let what = match entry.store {
        Store::Drafts => FieldKey::BrokenDraft,
        _ => FieldKey::BrokenRecord,
    };
    let text = file::pretty_json(&entry.raw);
    let filename = format!("enclave-inspect-{}.json", entry.key);
    let key = entry.key.clone();
    view! {
        <li data-test="broken-entry" data-key=key data-store=entry.store.name()>
            <strong>{i18n.text(what)}</strong>
            " " <code>{entry.key}</code>
            <p class="notice error">
                {i18n.text(FieldKey::UnreadableItem)}
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
            {i18n.text(FieldKey::SaveAsFile)}
        </button>
        <Show when=move || failed.get()>
            <span class="notice error" role="alert">
                {i18n.text(FieldKey::FileNotMade)}
            </span>
        </Show>
    }
}
