//! Retention: what is older than its retention period goes — daily registrations (with the
//! people only they named), approved inspections (with their amendments,
//! decisions and photos, files included) and the audit trail — in one transaction, with an
//! audit row that counts what went. `enclave-inspect purge [--dry-run]` runs it once; the
//! server runs it daily (see [`spawn_daily`]).
//!
//! Several instances on one PostgreSQL do not trip over each other: the purge takes an
//! advisory lock (a second one skips), and every delete is by cutoff, so a second run deletes
//! nothing.

use std::time::Duration;

use chrono::{Days, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use diesel::Connection;
use shared::dto::inspection::InspectionRecord;
use shared::rules::time::{belgian_local, from_belgian_local};

use crate::config::Retention;
use crate::db::{Db, DbConnection, repo};
use crate::error::AppError;
use crate::photos::PhotoStore;

/// What a purge deleted (or, in a dry run, would delete).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Purged {
    pub registrations: usize,
    pub people: usize,
    pub inspections: usize,
    pub photos: usize,
    pub audit_events: usize,
}

/// How a purge ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Deleted this, photo files included.
    Done(Purged),
    /// A dry run: this would go; nothing was deleted.
    DryRun(Purged),
    /// Another instance was purging at that moment; nothing was done here.
    Skipped,
}

/// Who ran the purge, for its audit row.
#[derive(Debug, Clone, Copy)]
pub enum Trigger {
    /// `enclave-inspect purge`.
    Command,
    /// The server's daily run.
    Daily,
}

impl Purged {
    fn describe(&self, cutoffs: &Cutoffs) -> String {
        format!(
            "{} registraties (vóór {}), {} personen, {} inspecties (goedgekeurd, vóór {}), \
             {} foto's, {} auditregels (vóór {})",
            self.registrations,
            cutoffs.registrations,
            self.people,
            self.inspections,
            cutoffs.inspections,
            self.photos,
            self.audit_events,
            cutoffs.audit.format("%Y-%m-%d %H:%M UTC"),
        )
    }
}

/// Before what each kind of data goes.
struct Cutoffs {
    /// Work days before this.
    registrations: NaiveDate,
    /// Inspection days before this.
    inspections: NaiveDate,
    /// Events before this instant (UTC).
    audit: NaiveDateTime,
}

impl Cutoffs {
    fn of(retention: &Retention, now: chrono::DateTime<Utc>) -> Self {
        let today = belgian_local(now).date();
        let days = |n: u32| today - Days::new(u64::from(n));
        Self {
            registrations: days(retention.registrations_days),
            inspections: days(retention.inspections_days),
            audit: (now - chrono::Duration::days(i64::from(retention.audit_days))).naive_utc(),
        }
    }
}

/// Why the transaction ends without committing.
enum Abort {
    DryRun(Purged),
    Skipped,
    Failed(AppError),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Self {
        Self::Failed(e.into())
    }
}

impl From<AppError> for Abort {
    fn from(e: AppError) -> Self {
        Self::Failed(e)
    }
}

/// Deletes what is older than `retention` allows (one transaction), then the photos that went
/// with it from `photos`.
pub async fn purge(
    db: &Db,
    retention: Retention,
    photos: &PhotoStore,
    trigger: Trigger,
    dry_run: bool,
) -> Result<Outcome, AppError> {
    let (outcome, hashes) = db
        .run(move |conn| purge_rows(conn, &retention, trigger, dry_run))
        .await?;
    // The rows are gone; a photo that cannot be deleted now is logged, never served.
    for hash in &hashes {
        if let Err(e) = photos.delete(hash).await {
            tracing::error!(photo = %hash, error = %e, "purged photo not deleted");
        }
    }
    Ok(outcome)
}

/// The database half of [`purge`]: the outcome, and the hashes of the photos to delete.
fn purge_rows(
    conn: &mut DbConnection,
    retention: &Retention,
    trigger: Trigger,
    dry_run: bool,
) -> Result<(Outcome, Vec<String>), AppError> {
    let cutoffs = Cutoffs::of(retention, Utc::now());
    let result = conn.transaction::<_, Abort, _>(|conn| {
        if !repo::retention::try_lock(conn)? {
            return Err(Abort::Skipped);
        }
        // Takes the write lock now (SQLite) and keeps change numbers in order (both).
        repo::journal::lock_change_log(conn)?;
        let (registrations, people) =
            repo::retention::delete_registrations_before(conn, cutoffs.registrations)?;
        let mut purged = Purged {
            registrations,
            people,
            ..Purged::default()
        };
        let old = repo::retention::approved_inspections_before(conn, cutoffs.inspections)?;
        let mut hashes: Vec<String> = Vec::new();
        for (id, record) in &old {
            let record: InspectionRecord = serde_json::from_str(record).map_err(|e| {
                AppError::internal(format!("stored inspection {id} unreadable: {e}"))
            })?;
            hashes.extend(record.photos().map(|p| p.sha256.clone()));
        }
        hashes.sort();
        hashes.dedup();
        let ids: Vec<String> = old.into_iter().map(|(id, _)| id).collect();
        repo::retention::delete_inspections(conn, &ids)?;
        purged.inspections = ids.len();
        let photos = repo::retention::delete_unreferenced_photos(conn, &hashes)?;
        purged.photos = photos.len();
        purged.audit_events = repo::audit::delete_before(conn, cutoffs.audit)?;
        if dry_run {
            return Err(Abort::DryRun(purged));
        }
        repo::audit::record(
            conn,
            repo::audit::Event {
                client: match trigger {
                    Trigger::Command => "command",
                    Trigger::Daily => "server",
                },
                action: "purge",
                outcome: "success",
                detail: Some(purged.describe(&cutoffs)),
                ..Default::default()
            },
        )?;
        Ok((purged, photos))
    });
    match result {
        Ok((purged, photos)) => Ok((Outcome::Done(purged), photos)),
        Err(Abort::DryRun(purged)) => Ok((Outcome::DryRun(purged), Vec::new())),
        Err(Abort::Skipped) => Ok((Outcome::Skipped, Vec::new())),
        Err(Abort::Failed(e)) => Err(e),
    }
}

/// How long until the next `at` (Belgian local time) after `now`.
fn until_next(at: NaiveTime, now: chrono::DateTime<Utc>) -> Duration {
    let local = belgian_local(now);
    let mut next = local.date().and_time(at);
    if next <= local {
        next += chrono::Duration::days(1);
    }
    (from_belgian_local(next) - now)
        .to_std()
        .unwrap_or(Duration::from_secs(60))
}

/// Runs the purge every day at `at` (Belgian local time), for as long as the server runs;
/// failures are logged and retried the next day.
pub fn spawn_daily(db: Db, retention: Retention, photos: PhotoStore, at: NaiveTime) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(until_next(at, Utc::now())).await;
            let outcome = purge(&db, retention, &photos, Trigger::Daily, false).await;
            match outcome {
                Ok(Outcome::Done(purged)) => tracing::info!(?purged, "daily purge done"),
                Ok(Outcome::Skipped) => {
                    tracing::info!("daily purge skipped: another instance purges")
                }
                Ok(Outcome::DryRun(_)) => {}
                Err(e) => tracing::error!(error = ?e, "daily purge failed"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_daily_run_waits_for_the_next_occurrence() {
        let at = NaiveTime::from_hms_opt(3, 0, 0).unwrap();
        // 02:00 UTC on a winter day is 03:00 in Brussels: the next run is a day later.
        let now = NaiveDate::from_ymd_opt(2026, 11, 26)
            .unwrap()
            .and_hms_opt(2, 0, 0)
            .unwrap()
            .and_utc();
        assert_eq!(until_next(at, now), Duration::from_secs(24 * 3600));
        let before = now - chrono::Duration::minutes(30);
        assert_eq!(until_next(at, before), Duration::from_secs(30 * 60));
    }
}
