//! `enclave-inspect serve`: start the server, with the demo data and accounts only where they
//! belong, and say where it listens without ever showing the database password.

use chrono::Utc;
use shared::rules::time::belgian_local;

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

/// A database URL fit to print or log: a password (in the user part or as a `password`
/// parameter) shows as `***`. A SQLite path is shown as it is.
pub fn masked_url(database_url: &str) -> String {
    let Ok(mut url) = url::Url::parse(database_url) else {
        return database_url.to_owned();
    };
    if url.cannot_be_a_base() {
        return database_url.to_owned();
    }
    if url.password().is_some() {
        // Only fails for URLs without a host, which cannot carry a password.
        let _ = url.set_password(Some("***"));
    }
    if url.query_pairs().any(|(k, _)| k == "password") {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let v = if k == "password" {
                    "***".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::masked_url;

    #[test]
    fn passwords_are_masked_paths_are_kept() {
        assert_eq!(
            masked_url("postgres://inspect:s3cr%40t@db.example:5432/inspect"),
            "postgres://inspect:***@db.example:5432/inspect"
        );
        assert_eq!(
            masked_url("postgresql://inspect@db/inspect?sslmode=require&password=s3cret"),
            "postgresql://inspect@db/inspect?sslmode=require&password=***"
        );
        assert_eq!(
            masked_url("postgres://inspect@db/inspect"),
            "postgres://inspect@db/inspect"
        );
        assert_eq!(
            masked_url("data/enclave-inspect.db"),
            "data/enclave-inspect.db"
        );
    }
}
