//! `enclave-inspect serve`: start the server, with the demo data and accounts only where they
//! belong, and say where it listens without ever showing the database password.

use chrono::Utc;
use shared::rules::time::belgian_local;

pub use crate::config::masked_url;

use crate::config::Config;
use crate::demo;
use crate::startup::Application;

/// Builds and runs the server. `demo`: load the demo data and accounts (only into an empty
/// database or one seeded so before). Without it, the server refuses to start while demo
/// accounts with their published passwords are active.
pub async fn serve(config: Config, demo: bool) -> Result<(), String> {
    let url = masked_url(&config.database_url);
    let host = config
        .bind
        .rsplit_once(':')
        .map_or("127.0.0.1", |(h, _)| h)
        .to_owned();
    let app = Application::build(config)?;
    let db = app.db().clone();
    if demo {
        let today = belgian_local(Utc::now()).date();
        let loaded = actix_web::web::block(move || demo::load_if_empty(&db, today))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("serve --demo: {}", e.message_en))?;
        match loaded {
            Some(s) => println!(
                "demo data loaded: {} maatwerkbedrijven, {} hosts, {} enclaves, {} contracts, {} registrations, {} inspections",
                s.maatwerkbedrijven,
                s.hosts,
                s.enclaves,
                s.contracts,
                s.registrations,
                s.inspections
            ),
            None => println!("database already has the demo data; not loaded again"),
        }
        println!("demo accounts (demo mode only):");
        for (user, pw, role) in demo::ACCOUNTS {
            println!("  {user:<10} / {pw:<16} ({})", role.as_str());
        }
    } else {
        let live = actix_web::web::block(move || demo::live_demo_accounts(&db))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.message_en)?;
        if !live.is_empty() {
            let names = live.join(", ");
            let commands: Vec<String> = live
                .iter()
                .map(|u| format!("`enclave-inspect user disable --username {u}`"))
                .collect();
            return Err(format!(
                "demo accounts with their published passwords are active in this database \
                 ({names}): anyone could sign in with them. Disable them ({}), or start with \
                 --demo if this is a demo database",
                commands.join(", ")
            ));
        }
    }
    println!(
        "Enclave Inspect on http://{host}:{} (database: {url})",
        app.port()
    );
    app.run_until_stopped().await.map_err(|e| e.to_string())
}
