//! Keep-alive: the server keeps an idle connection open longer than any test client keeps
//! one for reuse, so a client never sends on a connection the server has just closed (a
//! reset that once failed a run on a busy machine). Limits: a request body trickled below the
//! minimum rate is cut off while health answers, and a client beyond its cap of connections
//! is refused while another client is served. These run on SQLite only: the limits act on
//! connections before any handler touches the database.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use server::config::Config;
use tests::{Backend, CLIENT_IDLE_TIMEOUT, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// Reads one `/healthz` answer (headers and a small body) from the stream.
async fn health_answer(stream: &mut TcpStream) -> String {
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .expect("request written");
    let mut buf = vec![0u8; 4096];
    let mut answer = String::new();
    while !answer.contains("\r\n\r\n") || !answer.trim_end().ends_with('}') {
        let n = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf))
            .await
            .expect("answer in time")
            .expect("read");
        assert!(
            n > 0,
            "the server closed the connection; so far: {answer:?}"
        );
        answer.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    answer
}

#[test]
fn the_server_outlives_the_clients_idle_timeout() {
    let keep_alive = Config::new("unused.db").keep_alive;
    assert!(
        keep_alive >= CLIENT_IDLE_TIMEOUT * 2,
        "keep-alive {keep_alive:?} must leave room beyond the clients' {CLIENT_IDLE_TIMEOUT:?}"
    );
}

/// An idle connection is still served after actix's old default of 5 s.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_connection_is_kept_past_five_seconds() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let address = app.base_url.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&address).await.expect("connect");
    assert!(health_answer(&mut stream).await.starts_with("HTTP/1.1 200"));
    tokio::time::sleep(Duration::from_secs(7)).await;
    assert!(health_answer(&mut stream).await.starts_with("HTTP/1.1 200"));
}

/// A connection to the app from `local` (any 127.x.y.z address: each is another client).
async fn connect_from(app: &TestApp, local: &str) -> TcpStream {
    let server: SocketAddr = app
        .base_url
        .trim_start_matches("http://")
        .parse()
        .expect("server address");
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(format!("{local}:0").parse().expect("local address"))
        .expect("bind");
    socket.connect(server).await.expect("connect")
}

/// Reads until the server closes the connection (or resets it); what it sent before.
async fn read_until_closed(stream: &mut TcpStream, within: Duration) -> String {
    let mut buf = vec![0u8; 4096];
    let mut answer = String::new();
    loop {
        match tokio::time::timeout(within, stream.read(&mut buf))
            .await
            .expect("the server closed the connection in time")
        {
            Ok(0) | Err(_) => return answer,
            Ok(n) => answer.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_trickled_body_is_cut_off_while_health_answers() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.connection_limits.body_grace = Duration::from_secs(1);
        c.connection_limits.body_min_bytes_per_sec = 1000;
    })
    .await;
    let mut slow = connect_from(&app, "127.0.0.1").await;
    let started = Instant::now();
    slow.write_all(
        b"POST /api/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
          Content-Length: 1000\r\n\r\n{",
    )
    .await
    .expect("head written");
    let (mut reader, mut writer) = slow.into_split();
    // A byte a second, until the server hangs up.
    let trickle = tokio::spawn(async move {
        for byte in b"\"username\": \"ines\", ".iter().cycle().take(600) {
            tokio::time::sleep(Duration::from_secs(1)).await;
            if writer.write_all(&[*byte]).await.is_err() {
                return;
            }
        }
    });
    // Meanwhile the server answers others.
    let res = app
        .client
        .get(format!("{}/healthz", app.base_url))
        .send()
        .await
        .expect("health");
    assert_eq!(res.status(), 200);

    let mut buf = vec![0u8; 4096];
    let mut answer = String::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(30), reader.read(&mut buf))
            .await
            .expect("the slow body was cut off in time")
        {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.push_str(&String::from_utf8_lossy(&buf[..n])),
        }
    }
    let took = started.elapsed();
    trickle.abort();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer:?}");
    assert!(answer.contains("request_timeout"), "{answer:?}");
    // Cut off just after the 1 s grace (generously bounded for a loaded machine), long
    // before the 1000 bytes would have arrived at this pace.
    assert!(took < Duration::from_secs(20), "took {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_at_a_steady_rate_may_take_longer_than_the_grace() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| {
        c.connection_limits.body_grace = Duration::from_secs(1);
        c.connection_limits.body_min_bytes_per_sec = 100;
    })
    .await;
    let body = format!(
        r#"{{"username": "nobody", "password": "{}"}}"#,
        "x".repeat(900)
    );
    let mut stream = connect_from(&app, "127.0.0.1").await;
    stream
        .write_all(
            format!(
                "POST /api/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )
            .as_bytes(),
        )
        .await
        .expect("head");
    let started = Instant::now();
    // 100 bytes every 50 ms (20 times the minimum rate), a pause of 1.5 s that the bytes so
    // far have paid for (some 4.8 s), then the rest.
    let bytes = body.as_bytes();
    let (first, rest) = bytes.split_at(bytes.len() / 2);
    for piece in first.chunks(100) {
        stream.write_all(piece).await.expect("piece");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for piece in rest.chunks(100) {
        stream.write_all(piece).await.expect("piece");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        started.elapsed() > Duration::from_secs(1),
        "longer than the grace"
    );
    let answer = read_until_closed(&mut stream, Duration::from_secs(30)).await;
    assert!(
        answer.starts_with("HTTP/1.1 401"),
        "the login was read: {answer:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_a_clients_cap_are_refused_while_another_is_served() {
    let app = TestApp::spawn_with(Backend::Sqlite, |c| c.connection_limits.per_client = 3).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = connect_from(&app, "127.0.0.1").await;
        assert!(health_answer(&mut stream).await.starts_with("HTTP/1.1 200"));
        held.push(stream);
    }
    // A fourth from the same address is closed unanswered.
    let mut fourth = connect_from(&app, "127.0.0.1").await;
    let _ = fourth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        .await;
    let answer = read_until_closed(&mut fourth, Duration::from_secs(10)).await;
    assert_eq!(answer, "", "refused without an answer");
    // Another client is served meanwhile.
    let mut other = connect_from(&app, "127.0.0.2").await;
    assert!(health_answer(&mut other).await.starts_with("HTTP/1.1 200"));
    // Once one of the three is closed, the first client gets a place again.
    drop(held.pop());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let mut again = connect_from(&app, "127.0.0.1").await;
        let _ = again
            .write_all(b"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            .await;
        let answer = read_until_closed(&mut again, Duration::from_secs(10)).await;
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        assert!(Instant::now() < deadline, "no place came free: {answer:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
