//! `enclave-inspect`: serve the API and the PWA, run migrations, manage users.

use std::io::BufRead;

use clap::{Args, Parser, Subcommand};
use server::auth::password;
use server::config::Config;
use server::db::{Db, repo};
use server::retention;
use shared::dto::auth::Role;
use shared::dto::enclave::Province;
use tracing_subscriber::EnvFilter;

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
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from the first line of standard input.
    Add(UserAdd),
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Add a signing key that signs from now on; older keys verify until their tokens have
    /// expired (the session lifetime), then the next rotation drops them.
    Rotate,
}

#[derive(Args)]
struct UserAdd {
    #[arg(long)]
    username: String,
    #[arg(long)]
    display_name: String,
    /// inspector, reviewer or admin.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// Provinces an inspector covers (repeat; default: all of Flanders).
    #[arg(long = "province", value_parser = parse_province)]
    provinces: Vec<Province>,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "expected inspector, reviewer or admin".into())
}

fn parse_province(s: &str) -> Result<Province, String> {
    Province::parse(s).ok_or_else(|| {
        "expected antwerpen, limburg, oost_vlaanderen, vlaams_brabant or west_vlaanderen".into()
    })
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    if let Err(e) = run(Cli::parse()) {
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
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let outcome = retention::purge(
                &mut conn,
                &config.retention,
                &config.attachments_dir,
                retention::Trigger::Command,
                dry_run,
            )
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
        Command::User {
            command: UserCommand::Add(add),
        } => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
            let pw = line.trim_end_matches(['\r', '\n']);
            password::check_strength(pw)?;
            let hash = password::hash(pw)?;
            let db = Db::connect(&config.database_url, 1)?;
            let mut conn = db.get().map_err(|e| e.to_string())?;
            let user = repo::users::insert(
                &mut conn,
                &add.username,
                &add.display_name,
                add.role,
                &hash,
                &add.provinces,
            )
            .map_err(|e| e.to_string())?;
            println!("user {} added ({})", user.username, user.role);
            Ok(())
        }
    }
}
