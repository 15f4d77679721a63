//! The tablet's sync planner, apart from its I/O (as atuin keeps its record sync): which
//! outbox state follows from which push outcome or failure, which base version an amendment
//! carries, how a batch the server fails on is narrowed down to the record that causes it,
//! and how large the next piece of a photo upload is. The wasm client calls these; they are
//! tested here, natively.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::dto::sync::PushOutcome;

/// Where an outbox record stands on the device.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutboxState {
    /// To be sent at the next sync (also: sent, but the server still lacks some of its photos).
    Waiting,
    /// In a push that has not been answered yet; a reload sends it again.
    Sending,
    /// On the server.
    Synced,
    /// The server refused it or has another version: the inspector must look at it.
    NeedsAttention,
}

impl OutboxState {
    /// As in `data-state` attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Waiting => "waiting",
            Self::Sending => "sending",
            Self::Synced => "synced",
            Self::NeedsAttention => "needs_attention",
        }
    }
}

/// What an outbox record becomes after a push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transition {
    pub state: OutboxState,
    /// Why (Dutch, English), shown with the record.
    pub problem: Option<(String, String)>,
    /// The inspection's version on the server, where the answer says it.
    pub server_version: Option<u32>,
    /// Photos the server still lacks: upload them, then push again.
    pub missing_photos: Vec<String>,
}

/// The state that follows from the server's answer for one record.
pub fn after_outcome(outcome: &PushOutcome) -> Transition {
    match outcome {
        PushOutcome::Applied { version } | PushOutcome::Duplicate { version } => Transition {
            state: OutboxState::Synced,
            problem: None,
            server_version: Some(*version),
            missing_photos: Vec::new(),
        },
        PushOutcome::Conflict { server_version } => Transition {
            state: OutboxState::NeedsAttention,
            problem: Some(if *server_version == 0 {
                (
                    "De server heeft de inspectie van deze aanvulling nog niet.".to_owned(),
                    "The server does not have this amendment's inspection yet.".to_owned(),
                )
            } else {
                (
                    format!(
                        "De server heeft een andere versie ({server_version}) van deze inspectie."
                    ),
                    format!(
                        "The server has another version ({server_version}) of this inspection."
                    ),
                )
            }),
            server_version: Some(*server_version),
            missing_photos: Vec::new(),
        },
        PushOutcome::MissingAttachments { sha256 } => Transition {
            state: OutboxState::Waiting,
            problem: Some((
                format!(
                    "De server mist nog {} van de foto's; ze worden opnieuw verzonden.",
                    sha256.len()
                ),
                format!(
                    "The server still lacks {} of the photos; they are sent again.",
                    sha256.len()
                ),
            )),
            server_version: None,
            missing_photos: sha256.clone(),
        },
        PushOutcome::Rejected {
            message_nl,
            message_en,
            ..
        } => Transition {
            state: OutboxState::NeedsAttention,
            problem: Some((message_nl.clone(), message_en.clone())),
            server_version: None,
            missing_photos: Vec::new(),
        },
    }
}

/// How a failed push (no per-record answers) is handled, by the HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PushFailure {
    /// The server or the way to it is down for now: every record waits for the next sync.
    Retry,
    /// The server failed on something in the batch: push each half on its own, down to the
    /// single record that fails.
    Narrow,
    /// The batch is refused as it is (malformed, too large): its records need attention.
    Refused,
}

/// Classifies a push that failed with `status` (`None`: no answer reached the tablet).
pub fn push_failure(status: Option<u16>) -> PushFailure {
    match status {
        None | Some(401 | 408 | 429 | 502 | 503 | 504) => PushFailure::Retry,
        Some(500..=599) => PushFailure::Narrow,
        Some(_) => PushFailure::Refused,
    }
}

/// The two halves a batch of `len` records is narrowed into; `None` for a single record.
pub fn halves(len: usize) -> Option<(Range<usize>, Range<usize>)> {
    (len > 1).then_some((0..len / 2, len / 2..len))
}

/// What a single record the server fails on (a 5xx alone) becomes: it needs attention when
/// the server answered other pushes of this sync (so the fault is the record's), and waits
/// otherwise (the server may just be failing for everyone).
pub fn after_server_error(server_answered_others: bool) -> OutboxState {
    if server_answered_others {
        OutboxState::NeedsAttention
    } else {
        OutboxState::Waiting
    }
}

/// The base version of a new amendment: the newest version of the inspection the device
/// knows the server has (1 after submission), plus the amendments still on their way, which
/// the server applies first, in order.
pub fn amendment_base_version(known_server_version: Option<u32>, queued_before: u32) -> u32 {
    known_server_version.unwrap_or(1).max(1) + queued_before
}

/// The base version of an amendment sent again after a conflict: the version the server
/// said it has, so the correction applies on top of what the reviewer sees.
pub fn rebased_version(conflict_server_version: u32) -> u32 {
    conflict_server_version.max(1)
}

/// Why a record the server failed on (5xx) or refused (4xx) needs attention: the server's own
/// message where it sent one, else what the status says.
pub fn failure_problem(status: u16, message: Option<(String, String)>) -> (String, String) {
    message.unwrap_or_else(|| {
        if status >= 500 {
            (
                format!("De server faalde op dit item (HTTP {status})."),
                format!("The server failed on this record (HTTP {status})."),
            )
        } else {
            (
                format!("De server weigerde dit item (HTTP {status})."),
                format!("The server refused this record (HTTP {status})."),
            )
        }
    })
}

/// Failed pushes after which narrowing stops while the server has answered none of this
/// sync's pushes: more than isolating one record of a batch of a hundred takes (eight), far
/// fewer than sending every record alone to a server that fails for everyone.
pub const NARROWING_UNANSWERED_LIMIT: u32 = 16;

/// Whether a batch the server failed on is narrowed further, after `failed_unanswered` failed
/// pushes of this sync with no answer from the server.
pub fn keep_narrowing(failed_unanswered: u32, server_answered: bool) -> bool {
    server_answered || failed_unanswered < NARROWING_UNANSWERED_LIMIT
}

/// Smallest piece of a photo upload (bytes).
pub const MIN_PIECE: u64 = 16 * 1024;
/// Largest piece of a photo upload (bytes).
pub const MAX_PIECE: u64 = 1024 * 1024;
/// The first piece, before the link's speed is known.
pub const FIRST_PIECE: u64 = 64 * 1024;
/// What one piece should take on the link as measured, well inside the request timeout.
pub const PIECE_TARGET_MILLIS: u64 = 5_000;

/// The size of the next piece, from how long the last one took (`None`: it failed, so the
/// link is worse than assumed). On a slow link each piece stays far below the request
/// timeout; on a fast one a photo goes in one or two requests.
pub fn next_piece(last_size: u64, last_millis: Option<u64>) -> u64 {
    let next = match last_millis {
        None => last_size / 4,
        Some(ms) => {
            let per_second = last_size.saturating_mul(1000) / ms.max(1);
            let target = per_second.saturating_mul(PIECE_TARGET_MILLIS) / 1000;
            // Grow at most fourfold at a time: one quick piece may be luck.
            target.min(last_size.saturating_mul(4))
        }
    };
    next.clamp(MIN_PIECE, MAX_PIECE)
}

/// The next piece of a photo of `total` bytes: from `received` (where the server's stored
/// part ends), at most `size` bytes; `None` when the server has them all.
pub fn piece_at(received: u64, size: u64, total: u64) -> Option<Range<u64>> {
    (received < total).then(|| received..total.min(received.saturating_add(size.max(1))))
}

/// The `Content-Range` header of `piece` (non-empty) of a file of `total` bytes.
pub fn content_range(piece: &Range<u64>, total: u64) -> String {
    format!(
        "bytes {}-{}/{total}",
        piece.start,
        piece.end.saturating_sub(1).max(piece.start)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_map_to_states() {
        let t = after_outcome(&PushOutcome::Applied { version: 1 });
        assert_eq!((t.state, t.server_version), (OutboxState::Synced, Some(1)));
        assert!(t.problem.is_none());
        let t = after_outcome(&PushOutcome::Duplicate { version: 3 });
        assert_eq!((t.state, t.server_version), (OutboxState::Synced, Some(3)));
        let t = after_outcome(&PushOutcome::Conflict { server_version: 2 });
        assert_eq!(t.state, OutboxState::NeedsAttention);
        assert!(t.problem.unwrap().1.contains("(2)"));
        let t = after_outcome(&PushOutcome::Conflict { server_version: 0 });
        assert!(t.problem.unwrap().1.contains("yet"));
        let t = after_outcome(&PushOutcome::MissingAttachments {
            sha256: vec!["a".repeat(64)],
        });
        assert_eq!(
            t.state,
            OutboxState::Waiting,
            "missing photos are retryable"
        );
        assert_eq!(t.missing_photos, vec!["a".repeat(64)]);
        let t = after_outcome(&PushOutcome::Rejected {
            code: crate::dto::sync::RejectionCode::ValidationFailed,
            message_nl: "nl".into(),
            message_en: "en".into(),
        });
        assert_eq!(t.state, OutboxState::NeedsAttention);
        assert_eq!(t.problem, Some(("nl".into(), "en".into())));
    }

    #[test]
    fn failures_are_retried_narrowed_or_refused() {
        assert_eq!(push_failure(None), PushFailure::Retry);
        for s in [401, 408, 429, 502, 503, 504] {
            assert_eq!(push_failure(Some(s)), PushFailure::Retry, "{s}");
        }
        assert_eq!(push_failure(Some(500)), PushFailure::Narrow);
        assert_eq!(push_failure(Some(507)), PushFailure::Narrow);
        for s in [400, 403, 413, 422] {
            assert_eq!(push_failure(Some(s)), PushFailure::Refused, "{s}");
        }
    }

    #[test]
    fn narrowing_halves_down_to_one_record() {
        assert_eq!(halves(1), None);
        assert_eq!(halves(2), Some((0..1, 1..2)));
        assert_eq!(halves(5), Some((0..2, 2..5)));
        // Every record of a batch of 100 is isolated in at most 7 halvings.
        let (mut len, mut steps) = (100, 0);
        while let Some((_, b)) = halves(len) {
            len = b.len();
            steps += 1;
        }
        assert_eq!((len, steps), (1, 7));
        assert_eq!(after_server_error(true), OutboxState::NeedsAttention);
        assert_eq!(after_server_error(false), OutboxState::Waiting);
    }

    #[test]
    fn narrowing_stops_when_the_server_fails_for_everyone() {
        // Isolating one record of a full batch takes at most 1 + 7 failed pushes.
        assert!(keep_narrowing(8, false));
        assert!(!keep_narrowing(NARROWING_UNANSWERED_LIMIT, false));
        // Once the server answers, the fault is in the records: narrow them all down.
        assert!(keep_narrowing(1_000, true));
    }

    #[test]
    fn failures_say_why() {
        let own = ("nl".to_owned(), "en".to_owned());
        assert_eq!(failure_problem(500, Some(own.clone())), own);
        let (nl, en) = failure_problem(500, None);
        assert!(nl.contains("faalde") && nl.contains("HTTP 500"), "{nl}");
        assert_eq!(en, "The server failed on this record (HTTP 500).");
        let (_, en) = failure_problem(413, None);
        assert_eq!(en, "The server refused this record (HTTP 413).");
    }

    #[test]
    fn amendments_build_on_what_the_server_will_have() {
        assert_eq!(amendment_base_version(None, 0), 1);
        assert_eq!(amendment_base_version(Some(1), 0), 1);
        assert_eq!(amendment_base_version(Some(1), 2), 3);
        assert_eq!(amendment_base_version(Some(4), 1), 5);
        assert_eq!(amendment_base_version(Some(0), 0), 1);
        assert_eq!(rebased_version(3), 3);
        assert_eq!(rebased_version(0), 1);
    }

    #[test]
    fn pieces_follow_the_link() {
        // 50 kbit/s: 64 KiB took ~10.5 s; the next piece takes ~5 s.
        let slow = next_piece(FIRST_PIECE, Some(10_500));
        assert!((30_000..33_000).contains(&slow), "{slow}");
        // 1 Mbit/s: 64 KiB took ~0.5 s; grows fourfold, then to what 5 s carry.
        let fast = next_piece(FIRST_PIECE, Some(524));
        assert_eq!(fast, 4 * FIRST_PIECE);
        assert_eq!(next_piece(fast, Some(2_100)), 624_150);
        // Loopback: capped.
        assert_eq!(next_piece(MAX_PIECE, Some(1)), MAX_PIECE);
        // A failed piece shrinks the next one, never below the floor.
        assert_eq!(next_piece(FIRST_PIECE, None), MIN_PIECE);
        assert_eq!(next_piece(MIN_PIECE, None), MIN_PIECE);
    }

    #[test]
    fn pieces_start_where_the_server_stopped() {
        assert_eq!(piece_at(0, FIRST_PIECE, 100_000), Some(0..FIRST_PIECE));
        assert_eq!(
            piece_at(65_536, FIRST_PIECE, 100_000),
            Some(65_536..100_000)
        );
        assert_eq!(piece_at(100_000, FIRST_PIECE, 100_000), None);
        assert_eq!(piece_at(120_000, FIRST_PIECE, 100_000), None);
        assert_eq!(content_range(&(0..65_536), 100_000), "bytes 0-65535/100000");
        assert_eq!(
            content_range(&(65_536..100_000), 100_000),
            "bytes 65536-99999/100000"
        );
        assert_eq!(content_range(&(0..1), 1), "bytes 0-0/1");
    }
}
