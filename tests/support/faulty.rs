//! An HTTP/1.1 proxy that puts the faults of a bad mobile link between a client (headless
//! Chromium, or reqwest) and a test server: answers lost after the server acted on the
//! request, uploads cut off halfway, a lost answer to a token refresh, and a slow, laggy line.
//!
//! Why on the wire: Chromium's network emulation (offline, throttling) does not reach the
//! service worker's fetches, where the app syncs. And the case a sync must survive is not the
//! request that never arrives but the one the server handled whose answer never came back: the
//! device resends, and the server must recognise the resend.
//!
//! Each client connection carries one request. The proxy reads it whole (a head and a
//! `Content-Length` body; chunked request bodies are refused), sends it to the server on a new
//! connection with `Connection: close`, reads the whole answer and passes it on with
//! `Connection: close`. Which requests fail is deterministic: "every Nth" counts from the start
//! or from the last [`FaultyProxy::set_faults`]. Like [`crate::proxy::Proxy`], it can also cut
//! the network altogether.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;
use tokio::task::{JoinHandle, JoinSet};
use tokio::time::Instant;

/// The longest request or response head the proxy accepts.
const MAX_HEAD: usize = 64 * 1024;
/// The largest request body, or whole response, the proxy holds.
const MAX_MESSAGE: usize = 32 * 1024 * 1024;
/// The kernel buffers of client connections: small, so that the kernel cannot take in a whole
/// upload while the proxy reads it at the line's pace.
const SOCKET_BUFFER: u32 = 16 * 1024;
/// How many bytes move at once on an unthrottled line.
const CHUNK: usize = 64 * 1024;
/// Headers of one connection that the proxy replaces with `Connection: close`; `Expect` goes
/// too, as the whole body is sent at once.
const CONNECTION_HEADERS: [&str; 3] = ["connection", "keep-alive", "expect"];

/// What goes wrong on the line; the default is a perfect line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Drops the response of every Nth request to `/api/…` after the server handled it: the
    /// client's connection is reset without a byte of the answer. Uploads that are cut off
    /// do not count.
    pub drop_response_every: Option<u32>,
    /// Drops the response of every request to this path (the query aside) after the server
    /// handled it, as [`Faults::drop_response_every`] does.
    pub drop_responses_to: Option<&'static str>,
    /// Cuts off every Nth `PUT /api/attachments/…`: about half of the body is read, nothing is
    /// forwarded, and the client's connection is reset.
    pub reset_upload_every: Option<u32>,
    /// Drops the responses to the first N `POST /api/auth/refresh` after the server handled
    /// them: the server rotated the tokens, the client never learns the new pair.
    pub lose_refresh_responses: u32,
    /// The line's speed in each direction; `None` is unlimited.
    pub rate_bits_per_sec: Option<u64>,
    /// Added before every request is forwarded and before every response is sent.
    pub latency: Duration,
}

impl Faults {
    /// A flaky line: every 5th API response lost, every 3rd upload cut off, and the answer to
    /// the first token refresh lost.
    pub fn bad_network() -> Self {
        Self {
            drop_response_every: Some(5),
            reset_upload_every: Some(3),
            lose_refresh_responses: 1,
            ..Self::default()
        }
    }

    /// A slow line that loses nothing.
    pub fn throttled(rate_bits_per_sec: u64, latency: Duration) -> Self {
        Self {
            rate_bits_per_sec: Some(rate_bits_per_sec),
            latency,
            ..Self::default()
        }
    }
}

/// What crossed the proxy since it started or since [`FaultyProxy::reset_stats`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// Requests whose head arrived.
    pub requests: u64,
    /// Responses the server gave that the client never got.
    pub responses_dropped: u64,
    /// Uploads cut off halfway.
    pub uploads_reset: u64,
    /// Bytes read from clients: request heads and bodies.
    pub bytes_up: u64,
    /// Bytes written to clients: response heads (as rewritten) and bodies.
    pub bytes_down: u64,
}

/// The proxy; it stops, and cuts every connection, when dropped.
pub struct FaultyProxy {
    pub base_url: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl FaultyProxy {
    /// Forwards `127.0.0.1:<random port>` to `target` (`host:port`) with `faults`.
    pub async fn start(target: &str, faults: Faults) -> Self {
        let socket = TcpSocket::new_v4().expect("proxy socket");
        // Accepted connections inherit the listening socket's buffer sizes.
        socket
            .set_recv_buffer_size(SOCKET_BUFFER)
            .expect("proxy receive buffer");
        socket
            .set_send_buffer_size(SOCKET_BUFFER)
            .expect("proxy send buffer");
        socket.bind(([127, 0, 0, 1], 0).into()).expect("proxy port");
        let listener = socket.listen(128).expect("proxy listens");
        let port = listener.local_addr().expect("proxy address").port();
        let shared = Arc::new(Shared {
            target: target.to_owned(),
            online: watch::channel(true).0,
            state: Mutex::new(State {
                faults,
                ..State::default()
            }),
        });
        let task = tokio::spawn(accept(listener, Arc::clone(&shared)));
        Self {
            base_url: format!("http://127.0.0.1:{port}"),
            shared,
            task,
        }
    }

    /// Connects or cuts the network: offline, new connections are closed at once and open
    /// ones are cut.
    pub fn set_online(&self, up: bool) {
        self.shared.online.send_replace(up);
    }

    /// Changes the faults for the requests that follow, and restarts their counting. Open
    /// connections keep the speed and latency they started with.
    pub fn set_faults(&self, faults: Faults) {
        let mut state = self.shared.lock();
        *state = State {
            faults,
            stats: state.stats,
            ..State::default()
        };
    }

    /// What crossed the proxy so far.
    pub fn stats(&self) -> Stats {
        self.shared.lock().stats
    }

    /// Starts counting [`Stats`] afresh.
    pub fn reset_stats(&self) {
        self.shared.lock().stats = Stats::default();
    }
}

impl Drop for FaultyProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What the proxy and its connections share.
struct Shared {
    target: String,
    online: watch::Sender<bool>,
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn count(&self, update: impl FnOnce(&mut Stats)) {
        update(&mut self.lock().stats);
    }
}

/// The faults and how many requests they have counted so far.
#[derive(Default)]
struct State {
    faults: Faults,
    api_requests: u64,
    uploads: u64,
    refreshes_lost: u32,
    stats: Stats,
}

/// What becomes of one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Deliver,
    /// Forwarded and handled; the answer is lost.
    DropResponse,
    /// Cut off halfway through its body; the server sees nothing.
    ResetUpload,
}

impl State {
    /// Counts a request and decides its fate.
    fn admit(&mut self, request: &Request) -> Fate {
        self.stats.requests += 1;
        if request.is_upload() {
            self.uploads += 1;
            if is_nth(self.uploads, self.faults.reset_upload_every) {
                return Fate::ResetUpload;
            }
        }
        if !request.is_api() {
            return Fate::Deliver;
        }
        self.api_requests += 1;
        let lose_refresh =
            request.is_refresh() && self.refreshes_lost < self.faults.lose_refresh_responses;
        if lose_refresh {
            self.refreshes_lost += 1;
        }
        let to_path = self
            .faults
            .drop_responses_to
            .is_some_and(|path| request.path.split('?').next() == Some(path));
        if lose_refresh || to_path || is_nth(self.api_requests, self.faults.drop_response_every) {
            Fate::DropResponse
        } else {
            Fate::Deliver
        }
    }
}

fn is_nth(count: u64, every: Option<u32>) -> bool {
    every.is_some_and(|n| n > 0 && count.is_multiple_of(u64::from(n)))
}

/// The parts of a request head that decide its fate.
struct Request {
    method: String,
    path: String,
    content_length: usize,
}

impl Request {
    /// `None` for anything but an HTTP/1.x request with a `Content-Length` body (or none).
    fn parse(head: &[u8]) -> Option<Self> {
        let start = std::str::from_utf8(start_line(head)).ok()?;
        let mut parts = start.split(' ');
        let (method, path, version) = (parts.next()?, parts.next()?, parts.next()?);
        if !version.starts_with("HTTP/1.") || parts.next().is_some() {
            return None;
        }
        if header(head, "transfer-encoding").is_some() {
            return None;
        }
        let content_length = match header(head, "content-length") {
            Some(value) => std::str::from_utf8(value).ok()?.parse().ok()?,
            None => 0,
        };
        (content_length <= MAX_MESSAGE).then(|| Self {
            method: method.to_owned(),
            path: path.to_owned(),
            content_length,
        })
    }

    fn is_api(&self) -> bool {
        self.path.starts_with("/api/")
    }

    fn is_upload(&self) -> bool {
        self.method == "PUT" && self.path.starts_with("/api/attachments/")
    }

    fn is_refresh(&self) -> bool {
        self.method == "POST" && self.path.split('?').next() == Some("/api/auth/refresh")
    }
}

/// The first line of a head, without its line end.
fn start_line(head: &[u8]) -> &[u8] {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The header lines of a head (without the start line and the blank line at the end).
fn header_lines(head: &[u8]) -> impl Iterator<Item = &[u8]> {
    head.split(|&b| b == b'\n')
        .skip(1)
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line))
        .filter(|line| !line.is_empty())
}

/// A header line's name and value, trimmed.
fn split_header(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let colon = line.iter().position(|&b| b == b':')?;
    Some((line[..colon].trim_ascii(), line[colon + 1..].trim_ascii()))
}

/// The value of the first header called `name`.
fn header<'a>(head: &'a [u8], name: &str) -> Option<&'a [u8]> {
    header_lines(head)
        .filter_map(split_header)
        .find(|(n, _)| n.eq_ignore_ascii_case(name.as_bytes()))
        .map(|(_, value)| value)
}

/// `head` with its connection headers replaced by `Connection: close`.
fn closing(head: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(head.len() + 20);
    out.extend_from_slice(start_line(head));
    out.extend_from_slice(b"\r\n");
    for line in header_lines(head) {
        let connection = split_header(line).is_some_and(|(name, _)| {
            CONNECTION_HEADERS
                .iter()
                .any(|h| name.eq_ignore_ascii_case(h.as_bytes()))
        });
        if !connection {
            out.extend_from_slice(line);
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(b"Connection: close\r\n\r\n");
    out
}

/// Where the blank line after a head ends, looking from `from` on.
fn head_end(buf: &[u8], from: usize) -> Option<usize> {
    buf.get(from..)?
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| from + i + 4)
}

/// Keeps the bytes moving towards or from a client at the line's speed.
struct Pacer {
    rate_bits_per_sec: Option<u64>,
    started: Instant,
    moved: u64,
}

impl Pacer {
    fn new(rate_bits_per_sec: Option<u64>) -> Self {
        Self {
            rate_bits_per_sec: rate_bits_per_sec.filter(|&rate| rate > 0),
            started: Instant::now(),
            moved: 0,
        }
    }

    /// How many bytes to move at once: about 10 ms of the line.
    fn slice(&self) -> usize {
        self.rate_bits_per_sec.map_or(CHUNK, |rate| {
            usize::try_from(rate / 800).map_or(CHUNK, |bytes| bytes.clamp(64, CHUNK))
        })
    }

    /// Records `bytes` moved, then waits until the line could have carried all of them.
    async fn moved(&mut self, bytes: usize) {
        self.moved += bytes as u64;
        if let Some(rate) = self.rate_bits_per_sec {
            let nanos = u128::from(self.moved) * 8 * 1_000_000_000 / u128::from(rate);
            let due = Duration::from_nanos(u64::try_from(nanos).unwrap_or(u64::MAX));
            tokio::time::sleep_until(self.started + due).await;
        }
    }
}

/// The client's side of one connection: reads and writes at the line's pace, counted.
struct Client<'a> {
    stream: TcpStream,
    shared: &'a Shared,
    pacer: Pacer,
}

impl Client<'_> {
    /// Appends up to `max` more bytes from the client to `buf`; `None` at its end or on an error.
    async fn read(&mut self, buf: &mut Vec<u8>, max: usize) -> Option<()> {
        let old = buf.len();
        buf.resize(old + max.min(self.pacer.slice()), 0);
        let read = self.stream.read(&mut buf[old..]).await;
        let n = read.unwrap_or(0);
        buf.truncate(old + n);
        if n == 0 {
            return None;
        }
        self.shared.count(|s| s.bytes_up += n as u64);
        self.pacer.moved(n).await;
        Some(())
    }

    /// A request head, and whatever of the body came with it.
    async fn read_head(&mut self) -> Option<(Vec<u8>, Vec<u8>)> {
        let mut buf = Vec::new();
        loop {
            // The blank line may straddle the last read.
            let searched = buf.len().saturating_sub(3);
            self.read(&mut buf, CHUNK).await?;
            if let Some(end) = head_end(&buf, searched) {
                let body = buf.split_off(end);
                return Some((buf, body));
            }
            if buf.len() > MAX_HEAD {
                return None;
            }
        }
    }

    /// Reads until `body` holds at least `len` bytes.
    async fn read_body(&mut self, body: &mut Vec<u8>, len: usize) -> Option<()> {
        while body.len() < len {
            let missing = len - body.len();
            self.read(body, missing).await?;
        }
        Some(())
    }

    /// Writes the whole answer, then closes.
    async fn write(&mut self, data: &[u8]) -> Option<()> {
        // The answer has the line to itself from now on.
        self.pacer = Pacer::new(self.pacer.rate_bits_per_sec);
        for piece in data.chunks(self.pacer.slice()) {
            self.stream.write_all(piece).await.ok()?;
            self.shared.count(|s| s.bytes_down += piece.len() as u64);
            self.pacer.moved(piece.len()).await;
        }
        self.stream.shutdown().await.ok()
    }

    /// Closes with a reset, as a connection that dies does.
    fn reset(self) {
        let _ = self.stream.set_zero_linger();
    }
}

/// Takes connections and serves each in a task of its own until the proxy is dropped.
async fn accept(listener: TcpListener, shared: Arc<Shared>) {
    // Owned by this task: aborting it when the proxy is dropped aborts every connection.
    let mut connections = JoinSet::new();
    while let Ok((client, _)) = listener.accept().await {
        while connections.try_join_next().is_some() {}
        let mut switch = shared.online.subscribe();
        if !*switch.borrow() {
            continue; // dropped: connection closed at once
        }
        let shared = Arc::clone(&shared);
        connections.spawn(async move {
            tokio::select! {
                _ = serve(&shared, client) => {}
                _ = switch.wait_for(|up| !*up) => {}
            }
        });
    }
}

/// Carries one request and its answer, with the faults it is due; `None` when the connection
/// ends early or the exchange is malformed.
async fn serve(shared: &Shared, stream: TcpStream) -> Option<()> {
    let line = shared.lock().faults.clone();
    let mut client = Client {
        stream,
        shared,
        pacer: Pacer::new(line.rate_bits_per_sec),
    };
    let (head, mut body) = client.read_head().await?;
    let request = Request::parse(&head)?;
    let fate = shared.lock().admit(&request);
    if fate == Fate::ResetUpload {
        client
            .read_body(&mut body, request.content_length / 2)
            .await?;
        shared.count(|s| s.uploads_reset += 1);
        client.reset();
        return Some(());
    }
    client.read_body(&mut body, request.content_length).await?;
    body.truncate(request.content_length);
    tokio::time::sleep(line.latency).await;
    let mut forward = closing(&head);
    forward.extend_from_slice(&body);
    let response = exchange(&shared.target, &forward).await?;
    if fate == Fate::DropResponse {
        shared.count(|s| s.responses_dropped += 1);
        client.reset();
        return Some(());
    }
    let end = head_end(&response, 0).filter(|_| response.starts_with(b"HTTP/1."))?;
    let mut answer = closing(&response[..end]);
    answer.extend_from_slice(&response[end..]);
    tokio::time::sleep(line.latency).await;
    client.write(&answer).await
}

/// Sends `request` to `target` on a new connection and reads the whole answer.
async fn exchange(target: &str, request: &[u8]) -> Option<Vec<u8>> {
    let mut upstream = TcpStream::connect(target).await.ok()?;
    upstream.write_all(request).await.ok()?;
    let mut response = Vec::new();
    let limit = MAX_MESSAGE as u64;
    (&mut upstream)
        .take(limit + 1)
        .read_to_end(&mut response)
        .await
        .ok()?;
    (response.len() as u64 <= limit).then_some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(head: &str) -> Option<Request> {
        Request::parse(head.as_bytes())
    }

    #[test]
    fn requests_are_read_from_their_head() {
        let r = request("PUT /api/attachments/ab HTTP/1.1\r\nContent-Length: 12\r\n\r\n").unwrap();
        assert_eq!(
            (r.is_upload(), r.is_api(), r.content_length),
            (true, true, 12)
        );
        let r = request("POST /api/auth/refresh?x=1 HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
        assert!(r.is_refresh() && r.content_length == 0);
        assert!(!request("GET /app.wasm HTTP/1.1\r\n\r\n").unwrap().is_api());
        for bad in [
            "POST /api/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
            "POST /api/x HTTP/1.1\r\nContent-Length: lots\r\n\r\n",
            "POST /api/x HTTP/1.1\r\nContent-Length: 999999999999\r\n\r\n",
            "GET /\r\n\r\n",
            "\r\n\r\n",
        ] {
            assert!(request(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn heads_are_rewritten_to_close() {
        let head = b"HTTP/1.1 200 OK\r\nconnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\
                     Content-Length: 2\r\n\r\n";
        assert_eq!(
            closing(head),
            b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"
        );
    }

    #[test]
    fn every_nth_api_request_fails() {
        let mut state = State {
            faults: Faults::bad_network(),
            ..State::default()
        };
        let fates = |state: &mut State, head: &str, n: usize| -> Vec<Fate> {
            let r = request(head).unwrap();
            (0..n).map(|_| state.admit(&r)).collect()
        };
        let refresh = "POST /api/auth/refresh HTTP/1.1\r\n\r\n";
        assert_eq!(
            fates(&mut state, refresh, 2),
            [Fate::DropResponse, Fate::Deliver]
        );
        // Uploads count as API requests unless they are cut off.
        let upload = "PUT /api/attachments/ab HTTP/1.1\r\nContent-Length: 4\r\n\r\n";
        assert_eq!(
            fates(&mut state, upload, 3),
            [Fate::Deliver, Fate::Deliver, Fate::ResetUpload]
        );
        let pull = "GET /api/sync/pull HTTP/1.1\r\n\r\n";
        assert_eq!(
            fates(&mut state, pull, 2),
            [Fate::DropResponse, Fate::Deliver]
        );
        assert_eq!(
            fates(&mut state, "GET / HTTP/1.1\r\n\r\n", 5),
            [Fate::Deliver; 5]
        );
        assert_eq!(state.stats.requests, 12);
    }
}
