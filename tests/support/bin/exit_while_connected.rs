//! Returns from `main` while threads are opening PostgreSQL connections over TLS and querying
//! them, as a test process does when its last test ends with servers still running: the
//! process must exit cleanly (`tests/api/connections.rs`).

use std::time::Duration;

use diesel::connection::SimpleConnection;

fn main() {
    let url = std::env::args()
        .nth(1)
        .expect("usage: exit-while-connected <postgres-url>");
    for _ in 0..4 {
        let url = url.clone();
        std::thread::spawn(move || {
            loop {
                if let Ok(mut conn) = server::db::establish(&url) {
                    let _ = conn.batch_execute("SELECT 1");
                }
            }
        });
    }
    std::thread::sleep(Duration::from_millis(300));
}
