//! Every reason code of checks 1 and 2, through the API: data in the database, verdict from
//! `GET /api/enclaves/{id}?on=...`.

use chrono::{Duration, NaiveTime};
use reqwest::StatusCode;
use shared::dto::contract::{ContractStatus, Regime};
use shared::dto::enclave::EnclaveDetail;
use shared::dto::registration::MemberRole::{Supervisor, Worker};
use shared::rules::LeadTime;
use shared::rules::verdict::{ReasonCode, Verdict, VerdictStatus};
use tests::dates::now_local;
use tests::dates::{date, local};
use tests::fixture::ContractSpec;
use tests::{Backend, TestApp, json, on_both_backends};

on_both_backends!(
    contract_filed_reasons,
    calendar_day_lead_time_is_a_setting,
    daily_registration_reasons,
    registration_times_cross_daylight_saving_correctly,
);

async fn token(app: &TestApp) -> String {
    app.inspector().await.token
}

async fn detail(app: &TestApp, token: &str, id: &str, query: &str) -> EnclaveDetail {
    json(
        app.get(&format!("/api/enclaves/{id}?{query}"), token).await,
        StatusCode::OK,
    )
    .await
}

fn assert_verdict(v: &Verdict, status: VerdictStatus, codes: &[ReasonCode], case: &str) {
    let actual: Vec<ReasonCode> = v.reasons.iter().map(|r| r.code).collect();
    assert_eq!(v.status, status, "{case}: {v:#?}");
    assert_eq!(actual, codes, "{case}: {v:#?}");
    for r in &v.reasons {
        assert!(
            !r.message_nl.is_empty() && !r.message_en.is_empty(),
            "{case}"
        );
        assert_ne!(r.message_nl, r.message_en, "{case}: both languages");
    }
}

async fn contract_filed_reasons(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = token(&app).await;
    let f = app.fixture();
    use ReasonCode::*;
    use VerdictStatus::*;

    // (case, contracts, date checked, expected status, expected codes)
    type Case = (
        &'static str,
        Vec<ContractSpec>,
        &'static str,
        VerdictStatus,
        Vec<ReasonCode>,
    );
    let monday = date("2024-03-11");
    let cases: Vec<Case> = vec![
        (
            "notified the Friday before a Monday start",
            vec![ContractSpec {
                start: monday,
                notified_local: Some(local("2024-03-08 16:30")),
                ..Default::default()
            }],
            "2024-03-20",
            Pass,
            vec![NotifiedInTime],
        ),
        (
            "notified on the Saturday before a Monday start",
            vec![ContractSpec {
                start: monday,
                notified_local: Some(local("2024-03-09 10:00")),
                ..Default::default()
            }],
            "2024-03-20",
            Fail,
            vec![NotifiedLate],
        ),
        (
            "notified after the start",
            vec![ContractSpec {
                start: monday,
                notified_local: Some(local("2024-03-13 09:00")),
                ..Default::default()
            }],
            "2024-03-20",
            Fail,
            vec![NotifiedLate],
        ),
        (
            "approval regime, approved",
            vec![ContractSpec {
                start: date("2017-05-02"),
                notified_local: Some(local("2017-04-10 09:00")),
                approved_local: Some(local("2017-04-25 11:00")),
                regime: Regime::Approval,
                status: ContractStatus::Approved,
                ..Default::default()
            }],
            "2017-06-01",
            Pass,
            vec![ContractApproved],
        ),
        (
            "approval regime, never approved",
            vec![ContractSpec {
                start: date("2018-02-05"),
                notified_local: Some(local("2018-01-10 09:00")),
                regime: Regime::Approval,
                ..Default::default()
            }],
            "2018-03-01",
            Fail,
            vec![NotApproved],
        ),
        (
            "no contract at all",
            vec![],
            "2024-03-20",
            Fail,
            vec![NoContract],
        ),
        (
            "contract starts later",
            vec![ContractSpec {
                start: date("2024-04-02"),
                notified_local: Some(local("2024-03-01 10:00")),
                ..Default::default()
            }],
            "2024-03-20",
            Fail,
            vec![NoContractCoveringDate],
        ),
        (
            "contract ended",
            vec![ContractSpec {
                start: date("2022-01-03"),
                end: Some(date("2023-12-31")),
                notified_local: Some(local("2021-12-01 10:00")),
                status: ContractStatus::Ended,
                ..Default::default()
            }],
            "2024-03-20",
            Fail,
            vec![NoContractCoveringDate],
        ),
        (
            "rejected",
            vec![ContractSpec {
                status: ContractStatus::Rejected,
                rejection_reason: Some("Geen begeleider voorzien".into()),
                ..Default::default()
            }],
            "2024-03-20",
            Fail,
            vec![ContractRejected],
        ),
        (
            "notification date unknown",
            vec![ContractSpec {
                notified_local: None,
                ..Default::default()
            }],
            "2024-03-20",
            Unknown,
            vec![NotificationDateUnknown],
        ),
        (
            "a late contract renewed by one notified in time",
            vec![
                ContractSpec {
                    start: date("2023-01-02"),
                    end: Some(date("2023-12-31")),
                    notified_local: Some(local("2023-01-05 10:00")),
                    ..Default::default()
                },
                ContractSpec {
                    start: date("2024-01-02"),
                    notified_local: Some(local("2023-12-20 10:00")),
                    ..Default::default()
                },
            ],
            "2024-03-20",
            Pass,
            vec![NotifiedInTime],
        ),
    ];
    for (case, contracts, on, status, codes) in cases {
        let enclave = f.simple_enclave(case);
        for c in &contracts {
            f.contract(&enclave, c.clone());
        }
        let d = detail(&app, &token, &enclave.id, &format!("on={on}&at=10:00")).await;
        assert_eq!(d.contracts.len(), contracts.len(), "{case}");
        assert_verdict(&d.checks.contract_filed, status, &codes, case);
        assert_eq!(
            d.checks.contract_filed.rule_version,
            "contract_filed/1;lead=1wd;11jul=no"
        );
    }

    // The rejection reason is shown to the inspector.
    let e = f.simple_enclave("rejected with reason");
    f.contract(
        &e,
        ContractSpec {
            status: ContractStatus::Rejected,
            rejection_reason: Some("Contract niet ondertekend".into()),
            ..Default::default()
        },
    );
    let d = detail(&app, &token, &e.id, "on=2024-03-20").await;
    assert!(
        d.checks.contract_filed.reasons[0]
            .message_nl
            .contains("Contract niet ondertekend")
    );
}

async fn calendar_day_lead_time_is_a_setting(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.rules.lead_time = LeadTime::CalendarDays(1)).await;
    let token = token(&app).await;
    let f = app.fixture();
    let e = f.simple_enclave("weekend notification");
    f.contract(
        &e,
        ContractSpec {
            start: date("2024-03-11"),
            notified_local: Some(local("2024-03-09 10:00")),
            ..Default::default()
        },
    );
    let d = detail(&app, &token, &e.id, "on=2024-03-20").await;
    assert_verdict(
        &d.checks.contract_filed,
        VerdictStatus::Pass,
        &[ReasonCode::NotifiedInTime],
        "1 calendar day",
    );
    assert_eq!(
        d.checks.contract_filed.rule_version,
        "contract_filed/1;lead=1cd;11jul=no"
    );
}

async fn daily_registration_reasons(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = token(&app).await;
    let f = app.fixture();
    use ReasonCode::*;
    use VerdictStatus::*;
    let day = date("2024-03-20");
    let start = NaiveTime::from_hms_opt(7, 30, 0).unwrap();

    let in_time = f.simple_enclave("in time");
    f.registration(
        &in_time,
        day,
        local("2024-03-19 18:00"),
        start,
        &[Supervisor, Worker, Worker],
    );
    let late = f.simple_enclave("late");
    f.registration(
        &late,
        day,
        local("2024-03-20 07:45"),
        start,
        &[Supervisor, Worker],
    );
    let no_sup = f.simple_enclave("no supervisor");
    f.registration(
        &no_sup,
        day,
        local("2024-03-20 06:00"),
        start,
        &[Worker, Worker],
    );
    let empty = f.simple_enclave("empty");
    f.registration(&empty, day, local("2024-03-20 06:00"), start, &[]);
    let late_no_sup = f.simple_enclave("late and no supervisor");
    f.registration(
        &late_no_sup,
        day,
        local("2024-03-20 08:00"),
        start,
        &[Worker],
    );
    let none = f.simple_enclave("none");
    // A registration on another day does not count.
    f.registration(
        &none,
        date("2024-03-19"),
        local("2024-03-18 18:00"),
        start,
        &[Supervisor],
    );

    let cases = [
        (&in_time, Pass, vec![RegisteredInTime, SupervisorRegistered]),
        (&late, Fail, vec![RegisteredLate, SupervisorRegistered]),
        (
            &no_sup,
            Fail,
            vec![RegisteredInTime, NoSupervisorRegistered],
        ),
        (&empty, Fail, vec![RegisteredInTime, EmptyRegistration]),
        (
            &late_no_sup,
            Fail,
            vec![RegisteredLate, NoSupervisorRegistered],
        ),
        (&none, Fail, vec![NoRegistration]),
    ];
    for (enclave, status, codes) in cases {
        let d = detail(&app, &token, &enclave.id, "on=2024-03-20&at=10:00").await;
        assert_verdict(
            &d.checks.daily_registration,
            status,
            &codes,
            &enclave.site_name,
        );
        assert_eq!(
            d.checks.daily_registration.rule_version,
            "daily_registration/1"
        );
        assert_eq!(d.on, day);
    }
    // The registration is returned with its members, supervisors first.
    let d = detail(&app, &token, &in_time.id, "on=2024-03-20").await;
    let reg = d.registration.expect("registration");
    assert_eq!(reg.members.len(), 3);
    assert_eq!(reg.members[0].role, Supervisor);
    assert_eq!(reg.planned_start, start);

    // A date after today cannot be judged yet.
    let future = (now_local() + Duration::days(10)).date();
    let d = detail(&app, &token, &none.id, &format!("on={future}")).await;
    assert_verdict(
        &d.checks.daily_registration,
        Unknown,
        &[DateInFuture],
        "future",
    );
}

async fn registration_times_cross_daylight_saving_correctly(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = token(&app).await;
    let f = app.fixture();
    // Summer time (UTC+2): 07:59 local is 05:59 UTC, before an 08:00 start.
    let start = NaiveTime::from_hms_opt(8, 0, 0).unwrap();
    let ok = f.simple_enclave("summer in time");
    f.registration(
        &ok,
        date("2024-07-10"),
        local("2024-07-10 07:59"),
        start,
        &[Supervisor],
    );
    let late = f.simple_enclave("summer late");
    f.registration(
        &late,
        date("2024-07-10"),
        local("2024-07-10 08:01"),
        start,
        &[Supervisor],
    );
    let d = detail(&app, &token, &ok.id, "on=2024-07-10").await;
    assert_eq!(d.checks.daily_registration.status, VerdictStatus::Pass);
    assert_eq!(
        d.registration.unwrap().registered_at.to_rfc3339(),
        "2024-07-10T05:59:00+00:00"
    );
    let d = detail(&app, &token, &late.id, "on=2024-07-10").await;
    assert_eq!(d.checks.daily_registration.status, VerdictStatus::Fail);
    assert_eq!(
        d.checks.daily_registration.reasons[0].code,
        ReasonCode::RegisteredLate
    );
}
