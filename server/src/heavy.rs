//! Turns for heavy reads (the planning, its facts, the yearly reports and statistics, the
//! register's export): each user computes one at a time on an instance, and may have a few
//! more waiting; beyond that the answer is 429 `rate_limited`. A user who fires requests in a
//! loop thus slows only themselves, never another user, and never more than one of the
//! instance's database connections is busy with one user's heavy reads. Normal use (a page
//! and the tablet's preparation at once, two tabs) waits a moment and is never refused.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use shared::error::ErrorCode;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::AppError;

/// How many of one user's heavy reads may wait while one is computed.
pub const WAITING: usize = 4;
/// The wait a refused heavy read is told (`Retry-After`): about a few reads' time.
pub const RETRY_AFTER_SECS: u32 = 5;

/// The turns of every user with a heavy read under way or waiting.
#[derive(Default)]
pub struct HeavyReads {
    users: Mutex<HashMap<String, Queue>>,
}

/// One user's queue: one permit, and how many reads hold it or wait for it.
struct Queue {
    permit: Arc<Semaphore>,
    reads: usize,
}

/// A user's turn: held while the read is computed; the next one goes when it is dropped
/// (also when the client goes away while it waits).
pub struct Turn<'a> {
    reads: &'a HeavyReads,
    user: String,
    permit: Option<OwnedSemaphorePermit>,
}

impl HeavyReads {
    /// Waits for `user`'s turn; refused (429) when [`WAITING`] of their reads already wait.
    pub async fn turn(&self, user: &str) -> Result<Turn<'_>, AppError> {
        let permit = {
            let mut users = self.lock();
            let queue = users.entry(user.to_owned()).or_insert_with(|| Queue {
                permit: Arc::new(Semaphore::new(1)),
                reads: 0,
            });
            if queue.reads > WAITING {
                return Err(AppError::new(
                    ErrorCode::RateLimited,
                    format!(
                        "Te veel zware opvragingen tegelijk. Probeer opnieuw over {RETRY_AFTER_SECS} s."
                    ),
                    format!("Too many heavy requests at once. Try again in {RETRY_AFTER_SECS} s."),
                )
                .retry_after(RETRY_AFTER_SECS));
            }
            queue.reads += 1;
            Arc::clone(&queue.permit)
        };
        let mut turn = Turn {
            reads: self,
            user: user.to_owned(),
            permit: None,
        };
        // The semaphore is never closed.
        turn.permit = permit.acquire_owned().await.ok();
        Ok(turn)
    }

    /// Users with a heavy read under way or waiting.
    pub fn users(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Queue>> {
        self.users.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.permit.take();
        let mut users = self.reads.lock();
        if let Some(queue) = users.get_mut(&self.user) {
            queue.reads -= 1;
            if queue.reads == 0 {
                users.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_user_reads_one_at_a_time_and_a_few_wait() {
        let reads = HeavyReads::default();
        let (ines, rita) = ("ines", "rita");
        let first = reads.turn(ines).await.expect("the first turn");

        // Four more of Inès's wait; a fifth is refused; Rita is not held up.
        let waiting: Vec<_> = (0..WAITING).map(|_| Box::pin(reads.turn(ines))).collect();
        let mut waiting: Vec<_> = waiting
            .into_iter()
            .map(|mut w| {
                let polled = futures_poll_once(&mut w);
                assert!(polled.is_none(), "waits for the first");
                w
            })
            .collect();
        let refused = reads.turn(ines).await.err().expect("a fifth is refused");
        assert_eq!(refused.code, ErrorCode::RateLimited);
        let answer = actix_web::ResponseError::error_response(&refused);
        assert_eq!(
            answer.status(),
            actix_web::http::StatusCode::TOO_MANY_REQUESTS
        );
        assert_eq!(
            answer.headers().get("retry-after").map(|v| v.as_bytes()),
            Some(&b"5"[..])
        );
        let other = tokio::time::timeout(Duration::from_secs(1), reads.turn(rita))
            .await
            .expect("another user does not wait")
            .expect("another user's turn");
        drop(other);

        // The first done, the next goes; when all are done, nothing is kept.
        drop(first);
        let next = tokio::time::timeout(Duration::from_secs(1), waiting.remove(0))
            .await
            .expect("the next one goes")
            .expect("its turn");
        assert!(
            futures_poll_once(&mut waiting[0]).is_none(),
            "one at a time"
        );
        drop(next);
        for w in waiting {
            drop(w.await.expect("a turn"));
        }
        assert_eq!(reads.users(), 0);
    }

    /// Polls `future` once, as an executor would.
    fn futures_poll_once<F: std::future::Future + Unpin>(future: &mut F) -> Option<F::Output> {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        match std::pin::Pin::new(future).poll(&mut cx) {
            std::task::Poll::Ready(v) => Some(v),
            std::task::Poll::Pending => None,
        }
    }
}
