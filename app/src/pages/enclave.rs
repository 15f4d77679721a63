//! The enclave page (`/enclaves/:id`): who and where, the two verdicts as large cards, the
//! day's registration and the contracts.

use leptos::prelude::*;
use shared::dto::contract::{Contract, ContractStatus, Regime};
use shared::dto::enclave::{EnclaveDetail, EnclaveStatus};
use shared::dto::organisation::Organisation;
use shared::dto::registration::{MemberRole, Registration};

use crate::api::{self, ApiFailure, Fetched};
use crate::components::offline::OfflineCopyNotice;
use crate::components::verdict::VerdictCard;
use crate::i18n::{self, I18n, Key};
use crate::session::Session;

/// The page of the enclave `id`; the router makes a new one when the id changes.
#[component]
pub fn EnclavePage(id: String) -> impl IntoView {
    let i18n = I18n::expect();
    let session = Session::expect();
    // `None` while loading. Plain signals rather than a resource + <Suspense>: the same
    // result for ~10 KB less wasm.
    let detail = RwSignal::new(None::<Result<Fetched<EnclaveDetail>, ApiFailure>>);
    let load = StoredValue::new(move || {
        detail.set(None);
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let result = api::enclave(session, &id).await;
            // A no-op when the user has left the page meanwhile.
            detail.try_set(Some(result));
        });
    });
    load.with_value(|load| load());

    view! {
        <main>
            <a class="button back" href="/" data-test="back">
                {i18n.text(Key::BackToSearch)}
            </a>
            {move || match detail.get() {
                None => {
                    view! { <p class="notice" role="status">{i18n.text(Key::Loading)}</p> }
                        .into_any()
                }
                Some(Ok(fetched)) => view! { <EnclaveView fetched /> }.into_any(),
                Some(Err(failure)) => {
                    view! {
                        <p class="notice error" role="alert" data-test="enclave-error">
                            {move || failure.message(i18n)}
                        </p>
                        <button on:click=move |_| load.with_value(|load| load())>
                            {i18n.text(Key::Retry)}
                        </button>
                    }
                        .into_any()
                }
            }}
        </main>
    }
}

#[component]
fn EnclaveView(fetched: Fetched<EnclaveDetail>) -> impl IntoView {
    let i18n = I18n::expect();
    let d = fetched.value;
    let site = d.site;
    let (on, at) = (d.on, d.at);
    let status = match d.status {
        EnclaveStatus::Active => None,
        EnclaveStatus::Suspended => Some(Key::StatusSuspended),
        EnclaveStatus::Ended => Some(Key::StatusEnded),
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
                i18n.t(Key::ChecksFor)
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
            <dt>{i18n.text(Key::Address)}</dt>
            <dd>{site_address}</dd>
            {site
                .establishment_unit_number
                .map(|n| {
                    view! {
                        <dt>{i18n.text(Key::EstablishmentUnit)}</dt>
                        <dd>{n}</dd>
                    }
                })}
            <dt>{i18n.text(Key::Activity)}</dt>
            <dd>{d.activity}</dd>
            <dt>{i18n.text(Key::Host)}</dt>
            <dd>{organisation(&d.host)}</dd>
            <dt>{i18n.text(Key::Maatwerkbedrijf)}</dt>
            <dd data-test="maatwerkbedrijf">{organisation(&d.maatwerkbedrijf)}</dd>
        </dl>
        <h2>{move || i18n.t(Key::RegistrationFor).replace("{date}", &i18n::date(on))}</h2>
        {match d.registration {
            Some(registration) => view! { <RegistrationView registration /> }.into_any(),
            None => {
                view! {
                    <p class="notice" data-test="no-registration">
                        {i18n.text(Key::NoRegistration)}
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
            <dt>{i18n.text(Key::PlannedStart)}</dt>
            <dd>{planned}</dd>
            <dt>{i18n.text(Key::RegisteredAt)}</dt>
            <dd>{i18n::belgian_datetime(registered_at)}</dd>
        </dl>
        <h3>{i18n.text(Key::TeamMembers)}</h3>
        {empty.then(|| view! { <p class="notice">{i18n.text(Key::NobodyRegistered)}</p> })}
        <ul class="members">{members}</ul>
    }
}

#[component]
fn ContractList(contracts: Vec<Contract>) -> impl IntoView {
    let i18n = I18n::expect();
    if contracts.is_empty() {
        return view! { <p class="notice">{i18n.text(Key::NoContracts)}</p> }.into_any();
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
        Regime::Approval => Key::RegimeApproval,
        Regime::Notification => Key::RegimeNotification,
    };
    let status = match c.status {
        ContractStatus::Notified => Key::ContractNotified,
        ContractStatus::Approved => Key::ContractApproved,
        ContractStatus::Rejected => Key::ContractRejected,
        ContractStatus::Ended => Key::StatusEnded,
    };
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
                        None => i18n.t(Key::OpenEnded).to_owned(),
                    }}
                </dd>
                <dt>{i18n.text(Key::NotifiedAt)}</dt>
                <dd>
                    {move || match notified {
                        Some(t) => i18n::belgian_datetime(t),
                        None => i18n.t(Key::Unknown).to_owned(),
                    }}
                </dd>
                {approved
                    .map(|t| {
                        view! {
                            <dt>{i18n.text(Key::ApprovedAt)}</dt>
                            <dd>{i18n::belgian_datetime(t)}</dd>
                        }
                    })}
                <dt>{i18n.text(Key::Regime)}</dt>
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
                <dt>{i18n.text(Key::MinSupervisors)}</dt>
                <dd>{c.min_supervisors}</dd>
            </dl>
        </li>
    }
}
