//! Connections within limits, so slow or numerous clients cannot hold the server:
//!
//! - a cap on open connections per peer address ([`ConnectionCounts`], from the
//!   `on_connect` hook): a connection beyond it is shut down as it is accepted. Trusted
//!   proxies are exempt (every user behind one shares its address; the proxy limits its own
//!   clients), so the cap is per peer, not per forwarded client;
//! - a minimum transfer rate for request bodies ([`pace_bodies`]): after a grace time a body
//!   must keep up an average rate, else the read fails and the answer is a 408 that closes
//!   the connection (request heads have actix's own `client_request_timeout`);
//! - the process's open-file limit raised to its hard limit ([`raise_open_file_limit`]).

use std::any::Any;
use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, Shutdown};
use std::pin::Pin;
use std::rc::Rc;
use std::sync::{Arc, Mutex, Once};
use std::task::{Context, Poll};
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Extensions, Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::ConnectionType;
use actix_web::middleware::Next;
use actix_web::rt::net::TcpStream;
use actix_web::rt::time::{Instant, Sleep, sleep_until};
use actix_web::web::{self, Bytes};
use actix_web::{HttpMessage, ResponseError};
use futures_core::Stream;
use ipnet::IpNet;
use shared::error::ErrorCode;

use crate::config::ConnectionLimits;
use crate::error::AppError;
use crate::state::AppState;

/// Open connections per peer address, shared by all workers.
#[derive(Debug, Clone, Default)]
pub struct ConnectionCounts(Arc<Mutex<HashMap<IpAddr, usize>>>);

/// One open connection's place in its peer's count, given back when the connection ends
/// (actix drops a connection's data with the connection).
#[derive(Debug)]
struct ConnectionSlot {
    counts: ConnectionCounts,
    peer: IpAddr,
}

impl ConnectionCounts {
    /// The `on_connect` hook: counts the new connection of an untrusted peer, or shuts it
    /// down when that peer already holds `limit` connections.
    pub fn on_connect(
        &self,
        limit: usize,
        trusted: &[IpNet],
    ) -> impl Fn(&dyn Any, &mut Extensions) + Send + Sync + 'static {
        let counts = self.clone();
        let trusted = trusted.to_vec();
        move |io, data| {
            let Some(stream) = io.downcast_ref::<TcpStream>() else {
                return;
            };
            let Ok(peer) = stream.peer_addr().map(|a| a.ip().to_canonical()) else {
                return;
            };
            if trusted.iter().any(|net| net.contains(&peer)) {
                return;
            }
            match counts.open(peer, limit) {
                Some(slot) => {
                    data.insert(slot);
                }
                None => {
                    tracing::warn!(%peer, limit, "connection refused: too many from this client");
                    // The dispatcher then reads end of stream and drops the connection.
                    let _ = socket2::SockRef::from(stream).shutdown(Shutdown::Both);
                }
            }
        }
    }

    /// Takes a place for `peer` unless it holds `limit` already.
    fn open(&self, peer: IpAddr, limit: usize) -> Option<ConnectionSlot> {
        let mut counts = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let open = counts.entry(peer).or_default();
        if *open >= limit {
            return None;
        }
        *open += 1;
        Some(ConnectionSlot {
            counts: self.clone(),
            peer,
        })
    }
}

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        let mut counts = self.counts.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(open) = counts.get_mut(&self.peer) {
            *open -= 1;
            if *open == 0 {
                counts.remove(&self.peer);
            }
        }
    }
}

/// Middleware: every request body is read through a [`PacedBody`]; when one falls below the
/// minimum rate the answer is a 408 and the connection is closed, whatever the handler made of
/// the failed read.
pub async fn pace_bodies(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let limits = req
        .app_data::<web::Data<AppState>>()
        .map(|state| state.config.connection_limits);
    let Some(limits) = limits else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let too_slow = Rc::new(Cell::new(false));
    let body = PacedBody {
        inner: req.take_payload(),
        limits,
        started: Instant::now(),
        received: 0,
        deadline: None,
        too_slow: too_slow.clone(),
    };
    req.set_payload(Payload::from(
        Box::pin(body) as Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>
    ));
    let res = next.call(req).await?;
    if !too_slow.get() {
        return Ok(res.map_into_boxed_body());
    }
    tracing::warn!(path = %res.request().path(), "request body too slow: connection closed");
    let (req, _) = res.into_parts();
    let mut answer = body_too_slow(&limits).error_response();
    answer.head_mut().set_connection_type(ConnectionType::Close);
    Ok(ServiceResponse::new(req, answer))
}

/// 408: the body did not keep up the minimum rate.
fn body_too_slow(limits: &ConnectionLimits) -> AppError {
    let rate = limits.body_min_bytes_per_sec;
    AppError::new(
        ErrorCode::RequestTimeout,
        format!("De aanvraag kwam te traag binnen (minder dan {rate} bytes per seconde)."),
        format!("The request arrived too slowly (less than {rate} bytes per second)."),
    )
}

/// A request body that fails once it has taken longer than the grace time plus the time its
/// bytes so far would take at the minimum rate: bytes that came quickly bank time for a
/// stall later, a body trickling a byte a second is cut off just after the grace time.
struct PacedBody {
    inner: Payload,
    limits: ConnectionLimits,
    started: Instant,
    received: u64,
    /// Created at the first wait, so a request without a body costs no timer.
    deadline: Option<Pin<Box<Sleep>>>,
    too_slow: Rc<Cell<bool>>,
}

impl PacedBody {
    /// When the body is too slow unless more arrives.
    fn due(&self) -> Instant {
        let earned = Duration::from_secs_f64(
            self.received as f64 / self.limits.body_min_bytes_per_sec as f64,
        );
        self.started + self.limits.body_grace + earned
    }
}

impl Stream for PacedBody {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.too_slow.get() {
            return Poll::Ready(Some(Err(too_slow_error())));
        }
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Ok(bytes))) => {
                this.received += bytes.len() as u64;
                return Poll::Ready(Some(Ok(bytes)));
            }
            Poll::Ready(other) => return Poll::Ready(other),
            Poll::Pending => {}
        }
        let due = this.due();
        let deadline = this
            .deadline
            .get_or_insert_with(|| Box::pin(sleep_until(due)));
        if deadline.deadline() != due {
            deadline.as_mut().reset(due);
        }
        if deadline.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        this.too_slow.set(true);
        Poll::Ready(Some(Err(too_slow_error())))
    }
}

/// The read error of a body below the minimum rate (answered with a 408 by [`pace_bodies`]).
fn too_slow_error() -> PayloadError {
    PayloadError::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "request body too slow",
    ))
}

/// Raises the soft limit on open files to the hard limit (once per process) and logs both:
/// every connection is a file.
pub fn raise_open_file_limit() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let before = rlimit::Resource::NOFILE.get().map_or(0, |(soft, _)| soft);
        match rlimit::increase_nofile_limit(u64::MAX) {
            Ok(now) => tracing::info!(before, now, "open-file limit raised to the hard limit"),
            Err(e) => tracing::warn!(before, error = %e, "cannot raise the open-file limit"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_peer_gets_its_places_back_when_connections_end() {
        let counts = ConnectionCounts::default();
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let first = counts.open(a, 2).expect("first");
        let second = counts.open(a, 2).expect("second");
        assert!(
            counts.open(a, 2).is_none(),
            "the third of one peer is refused"
        );
        assert!(counts.open(b, 2).is_some(), "another peer is not");
        drop(first);
        let third = counts.open(a, 2).expect("a place came free");
        drop((second, third));
        assert!(
            counts.0.lock().unwrap().get(&a).is_none(),
            "no entry left behind"
        );
    }
}
