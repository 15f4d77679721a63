//! Migrations carry the data over: the notification date of a report, TEXT with `''` for
//! "not yet" before, becomes a nullable DATE, on both databases.

use chrono::NaiveDate;
use diesel::prelude::*;
use server::db::schema::inspections;
use server::db::{self, Db, DbConnection};
use tests::{Backend, TestDatabase, on_both_backends};

on_both_backends!(the_notification_date_becomes_a_nullable_date);

/// The last migration before the notification date became a DATE.
const BEFORE_DATE: &str = "2026-11-26-000015";

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
    // The rows stand alone: no enclave or inspector for their foreign keys to find.
    let no_foreign_keys = match backend {
        Backend::Sqlite => "PRAGMA foreign_keys = OFF",
        Backend::Postgres => "SET session_replication_role = replica",
    };
    diesel::sql_query(no_foreign_keys)
        .execute(&mut conn)
        .expect("foreign keys off");
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
