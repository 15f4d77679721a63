//! The enclave page (`/enclaves/:id`): who and where, the two verdicts as large cards, the
//! day's registration and the contracts, and the button that starts an inspection.

use chrono::{DateTime, NaiveTime, Timelike, Utc};
use leptos::prelude::*;
use shared::dto::case_file::CaseFile;
use shared::dto::contract::{Contract, Regime};
use shared::dto::enclave::{EnclaveDetail, EnclaveStatus};
use shared::dto::inspection::Position;
use shared::dto::organisation::Organisation;
use shared::dto::registration::{MemberRole, Registration};
use shared::rules::follow_up::FollowUpStatus;
use shared::rules::supervision_norm::{SupervisionNorm, SupportNeed};
use shared::rules::time::belgian_local;
use uuid::Uuid;

use crate::device::Device;
use crate::draft::{Draft, FollowUpDraft};
use crate::position::{Patience, locate};
use crate::texts::FieldKey;
use app_core::api::{self, ApiFailure, Fetched};
use app_core::components::offline::OfflineCopyNotice;
use app_core::components::verdict::VerdictCard;
use app_core::i18n::{self, I18n, Key};
use app_core::router::Router;
use app_core::session::Session;

/// The page of the enclave `id`; the router makes a new one when the id changes. An
/// enclave of the working set is shown from the device at once, with the verdicts computed
/// there; any other is fetched from the server.
#[component]
pub fn EnclavePage(id: String) -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let device = Device::expect();
    let enclave_id = Uuid::parse_str(&id).ok();
    // `None` while loading. Plain signals rather than a resource + <Suspense>: the same
    // result for ~10 KB less wasm.
    let detail = RwSignal::new(None::<Result<Fetched<EnclaveDetail>, ApiFailure>>);
    let from_device = RwSignal::new(None::<DateTime<Utc>>);
    let load = StoredValue::new(move || {
        detail.set(None);
        let id = id.clone();
        if let Some((local, generated_at)) = enclave_id.and_then(|e| local_detail(device, e)) {
            from_device.set(Some(generated_at));
            detail.set(Some(Ok(Fetched {
                value: local,
                offline_copy: None,
            })));
            return;
        }
        leptos::task::spawn_local(async move {
            let result = api::enclave(session, &id).await;
            // A no-op when the user has left the page meanwhile.
            detail.try_set(Some(result));
        });
    });
    // Once the device store is read (at once, except on a cold start).
    Effect::new(move || {
        if device.ready.get() {
            load.with_value(|load| load());
        }
    });

    view! {
        <main>
            <a class="button back" href="/" data-test="back">
                {i18n.text(Key::BackToSearch)}
            </a>
            {move || from_device.get().map(|at| view! {
                <p class="notice" role="status" data-test="from-device">
                    {move || i18n.t(FieldKey::FromDevice).replace("{time}", &i18n::belgian_datetime(at))}
                </p>
            })}
            // Only inspectors inspect: a reviewer or an admin is not offered what the server
            // would refuse.
            {move || {
                enclave_id
                    .filter(|_| {
                        session
                            .user()
                            .is_some_and(|u| u.role == shared::dto::auth::Role::Inspector)
                    })
                    .map(|id| view! { <StartInspection id /> })
            }}
            {move || match detail.get() {
                None => {
                    view! { <p class="notice" role="status">{i18n.text(Key::Loading)}</p> }
                        .into_any()
                }
                Some(Ok(fetched)) => {
                    let id = fetched.value.id;
                    view! { <EnclaveView fetched /> <CaseFileSection id /> }.into_any()
                }
                Some(Err(failure)) => {
                    view! {
                        <p class="notice error" role="alert" data-test="enclave-error">
                            {move || failure.message(i18n)}
                        </p>
                        <button on:click=move |_| load.with_value(|load| load())>
                            {i18n.text(FieldKey::Retry)}
                        </button>
                    }
                        .into_any()
                }
            }}
        </main>
    }
}

/// The enclave's case file, newest first, from the server: contracts, inspections, measures,
/// follow-ups, amendments and decisions. Offline it says it needs the network (the working
/// set holds no history).
#[component]
fn CaseFileSection(id: Uuid) -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    let file = RwSignal::new(None::<Result<CaseFile, ApiFailure>>);
    leptos::task::spawn_local(async move {
        let result = api::case_file(session, &id.to_string()).await;
        file.try_set(Some(result));
    });
    let body = move || {
        match file.get() {
            None => view! { <p class="muted">{i18n.text(Key::Loading)}</p> }.into_any(),
            Some(Err(ApiFailure::Offline)) => view! {
                <p class="muted" data-test="case-file-offline">{i18n.text(FieldKey::CaseFileOffline)}</p>
            }
            .into_any(),
            Some(Err(f)) => view! { <p class="notice error">{f.message(i18n)}</p> }.into_any(),
            Some(Ok(file)) if file.events.is_empty() => {
                view! { <p class="muted">{i18n.text(FieldKey::CaseFileEmpty)}</p> }.into_any()
            }
            Some(Ok(file)) => {
                let events = file
                    .events
                    .into_iter()
                    .map(|e| {
                        view! {
                            <li data-test="case-event" data-kind=e.kind.as_str()>
                                <strong>{i18n::date(e.on)}</strong> " "
                                {move || i18n.pick(&e.text_nl, &e.text_en).to_owned()}
                            </li>
                        }
                    })
                    .collect_view();
                view! { <ul class="members" data-test="case-file">{events}</ul> }.into_any()
            }
        }
    };
    view! {
        <section class="step" data-test="case-file-section">
            <h2>{i18n.text(FieldKey::CaseFile)}</h2>
            {body}
        </section>
    }
}

/// The enclave page built on the device from the working set, for now.
fn local_detail(device: Device, id: Uuid) -> Option<(EnclaveDetail, DateTime<Utc>)> {
    let enclave = device.enclave(id)?;
    let meta = device.field_meta()?;
    let now = belgian_local(Utc::now());
    let on = now.date();
    let at = NaiveTime::from_hms_opt(now.hour(), now.minute(), now.second()).unwrap_or_default();
    let checks = enclave.checks(on, now, &meta.rules);
    let registration = enclave.registration(on).map(|r| r.registration.clone());
    let s = enclave.summary;
    Some((
        EnclaveDetail {
            id: s.id,
            site: s.site,
            activity: s.activity,
            status: s.status,
            maatwerkbedrijf: enclave.maatwerkbedrijf,
            host: enclave.host,
            contracts: enclave.contracts,
            registration,
            on,
            at,
            checks,
            support_need: s.support_need,
            workers_per_supervisor: Some(meta.rules.norm.for_team(s.support_need)),
        },
        meta.generated_at,
    ))
}

/// The team's support need and the supervision norm it sets (check 3 compares with it): the
/// figure the page came with, by the server's settings (or the working set's); an answer
/// stored before it carried one falls back to the working set's norm.
fn support_need(need: Option<SupportNeed>, per: Option<u32>) -> impl IntoView {
    let i18n = I18n::expect();
    let per = per.unwrap_or_else(|| {
        Device::expect()
            .field_meta()
            .map_or_else(SupervisionNorm::default, |m| m.rules.norm)
            .for_team(need)
    });
    let key = match need {
        Some(SupportNeed::Low) => FieldKey::SupportNeedLow,
        Some(SupportNeed::Medium) => FieldKey::SupportNeedMedium,
        Some(SupportNeed::High) => FieldKey::SupportNeedHigh,
        None => FieldKey::SupportNeedUnknown,
    };
    move || i18n.t(key).replace("{n}", &per.to_string())
}

/// Start an inspection here, or go on with one in progress.
#[component]
fn StartInspection(id: Uuid) -> impl IntoView {
    let i18n = I18n::expect();
    let device = Device::expect();
    let session = Session::expect();
    let router = expect_context::<Router>();
    let busy = RwSignal::new(false);
    let failure = RwSignal::new(None::<ApiFailure>);
    // A new draft; a follow-up of an earlier inspection's measure with `follows`.
    let start = move |follows: Option<FollowUpDraft>| {
        let Some(me) = session.user().map(|u| u.id) else {
            return;
        };
        busy.set(true);
        failure.set(None);
        leptos::task::spawn_local(async move {
            let position = current_position().await;
            match device.enclave_for_inspection(id).await {
                Ok((enclave, rules)) => {
                    let mut draft = Draft::new(me, enclave, rules, Utc::now());
                    draft.position = position;
                    draft.follows = follows;
                    let draft_id = draft.id;
                    if device.save_draft(draft).await {
                        router.navigate(&format!("/inspections/{draft_id}"), false);
                    }
                }
                Err(f) => failure.set(Some(f)),
            }
            busy.try_set(false);
        });
    };
    let drafts = move || {
        device
            .my_drafts()
            .into_iter()
            .filter(|d| d.enclave.summary.id == id)
            .map(|d| {
                let href = format!("/inspections/{}", d.id);
                view! {
                    <a class="button" href=href data-test="resume-draft">
                        {move || i18n.t(FieldKey::ContinueInspection)
                            .replace("{time}", &i18n::time(d.at))}
                    </a>
                }
            })
            .collect_view()
    };
    let follow_ups = move || {
        device
            .follow_ups_at(id)
            .into_iter()
            .map(|f| {
                let (measure_nl, measure_en) = f.measure.names();
                let what = i18n
                    .t(FieldKey::FollowUpOf)
                    .replace("{measure}", i18n.pick(measure_nl, measure_en))
                    .replace("{date}", &i18n::date(f.inspected_on))
                    .replace("{due}", &i18n::date(f.due));
                let (status_nl, status_en) = f.status.names();
                let badge = if f.status == FollowUpStatus::Overdue {
                    "badge fail"
                } else {
                    "badge"
                };
                let follows = FollowUpDraft::of(&f);
                view! {
                    <div class="follow-up" data-test="enclave-follow-up" data-status=f.status.as_str()>
                        <p>{what} " " <span class=badge>{i18n.pick(status_nl, status_en).to_owned()}</span></p>
                        <button
                            class="primary"
                            data-test="start-follow-up"
                            disabled=move || busy.get() || !device.ready.get()
                            on:click=move |_| start(Some(follows.clone()))
                        >
                            {i18n.text(FieldKey::StartFollowUp)}
                        </button>
                    </div>
                }
            })
            .collect_view()
    };
    view! {
        {follow_ups}
        <div class="actions start">
            {drafts}
            // Until the device store is read, the working set is not known yet: a tap then
            // would look for the enclave on the server, and fail offline.
            <button
                class="primary"
                data-test="start-inspection"
                disabled=move || busy.get() || !device.ready.get()
                on:click=move |_| start(None)
            >
                {i18n.text(FieldKey::StartInspection)}
            </button>
        </div>
        {move || failure.get().map(|f| view! { <p class="notice error">{f.message(i18n)}</p> })}
    }
}

/// The device's position if the inspector allows it and it comes within a few seconds.
async fn current_position() -> Option<Position> {
    let patience = Patience {
        timeout_ms: 3000,
        maximum_age_ms: 300_000,
        high_accuracy: false,
    };
    let fix = locate(patience).await.ok()?;
    Some(Position {
        latitude: fix.latitude,
        longitude: fix.longitude,
        accuracy_m: Some(fix.accuracy_m).filter(|m| m.is_finite()),
    })
}

#[component]
fn EnclaveView(fetched: Fetched<EnclaveDetail>) -> impl IntoView {
    let i18n = I18n::expect();
    let d = fetched.value;
    let site = d.site;
    let (on, at) = (d.on, d.at);
    let status = match d.status {
        EnclaveStatus::Active => None,
        EnclaveStatus::Suspended => Some(FieldKey::StatusSuspended),
        EnclaveStatus::Ended => Some(FieldKey::StatusEnded),
    };
    let site_address = format!("{}, {} {}", site.street, site.postcode, site.municipality);
    view! {
        {fetched.offline_copy.map(|at| view! { <OfflineCopyNotice fetched_at=at /> })}
        <header data-test="enclave-header">
            <h1>{d.host.name.clone()}</h1>
            <p class="title">
                <strong>{site.name}</strong>
                {status.map(|key| view! { " " <span class="badge">{i18n.text(key)}</span> })}
            </p>
            <p class="address">{site_address.clone()}</p>
        </header>
        <p class="muted" data-test="checks-for">
            {move || {
                i18n.t(FieldKey::ChecksFor)
                    .replace("{date}", &i18n::date(on))
                    .replace("{time}", &i18n::time(at))
            }}
        </p>
        <div class="verdicts">
            <VerdictCard
                check="contract_filed"
                title=Key::ContractFiled
                verdict=d.checks.contract_filed
            />
            <VerdictCard
                check="daily_registration"
                title=Key::DailyRegistration
                verdict=d.checks.daily_registration
            />
        </div>
        <dl class="facts">
            <dt>{i18n.text(FieldKey::Address)}</dt>
            <dd>{site_address}</dd>
            {site
                .establishment_unit_number
                .map(|n| {
                    view! {
                        <dt>{i18n.text(FieldKey::EstablishmentUnit)}</dt>
                        <dd>{n}</dd>
                    }
                })}
            <dt>{i18n.text(Key::Activity)}</dt>
            <dd>{d.activity}</dd>
            <dt>{i18n.text(FieldKey::SupportNeed)}</dt>
            <dd data-test="support-need">{support_need(d.support_need, d.workers_per_supervisor)}</dd>
            <dt>{i18n.text(Key::Host)}</dt>
            <dd>{organisation(&d.host)}</dd>
            <dt>{i18n.text(Key::Maatwerkbedrijf)}</dt>
            <dd data-test="maatwerkbedrijf">{organisation(&d.maatwerkbedrijf)}</dd>
        </dl>
        <h2>{move || i18n.t(FieldKey::RegistrationFor).replace("{date}", &i18n::date(on))}</h2>
        {match d.registration {
            Some(registration) => view! { <RegistrationView registration /> }.into_any(),
            None => {
                view! {
                    <p class="notice" data-test="no-registration">
                        {i18n.text(FieldKey::NoRegistration)}
                    </p>
                }
                    .into_any()
            }
        }}
        <h2>{i18n.text(Key::Contracts)}</h2>
        <ContractList contracts=d.contracts />
    }
}

/// `Name (0123.456.749), street, postcode municipality`.
fn organisation(o: &Organisation) -> String {
    let number = o
        .enterprise_number
        .as_deref()
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    format!(
        "{}{number}, {}, {} {}",
        o.name, o.street, o.postcode, o.municipality
    )
}

#[component]
fn RegistrationView(registration: Registration) -> impl IntoView {
    let i18n = I18n::expect();
    let planned = i18n::time(registration.planned_start);
    let registered_at = registration.registered_at;
    let empty = registration.members.is_empty();
    let members = registration
        .members
        .into_iter()
        .map(|m| {
            let (class, key) = match m.role {
                MemberRole::Supervisor => ("badge supervisor", Key::RoleSupervisor),
                MemberRole::Worker => ("badge worker", Key::RoleWorker),
            };
            view! {
                <li data-test="member" data-role=m.role.as_str()>
                    <span class=class>{i18n.text(key)}</span>
                    <span>
                        <strong>{m.display_name}</strong>
                        " "
                        <span class="muted small">{m.company_reference}</span>
                    </span>
                </li>
            }
        })
        .collect_view();
    view! {
        <dl class="facts" data-test="registration">
            <dt>{i18n.text(FieldKey::PlannedStart)}</dt>
            <dd>{planned}</dd>
            <dt>{i18n.text(FieldKey::RegisteredAt)}</dt>
            <dd>{i18n::belgian_datetime(registered_at)}</dd>
        </dl>
        <h3>{i18n.text(FieldKey::TeamMembers)}</h3>
        {empty.then(|| view! { <p class="notice">{i18n.text(FieldKey::NobodyRegistered)}</p> })}
        <ul class="members">{members}</ul>
    }
}

#[component]
fn ContractList(contracts: Vec<Contract>) -> impl IntoView {
    let i18n = I18n::expect();
    if contracts.is_empty() {
        return view! { <p class="notice">{i18n.text(FieldKey::NoContracts)}</p> }.into_any();
    }
    let items = contracts
        .into_iter()
        .map(|c| view! { <ContractItem contract=c /> })
        .collect_view();
    view! { <ul class="contracts" data-test="contracts">{items}</ul> }.into_any()
}

#[component]
fn ContractItem(contract: Contract) -> impl IntoView {
    let i18n = I18n::expect();
    let c = contract;
    let regime = match c.regime {
        Regime::Approval => FieldKey::RegimeApproval,
        Regime::Notification => FieldKey::RegimeNotification,
    };
    let status = Key::contract_status(c.status);
    let (start, end, notified, approved) = (c.start_date, c.end_date, c.notified_at, c.approved_at);
    view! {
        <li data-test="contract" data-status=c.status.as_str()>
            <p class="ref">{c.reference}</p>
            <dl class="facts">
                <dt>{i18n.text(Key::Start)}</dt>
                <dd>{i18n::date(start)}</dd>
                <dt>{i18n.text(Key::End)}</dt>
                <dd>
                    {move || match end {
                        Some(end) => i18n::date(end),
                        None => i18n.t(FieldKey::OpenEnded).to_owned(),
                    }}
                </dd>
                <dt>{i18n.text(FieldKey::NotifiedAt)}</dt>
                <dd>
                    {move || match notified {
                        Some(t) => i18n::belgian_datetime(t),
                        None => i18n.t(Key::Unknown).to_owned(),
                    }}
                </dd>
                {approved
                    .map(|t| {
                        view! {
                            <dt>{i18n.text(FieldKey::ApprovedAt)}</dt>
                            <dd>{i18n::belgian_datetime(t)}</dd>
                        }
                    })}
                <dt>{i18n.text(FieldKey::Regime)}</dt>
                <dd>{i18n.text(regime)}</dd>
                <dt>{i18n.text(Key::Status)}</dt>
                <dd>{i18n.text(status)}</dd>
                {c
                    .rejection_reason
                    .map(|reason| {
                        view! {
                            <dt>{i18n.text(Key::RejectionReason)}</dt>
                            <dd>{reason}</dd>
                        }
                    })}
                <dt>{i18n.text(FieldKey::MinSupervisors)}</dt>
                <dd>{c.min_supervisors}</dd>
            </dl>
        </li>
    }
}
