//! The server in a process of its own, started as `enclave-inspect serve [--demo]` starts it
//! and configured from the environment (`DATABASE_URL`, `BIND`, `JWT_SECRET`,
//! `JWT_SECRET_FILE`, `ATTACHMENTS_DIR` or `ATTACHMENTS_URL` with `AWS_*`, `LOG_FORMAT`, …), so
//! fault tests can kill it with SIGKILL and start it again, and start-up tests can read what it
//! prints.

use server::config::Config;

fn main() {
    if let Err(e) = server::observe::init_logging() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
    let mut config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    config.bind = std::env::var("BIND").unwrap_or_else(|_| "127.0.0.1:0".into());
    let demo = std::env::args().skip(1).any(|a| a == "--demo");
    if let Err(e) = actix_web::rt::System::new().block_on(server::serve::serve(config, demo)) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
