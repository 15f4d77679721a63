//! `enclave-inspect`: serve the API and the PWA, run migrations, manage users.

use clap::{Parser, Subcommand};
use server::backup;
use server::cli::UserCommand;
use server::config::Config;
use server::db::Db;
use server::photos::PhotoStore;
use server::retention;

#[derive(Parser)]
#[command(
    name = "enclave-inspect",
    version,
    about = "Enclave Inspect: on-site checks of enclavewerking"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the PWA (DATABASE_URL picks the database; SQLite under data/ by default).
    Serve {
        /// Fill an empty database with realistic demo data and the three demo accounts
        /// (refused on a database with other accounts or data).
        #[arg(long)]
        demo: bool,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "BIND")]
        bind: String,
    },
    /// Run pending database migrations and exit.
    Migrate,
    /// Manage the token signing keys.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Delete what is older than the retention settings allow (RETENTION_*_DAYS), photo files
    /// included, and say what went; the server also does this daily (PURGE_DAILY_AT).
    Purge {
        /// Only say what would go; delete nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write a consistent copy of the database and the photos into DIR while servers keep
    /// running (SQLite: VACUUM INTO; PostgreSQL: pg_dump --format=custom); into an earlier
    /// backup's DIR, only new photos are copied.
    Backup {
        /// The backup directory (created if missing).
        #[arg(long, value_name = "DIR")]
        to: std::path::PathBuf,
    },
    /// Restore a backup into an empty database and an empty photo store (refused, touching
    /// nothing, when either holds data); stop the servers first.
    Restore {
        /// The backup directory.
        #[arg(long, value_name = "DIR")]
        from: std::path::PathBuf,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a signing key that signs from now on; older keys verify until their tokens have
    /// expired (the session lifetime), then the next rotation drops them.
    Rotate,
}

fn main() {
    if let Err(e) = server::observe::init_logging().and_then(|()| run(Cli::parse())) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<(), String> {
    let mut config = Config::from_env()?;
    match cli.command {
        Command::Serve { demo, bind } => {
            config.bind = bind;
            actix_web::rt::System::new().block_on(server::serve::serve(config, demo))
        }
        Command::Migrate => {
            Db::connect(&config.database_url, 1)?;
            println!(
                "migrations applied to {}",
                server::serve::masked_url(&config.database_url)
            );
            Ok(())
        }
        Command::Keys {
            command: KeysCommand::Rotate,
        } => {
            let db = Db::connect(&config.database_url, 1)?;
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let rotation = server::auth::keys::rotate(&mut conn, &config)?;
            println!(
                "key {} signs from now on (every instance, from its next login or refresh)",
                rotation.new_kid
            );
            for kid in rotation.dropped {
                println!("key {kid} dropped: no token it signed can still be valid");
            }
            Ok(())
        }
        Command::Purge { dry_run } => {
            let db = Db::connect(&config.database_url, 1)?;
            let photos = config.open_photos()?;
            let outcome = actix_web::rt::System::new()
                .block_on(retention::purge(
                    &db,
                    config.retention,
                    &photos,
                    retention::Trigger::Command,
                    dry_run,
                ))
                .map_err(|e| e.to_string())?;
            let say = |verb: &str, p: &retention::Purged| {
                println!(
                    "{verb}: {} registrations, {} people, {} inspections, {} photos, {} audit events",
                    p.registrations, p.people, p.inspections, p.photos, p.audit_events
                );
            };
            match outcome {
                retention::Outcome::Done(p) => say("purged", &p),
                retention::Outcome::DryRun(p) => say("dry run, nothing deleted; would purge", &p),
                retention::Outcome::Skipped => {
                    println!("another instance is purging now; nothing done")
                }
            }
            Ok(())
        }
        Command::Backup { to } => {
            let store = PhotoStore::open(&config.photo_location())?;
            let report = actix_web::rt::System::new()
                .block_on(backup::backup(&config.database_url, &store, &to))
                .map_err(|e| e.to_string())?;
            let m = &report.manifest;
            println!(
                "backed up {} ({} inspections, schema {}, snapshot of {}) and {} photos ({} bytes, {} copied now) from {} to {}",
                server::serve::masked_url(&config.database_url),
                m.counts.inspections,
                m.schema_version,
                m.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
                m.counts.photos,
                m.counts.photo_bytes,
                report.photos_copied,
                store.describe(),
                to.display()
            );
            if report.photos_gone > 0 {
                println!(
                    "{} photos were deleted (retention) before they could be copied",
                    report.photos_gone
                );
            }
            for sha in &report.photos_damaged {
                eprintln!("warning: photo {sha} in the store does not match its hash; left out");
            }
            Ok(())
        }
        Command::Restore { from } => {
            let store = PhotoStore::open(&config.photo_location())?;
            let report = actix_web::rt::System::new()
                .block_on(backup::restore(&config.database_url, &store, &from))
                .map_err(|e| e.to_string())?;
            let m = &report.manifest;
            println!(
                "restored the backup of {} ({} inspections, schema {}) into {} and its {} photos ({} published now) into {}; start the server (it applies newer migrations)",
                m.created_at.format("%Y-%m-%d %H:%M:%S UTC"),
                m.counts.inspections,
                m.schema_version,
                server::serve::masked_url(&config.database_url),
                m.counts.photos,
                report.photos_published,
                store.describe()
            );
            Ok(())
        }
        Command::User { command } => {
            let db = Db::connect(&config.database_url, 1)?;
            server::cli::run(
                &db,
                command,
                &mut std::io::stdin().lock(),
                &mut std::io::stdout().lock(),
            )
        }
    }
}
