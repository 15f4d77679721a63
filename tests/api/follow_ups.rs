//! Follow-up of measures, on both databases: a warning or an order with a deadline opens a
//! follow-up (open, due, overdue by the calendar; an amendment moves its deadline); a later
//! inspection that names it and answers each shortcoming makes it remedied or not; a
//! follow-up that does not answer its earlier inspection is refused; inspectors list only
//! their own.

use chrono::Days;
use reqwest::StatusCode;
use shared::dto::auth::Role;
use shared::dto::follow_up::{FollowUp, FollowUpList};
use shared::dto::inspection::{
    CheckKind, FollowUpRecord, InspectionRecord, Measure, Remedy, Shortcoming,
};
use shared::dto::sync::{PushOutcome, PushResponse, RejectionCode, SyncRecord};
use shared::rules::VerdictStatus;
use shared::rules::follow_up::FollowUpStatus;
use tests::dates::today;
use tests::records::{amendment, inspection};
use tests::{Backend, TestApp, User, assert_error, json, on_both_backends};
use uuid::Uuid;

on_both_backends!(
    measures_open_follow_ups_due_by_their_deadline,
    a_follow_up_inspection_records_what_was_remedied,
    a_follow_up_must_answer_its_inspection,
    inspectors_see_their_own_follow_ups,
);

/// `GET path` as `user`.
async fn follow_ups(user: &User, path: &str) -> FollowUpList {
    json(user.get(path).await, StatusCode::OK).await
}

/// The user's id, as the API knows it.
async fn id_of(user: &User) -> Uuid {
    let me: serde_json::Value = json(user.get("/api/users/me").await, StatusCode::OK).await;
    me["id"].as_str().expect("id").parse().expect("uuid")
}

/// An inspection of `enclave` on `days_ago` days before today with `measure`, due
/// `due_in` days after today (negative: in the past).
fn measured(enclave: &str, days_ago: u64, measure: Measure, due_in: i64) -> InspectionRecord {
    let mut r = inspection(enclave);
    r.on = today() - Days::new(days_ago);
    r.conclusion.measure = measure;
    r.conclusion.deadline = measure
        .needs_deadline()
        .then(|| today() + chrono::Duration::days(due_in));
    r
}

fn applied(response: &PushResponse) {
    for result in &response.results {
        assert!(
            matches!(result.outcome, PushOutcome::Applied { .. }),
            "{:?}",
            result.outcome
        );
    }
}

/// The follow-up of `inspection` in `list`.
fn of(list: &FollowUpList, inspection: &InspectionRecord) -> FollowUp {
    list.items
        .iter()
        .find(|i| i.inspection_id == inspection.id)
        .cloned()
        .unwrap_or_else(|| panic!("no follow-up of {} in {list:?}", inspection.id))
}

/// A follow-up of `earlier` today that answers each of its shortcomings with `remedied`.
fn following(earlier: &InspectionRecord, remedied: &[bool]) -> InspectionRecord {
    let mut later = inspection(&earlier.enclave_id.to_string());
    later.daily_registration.computed.status = VerdictStatus::Pass;
    later.findings.clear();
    later.conclusion.measure = Measure::Advice;
    later.conclusion.deadline = None;
    let shortcomings = shared::rules::follow_up::shortcomings(earlier);
    assert_eq!(
        shortcomings.len(),
        remedied.len(),
        "one answer per shortcoming"
    );
    later.follows = Some(FollowUpRecord {
        inspection_id: earlier.id,
        remedies: shortcomings
            .into_iter()
            .zip(remedied)
            .map(|(shortcoming, remedied)| Remedy {
                shortcoming,
                remedied: *remedied,
            })
            .collect(),
    });
    later
}

async fn measures_open_follow_ups_due_by_their_deadline(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let enclave = f.simple_enclave("Garage Termijn").id;
    let ines = app.inspector().await;
    let open = measured(&enclave, 3, Measure::Warning, 20);
    let due = measured(&enclave, 10, Measure::RegularisationOrder, 2);
    let overdue = measured(&enclave, 40, Measure::Warning, -5);
    let advice = measured(&enclave, 5, Measure::Advice, 0);
    let moved = measured(&enclave, 30, Measure::Warning, -1);
    applied(
        &ines
            .push(
                [&open, &due, &overdue, &advice, &moved]
                    .into_iter()
                    .map(|r| SyncRecord::Inspection(Box::new(r.clone())))
                    .collect(),
            )
            .await,
    );
    // An amendment gives the overdue-by-one warning 30 more days: open again.
    let mut extension = amendment(moved.id, 1, "Termijn verlengd op verzoek.");
    extension.deadline = Some(today() + Days::new(30));
    applied(&ines.push(vec![SyncRecord::Amendment(extension)]).await);

    let list = follow_ups(&app.reviewer().await, "/api/follow-ups").await;
    assert_eq!(list.on, today());
    assert!(!list.more);
    let order: Vec<Uuid> = list.items.iter().map(|i| i.inspection_id).collect();
    assert_eq!(
        order,
        vec![overdue.id, due.id, open.id, moved.id],
        "soonest due first; the advice opens none"
    );
    let statuses: Vec<FollowUpStatus> = list.items.iter().map(|i| i.status).collect();
    assert_eq!(
        statuses,
        vec![
            FollowUpStatus::Overdue,
            FollowUpStatus::Due,
            FollowUpStatus::Open,
            FollowUpStatus::Open
        ]
    );
    let first = &list.items[0];
    assert_eq!(first.measure, Measure::Warning);
    assert_eq!(first.due, today() - Days::new(5));
    assert_eq!(first.inspected_on, today() - Days::new(40));
    assert_eq!(first.host_name, "Garage Termijn");
    assert_eq!(first.site.municipality, "Gent");
    assert_eq!(first.shortcomings, 2, "check 2 failed, one finding");
    assert_eq!(
        first.to_answer[0].shortcoming,
        Shortcoming::Check(CheckKind::DailyRegistration)
    );
    assert_eq!(
        first.to_answer[1].shortcoming,
        Shortcoming::Finding(overdue.findings[0].id)
    );
    assert_eq!(first.to_answer[1].text, overdue.findings[0].text);
    assert_eq!(first.to_answer[1].category, "registratie");
    assert_eq!((first.remedied, first.not_remedied), (0, 0));
    assert_eq!(first.followed_up_by, None);
    assert_eq!(of(&list, &moved).due, today() + Days::new(30));

    let late = follow_ups(&app.reviewer().await, "/api/follow-ups?overdue=true").await;
    let late: Vec<Uuid> = late.items.iter().map(|i| i.inspection_id).collect();
    assert_eq!(late, vec![overdue.id]);

    // A correction to advice closes the follow-up; one back to an order with a deadline
    // reopens it with the corrected measure.
    let mut to_advice = amendment(open.id, 1, "Toch enkel advies.");
    to_advice.measure = Some(Measure::Advice);
    applied(&ines.push(vec![SyncRecord::Amendment(to_advice)]).await);
    let list = follow_ups(&app.reviewer().await, "/api/follow-ups").await;
    assert!(list.items.iter().all(|i| i.inspection_id != open.id));
    let mut to_order = amendment(open.id, 2, "Toch een bevel.");
    to_order.measure = Some(Measure::RegularisationOrder);
    to_order.deadline = Some(today() + Days::new(3));
    applied(&ines.push(vec![SyncRecord::Amendment(to_order)]).await);
    let list = follow_ups(&app.reviewer().await, "/api/follow-ups").await;
    let reopened = of(&list, &open);
    assert_eq!(reopened.measure, Measure::RegularisationOrder);
    assert_eq!(reopened.status, FollowUpStatus::Due);
}

async fn a_follow_up_inspection_records_what_was_remedied(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let enclave = f.simple_enclave("Smederij Opvolging").id;
    let other = f.simple_enclave("Bakkerij Opvolging").id;
    let ines = app.inspector().await;
    let warned = measured(&enclave, 40, Measure::Warning, -5);
    let ordered = measured(&other, 40, Measure::RegularisationOrder, -2);
    applied(
        &ines
            .push(vec![
                SyncRecord::Inspection(Box::new(warned.clone())),
                SyncRecord::Inspection(Box::new(ordered.clone())),
            ])
            .await,
    );
    let remedied = following(&warned, &[true, true]);
    let partly = following(&ordered, &[true, false]);
    applied(
        &ines
            .push(vec![
                SyncRecord::Inspection(Box::new(remedied.clone())),
                SyncRecord::Inspection(Box::new(partly.clone())),
            ])
            .await,
    );
    // Pushed again (a lost answer): a duplicate, not a second follow-up.
    let again = ines
        .push(vec![SyncRecord::Inspection(Box::new(remedied.clone()))])
        .await;
    assert_eq!(
        again.results[0].outcome,
        PushOutcome::Duplicate { version: 1 }
    );

    let list = follow_ups(&app.reviewer().await, "/api/follow-ups").await;
    let done = of(&list, &warned);
    assert_eq!(done.status, FollowUpStatus::Remedied);
    assert_eq!(done.followed_up_by, Some(remedied.id));
    assert_eq!(done.followed_up_on, Some(today()));
    assert_eq!((done.remedied, done.not_remedied), (2, 0));
    let not_done = of(&list, &ordered);
    assert_eq!(not_done.status, FollowUpStatus::NotRemedied);
    assert_eq!((not_done.remedied, not_done.not_remedied), (1, 1));
    let overdue = follow_ups(&app.reviewer().await, "/api/follow-ups?overdue=true").await;
    assert!(overdue.items.is_empty(), "{overdue:?}");

    // The inspection keeps what its follow-up said, as pushed.
    let view: serde_json::Value = json(
        ines.get(&format!("/api/inspections/{}", partly.id)).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        view["record"]["follows"]["inspection_id"],
        ordered.id.to_string()
    );
    assert_eq!(view["record"]["follows"]["remedies"][1]["remedied"], false);

    // One enclave's follow-ups.
    let one = follow_ups(
        &app.reviewer().await,
        &format!("/api/follow-ups?enclave={enclave}"),
    )
    .await;
    let ids: Vec<Uuid> = one.items.iter().map(|i| i.inspection_id).collect();
    assert_eq!(ids, vec![warned.id]);
}

async fn a_follow_up_must_answer_its_inspection(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let enclave = f.simple_enclave("Drukkerij Streng").id;
    let elsewhere = f.simple_enclave("Drukkerij Elders").id;
    let ines = app.inspector().await;
    let warned = measured(&enclave, 20, Measure::Warning, -1);
    applied(
        &ines
            .push(vec![SyncRecord::Inspection(Box::new(warned.clone()))])
            .await,
    );
    let refused = |response: PushResponse, words: &str| match &response.results[0].outcome {
        PushOutcome::Rejected {
            code, message_en, ..
        } => {
            assert_eq!(*code, RejectionCode::ValidationFailed);
            assert!(message_en.contains(words), "{message_en}");
        }
        other => panic!("expected a rejection, got {other:?}"),
    };

    let mut unknown = following(&warned, &[true, true]);
    unknown.follows.as_mut().unwrap().inspection_id = Uuid::new_v4();
    refused(
        ines.push(vec![SyncRecord::Inspection(Box::new(unknown))])
            .await,
        "unknown",
    );
    let mut half = following(&warned, &[true, true]);
    half.follows.as_mut().unwrap().remedies.pop();
    refused(
        ines.push(vec![SyncRecord::Inspection(Box::new(half))])
            .await,
        "1 unanswered",
    );
    let mut foreign = following(&warned, &[true, true]);
    foreign.follows.as_mut().unwrap().remedies[0].shortcoming =
        Shortcoming::Check(CheckKind::SupervisorPresent);
    refused(
        ines.push(vec![SyncRecord::Inspection(Box::new(foreign))])
            .await,
        "not one of the inspection followed up",
    );
    let mut moved = following(&warned, &[true, true]);
    moved.enclave_id = elsewhere.parse().unwrap();
    refused(
        ines.push(vec![SyncRecord::Inspection(Box::new(moved))])
            .await,
        "not of this enclave",
    );
    // Nothing of the refused ones was stored: the warning stands overdue.
    let list = follow_ups(&app.reviewer().await, "/api/follow-ups").await;
    assert_eq!(of(&list, &warned).status, FollowUpStatus::Overdue);
    assert_eq!(of(&list, &warned).followed_up_by, None);
}

async fn inspectors_see_their_own_follow_ups(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    let enclave = f.simple_enclave("Werkplaats Eigen").id;
    let ines = app.inspector().await;
    let ivo = app.user("ivo", Role::Inspector, &[]).await;
    let hers = measured(&enclave, 20, Measure::Warning, 5);
    let his = measured(&enclave, 15, Measure::Warning, 6);
    applied(
        &ines
            .push(vec![SyncRecord::Inspection(Box::new(hers.clone()))])
            .await,
    );
    applied(
        &ivo.push(vec![SyncRecord::Inspection(Box::new(his.clone()))])
            .await,
    );
    let (ines_id, ivo_id) = (id_of(&ines).await, id_of(&ivo).await);

    let own = follow_ups(&ines, "/api/follow-ups").await;
    let ids: Vec<Uuid> = own.items.iter().map(|i| i.inspection_id).collect();
    assert_eq!(ids, vec![hers.id]);
    assert_eq!(own.items[0].inspector_id, ines_id);
    let asked = follow_ups(&ines, &format!("/api/follow-ups?inspector={ines_id}")).await;
    assert_eq!(asked.items.len(), 1);
    assert_error(
        ines.get(&format!("/api/follow-ups?inspector={ivo_id}"))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    let rita = app.reviewer().await;
    assert_eq!(follow_ups(&rita, "/api/follow-ups").await.items.len(), 2);
    let his_only = follow_ups(&rita, &format!("/api/follow-ups?inspector={ivo_id}")).await;
    let ids: Vec<Uuid> = his_only.items.iter().map(|i| i.inspection_id).collect();
    assert_eq!(ids, vec![his.id]);
    let limited = follow_ups(&rita, "/api/follow-ups?limit=1").await;
    assert_eq!(limited.items.len(), 1);
    assert!(limited.more);

    for bad in ["limit=0", "limit=501", "overdue=ja", "inspector=nobody"] {
        assert_error(
            rita.get(&format!("/api/follow-ups?{bad}")).await,
            StatusCode::BAD_REQUEST,
            "bad_request",
        )
        .await;
    }
    assert_error(
        app.bearer("not-a-token").get("/api/follow-ups").await,
        StatusCode::UNAUTHORIZED,
        "invalid_token",
    )
    .await;
}
