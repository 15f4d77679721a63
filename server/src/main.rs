//! `enclave-inspect`: serve the API and the PWA, run migrations, manage users.

use chrono::Utc;
use clap::{Parser, Subcommand};
use server::cli::UserCommand;
use server::config::Config;
use server::db::Db;
use server::startup::Application;
use shared::rules::time::belgian_local;
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
        /// Fill an empty database with realistic demo data and the three demo accounts.
        #[arg(long)]
        demo: bool,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080", env = "BIND")]
        bind: String,
    },
    /// Run pending database migrations and exit.
    Migrate,
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
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
            actix_web::rt::System::new().block_on(serve(config, demo))
        }
        Command::Migrate => {
            Db::connect(&config.database_url, 1)?;
            println!("migrations applied to {}", config.database_url);
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

async fn serve(config: Config, demo: bool) -> Result<(), String> {
    let url = config.database_url.clone();
    let host = config
        .bind
        .rsplit_once(':')
        .map_or("127.0.0.1", |(h, _)| h)
        .to_owned();
    let app = Application::build(config)?;
    if demo {
        let today = belgian_local(Utc::now()).date();
        let db = app.db().clone();
        let loaded = actix_web::web::block(move || server::demo::load_if_empty(&db, today))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
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
            None => println!("database already has data; demo data not loaded again"),
        }
        println!("demo accounts (demo mode only):");
        for (user, pw, role) in server::demo::ACCOUNTS {
            println!("  {user:<10} / {pw:<16} ({})", role.as_str());
        }
    }
    println!(
        "Enclave Inspect on http://{host}:{} (database: {url})",
        app.port()
    );
    app.run_until_stopped().await.map_err(|e| e.to_string())
}
