//! Migrations carry the data over, on both databases: the notification date of a report,
//! TEXT with `''` for "not yet" before, becomes a nullable DATE; the registered days per
//! person, year, enclave and role are counted from the registrations already stored; the day
//! each follow-up is due is read from the stored conclusions and their corrections.

use chrono::NaiveDate;
use diesel::prelude::*;
use server::db::schema::inspections;
use server::db::{self, Db, DbConnection};
use tests::{Backend, TestDatabase, on_both_backends};

on_both_backends!(
    the_notification_date_becomes_a_nullable_date,
    the_registered_people_are_counted_from_the_registrations,
    follow_ups_are_due_as_the_corrected_conclusions_say
);

/// The last migration before the notification date became a DATE.
const BEFORE_DATE: &str = "2026-11-26-000015";

/// The last migration before the registered people were counted.
const BEFORE_COUNTS: &str = "2026-12-06-190000";

/// The last migration before follow-ups were kept.
const BEFORE_FOLLOW_UPS: &str = "2026-12-07-060000";

/// Lets rows stand alone for the rest of the session: no organisations, enclaves or people
/// for their foreign keys to find.
fn foreign_keys_off(conn: &mut DbConnection, backend: Backend) {
    let no_foreign_keys = match backend {
        Backend::Sqlite => "PRAGMA foreign_keys = OFF",
        Backend::Postgres => "SET session_replication_role = replica",
    };
    diesel::sql_query(no_foreign_keys)
        .execute(conn)
        .expect("foreign keys off");
}

/// An inspection row as the schema before the change stores it.
fn insert_inspection(conn: &mut DbConnection, id: &str, notified_on: &str) {
    diesel::sql_query(format!(
        "INSERT INTO inspections (id, enclave_id, inspector_id, province, on_date, measure, \
         contract_filed, daily_registration, supervisor_present, version, content_hash, record, \
         review_state, started_at_device, submitted_at_device, received_at, report_notified_on) \
         VALUES ('{id}', 'enclave', 'inspector', 'VOV', '2026-11-16', 'report_proposed', \
         'pass', 'pass', 'fail', 1, 'hash', '{{}}', 'approved', '2026-11-16 09:00:00', \
         '2026-11-16 10:00:00', '2026-11-16 10:00:01', '{notified_on}')"
    ))
    .execute(conn)
    .expect("inspection stored");
}

async fn the_notification_date_becomes_a_nullable_date(backend: Backend) {
    let database = TestDatabase::create(backend);
    let mut conn = db::establish(database.url()).expect("connection");
    db::run_migrations_through(&mut conn, BEFORE_DATE).expect("the migrations before");
    foreign_keys_off(&mut conn, backend);
    insert_inspection(&mut conn, "not-yet", "");
    insert_inspection(&mut conn, "notified", "2026-11-20");
    drop(conn);

    let migrated = Db::connect(database.url(), 1).expect("the remaining migrations");
    let mut conn = migrated.get().expect("connection");
    let dates: Vec<(String, Option<NaiveDate>)> = inspections::table
        .select((inspections::id, inspections::report_notified_on))
        .order(inspections::id.asc())
        .load(&mut *conn)
        .expect("dates read");
    assert_eq!(
        dates,
        vec![
            ("not-yet".to_owned(), None),
            ("notified".to_owned(), NaiveDate::from_ymd_opt(2026, 11, 20)),
        ]
    );
}

async fn the_registered_people_are_counted_from_the_registrations(backend: Backend) {
    use server::db::schema::registered_people as p;

    let database = TestDatabase::create(backend);
    let mut conn = db::establish(database.url()).expect("connection");
    db::run_migrations_through(&mut conn, BEFORE_COUNTS).expect("the migrations before");
    foreign_keys_off(&mut conn, backend);
    diesel::sql_query(
        "INSERT INTO registrations (id, enclave_id, work_date, registered_at, planned_start, \
         created_at) VALUES \
         ('r1', 'e1', '2025-03-10', '2025-03-10 06:00:00', '07:00:00', '2025-03-10 06:00:00'), \
         ('r2', 'e1', '2025-03-11', '2025-03-11 06:00:00', '07:00:00', '2025-03-11 06:00:00'), \
         ('r3', 'e2', '2024-12-31', '2024-12-31 06:00:00', '07:00:00', '2024-12-31 06:00:00')",
    )
    .execute(&mut conn)
    .expect("registrations stored");
    diesel::sql_query(
        "INSERT INTO registration_members (registration_id, person_id, role) VALUES \
         ('r1', 'p1', 'worker'), ('r1', 'p2', 'supervisor'), ('r2', 'p1', 'worker'), \
         ('r3', 'p1', 'worker')",
    )
    .execute(&mut conn)
    .expect("members stored");
    drop(conn);

    let migrated = Db::connect(database.url(), 1).expect("the remaining migrations");
    let mut conn = migrated.get().expect("connection");
    let counted: Vec<(i32, String, String, String, i32)> = p::table
        .select((p::year, p::enclave_id, p::person_id, p::role, p::days))
        .order((p::year, p::enclave_id, p::person_id, p::role))
        .load(&mut *conn)
        .expect("counts read");
    let row = |year, enclave: &str, person: &str, role: &str, days| {
        (year, enclave.into(), person.into(), role.into(), days)
    };
    assert_eq!(
        counted,
        vec![
            row(2024, "e2", "p1", "worker", 1),
            row(2025, "e1", "p1", "worker", 2),
            row(2025, "e1", "p2", "supervisor", 1),
        ]
    );
}

async fn follow_ups_are_due_as_the_corrected_conclusions_say(backend: Backend) {
    let database = TestDatabase::create(backend);
    let mut conn = db::establish(database.url()).expect("connection");
    db::run_migrations_through(&mut conn, BEFORE_FOLLOW_UPS).expect("the migrations before");
    foreign_keys_off(&mut conn, backend);
    let inspection = |id: &str, measure: &str, deadline: &str| {
        let record = format!(
            r#"{{"conclusion":{{"measure":"{measure}","deadline":{deadline},"motivation":"m"}}}}"#
        );
        format!(
            "('{id}', 'enclave', 'inspector', 'VOV', '2026-11-16', '{measure}', 'pass', 'pass', \
             'fail', 1, 'hash', '{record}', 'submitted', '2026-11-16 09:00:00', \
             '2026-11-16 10:00:00', '2026-11-16 10:00:01', 5, 1, 0)"
        )
    };
    let rows = [
        inspection("warned", "warning", r#""2026-12-01""#),
        inspection("advised", "advice", "null"),
        inspection("softened", "warning", r#""2026-12-01""#),
        inspection("extended", "regularisation_order", r#""2026-12-01""#),
        inspection("hardened", "advice", "null"),
    ];
    diesel::sql_query(format!(
        "INSERT INTO inspections (id, enclave_id, inspector_id, province, on_date, measure, \
         contract_filed, daily_registration, supervisor_present, version, content_hash, record, \
         review_state, started_at_device, submitted_at_device, received_at, workers_present, \
         supervisors_present, unregistered) VALUES {}",
        rows.join(", ")
    ))
    .execute(&mut conn)
    .expect("inspections stored");
    // Corrections: to advice; a later deadline twice (the latest counts); advice to an order.
    diesel::sql_query(
        "INSERT INTO amendments (id, inspection_id, author_id, base_version, text, content_hash, \
         written_at_device, received_at, measure, deadline) VALUES \
         ('a1', 'softened', 'inspector', 1, 't', 'h', '2026-11-17 09:00:00', \
          '2026-11-17 09:00:00', 'advice', NULL), \
         ('a2', 'extended', 'inspector', 1, 't', 'h', '2026-11-17 09:00:00', \
          '2026-11-17 09:00:00', NULL, '2026-12-20'), \
         ('a3', 'extended', 'inspector', 2, 't', 'h', '2026-11-18 09:00:00', \
          '2026-11-18 09:00:00', NULL, '2026-12-31'), \
         ('a4', 'hardened', 'inspector', 1, 't', 'h', '2026-11-17 09:00:00', \
          '2026-11-17 09:00:00', 'regularisation_order', '2026-12-10')",
    )
    .execute(&mut conn)
    .expect("amendments stored");
    drop(conn);

    let migrated = Db::connect(database.url(), 1).expect("the remaining migrations");
    let mut conn = migrated.get().expect("connection");
    let due: Vec<(String, Option<NaiveDate>)> = inspections::table
        .select((inspections::id, inspections::follow_up_due))
        .order(inspections::id.asc())
        .load(&mut *conn)
        .expect("due days read");
    let day = |d| NaiveDate::from_ymd_opt(2026, 12, d);
    assert_eq!(
        due,
        vec![
            ("advised".to_owned(), None),
            ("extended".to_owned(), day(31)),
            ("hardened".to_owned(), day(10)),
            ("softened".to_owned(), None),
            ("warned".to_owned(), day(1)),
        ]
    );
}
