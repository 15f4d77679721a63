//! The server in a process of its own, configured from the environment like `enclave-inspect
//! serve` (`DATABASE_URL`, `BIND`, `JWT_SECRET`, `ATTACHMENTS_DIR`), so fault tests can kill it
//! with SIGKILL and start it again.

use server::config::Config;
use server::startup::Application;

fn main() {
    let mut config = Config::from_env().unwrap_or_else(|e| panic!("configuration: {e}"));
    config.bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:0".into());
    if let Ok(dir) = std::env::var("ATTACHMENTS_DIR") {
        config.attachments_dir = dir.into();
    }
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(config).unwrap_or_else(|e| panic!("start: {e}"));
        println!("listening on {}", app.port());
        app.run_until_stopped().await.expect("server");
    });
}
