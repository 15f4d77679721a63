//! Keep-alive: the server keeps an idle connection open longer than any test client keeps
//! one for reuse, so a client never sends on a connection the server has just closed (a
//! reset that once failed a run on a busy machine).

use std::time::Duration;

use server::config::Config;
use tests::{Backend, CLIENT_IDLE_TIMEOUT, TestApp};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
