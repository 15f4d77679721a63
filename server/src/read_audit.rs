//! Audit rows of reads of personal data, committed in groups (group commit).
//!
//! The enclave page names the day's team, so every read of it leaves an audit row, and it is
//! the inspectors' most opened screen. Written one by one, those rows made concurrent page
//! reads queue for the database (and on SQLite for its single writer). Here each read hands its
//! row to a queue and waits until a group holding it is committed: the answer still leaves
//! only after its row is durable, so the trail stays complete, while the reads of one moment
//! share one insert and one commit.

use std::sync::{Arc, Mutex, PoisonError};

use diesel::Connection;
use tokio::sync::oneshot;

use crate::db::Db;
use crate::db::repo::audit::{self, Event};
use crate::db::rows::AuditEventRow;
use crate::error::AppError;

/// The queue of rows waiting for the next group.
#[derive(Default)]
struct Queue {
    rows: Vec<AuditEventRow>,
    /// Told whether the group holding their row was committed.
    waiting: Vec<oneshot::Sender<bool>>,
    /// Whether a writer is running; it takes the queue until it finds it empty.
    writing: bool,
}

/// Writes audit rows in groups; one per server instance.
pub struct ReadAudit {
    db: Db,
    queue: Arc<Mutex<Queue>>,
}

impl ReadAudit {
    /// A writer of audit rows into `db`.
    pub fn new(db: Db) -> Self {
        Self {
            db,
            queue: Arc::default(),
        }
    }

    /// Records `event` (stamped now) and returns once it is committed.
    pub async fn record(&self, event: Event<'_>) -> Result<(), AppError> {
        let (done, committed) = oneshot::channel();
        let start_writer = {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            queue.rows.push(event.into_row());
            queue.waiting.push(done);
            !std::mem::replace(&mut queue.writing, true)
        };
        if start_writer {
            actix_web::rt::spawn(write_groups(self.db.clone(), self.queue.clone()));
        }
        match committed.await {
            Ok(true) => Ok(()),
            _ => Err(AppError::internal("audit row not written")),
        }
    }
}

/// Commits what is queued, group after group, until the queue is empty.
async fn write_groups(db: Db, queue: Arc<Mutex<Queue>>) {
    let mut writer = Writer {
        queue,
        finished: false,
    };
    loop {
        let (rows, waiting) = {
            let mut queue = writer.queue.lock().unwrap_or_else(PoisonError::into_inner);
            if queue.rows.is_empty() {
                queue.writing = false;
                writer.finished = true;
                return;
            }
            (
                std::mem::take(&mut queue.rows),
                std::mem::take(&mut queue.waiting),
            )
        };
        let written = db
            .run(move |conn| {
                conn.transaction(|conn| audit::record_rows(conn, &rows))
                    .map_err(AppError::from)
            })
            .await;
        for done in waiting {
            // A reader that went away still has its row written; nobody to tell.
            let _ = done.send(written.is_ok());
        }
    }
}

/// The running writer: if it is dropped unfinished (the server stops), the next row queued
/// starts another.
struct Writer {
    queue: Arc<Mutex<Queue>>,
    finished: bool,
}

impl Drop for Writer {
    fn drop(&mut self) {
        if !self.finished {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            queue.writing = false;
        }
    }
}
