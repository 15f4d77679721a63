//! A TCP proxy in front of a test server that can cut the network: the browser talks to the
//! proxy's fixed address (its origin, with the service worker and IndexedDB, stays the same),
//! and [`Proxy::set_online`]`(false)` refuses new connections and cuts the open ones, as a
//! lost mobile connection does. Chromium's own offline emulation does not reach the service
//! worker's fetches, so it cannot stand in for this.

use std::sync::Arc;

use tokio::io::copy_bidirectional;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The proxy; it stops when dropped.
pub struct Proxy {
    pub base_url: String,
    online: Arc<watch::Sender<bool>>,
    task: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Forwards `127.0.0.1:<random port>` to `target` (`host:port`).
    pub async fn start(target: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy port");
        let port = listener.local_addr().expect("proxy address").port();
        let (online, _) = watch::channel(true);
        let online = Arc::new(online);
        let target = target.to_owned();
        let state = Arc::clone(&online);
        let task = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                let mut switch = state.subscribe();
                if !*switch.borrow() {
                    continue; // dropped: connection closed at once
                }
                let target = target.clone();
                tokio::spawn(async move {
                    let Ok(mut outbound) = TcpStream::connect(&target).await else {
                        return;
                    };
                    tokio::select! {
                        _ = copy_bidirectional(&mut inbound, &mut outbound) => {}
                        _ = switch.wait_for(|up| !*up) => {}
                    }
                });
            }
        });
        Self {
            base_url: format!("http://127.0.0.1:{port}"),
            online,
            task,
        }
    }

    /// Connects or cuts the network.
    pub fn set_online(&self, up: bool) {
        self.online.send_replace(up);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}
