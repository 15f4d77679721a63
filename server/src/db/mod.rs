//! Database access: one connection type for SQLite and PostgreSQL, an r2d2 pool, migrations.
//!
//! Handlers never touch a connection on an async worker: [`Db::run`] moves the work onto
//! actix's blocking thread pool. Repositories in [`repo`] take `&mut DbConnection` and are
//! the only place that writes SQL; rows in [`rows`] are apart from the API types in `shared`.

pub mod repo;
pub mod rows;
pub mod schema;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::AppError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// Advisory lock key that serialises migrations when several instances start at once.
const MIGRATION_LOCK_KEY: i64 = 0x0E4C_1A7E;

/// A connection to either backend; queries are written once against it.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

/// The backend type of [`DbConnection`], for boxed queries.
pub type DbBackend = <DbConnection as Connection>::Backend;

/// Takes SQLite's write lock first thing in a transaction that reads before it writes. A
/// deferred SQLite transaction that has read cannot wait for the lock once another writer has
/// committed meanwhile (it fails at once, whatever the busy timeout: two refreshes of one token
/// at the same moment gave a 500); one that asks for the lock first waits its turn. PostgreSQL
/// needs nothing: its row locks and MVCC handle this.
pub fn take_write_lock(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    use diesel::RunQueryDsl;
    if let DbConnection::Sqlite(sqlite) = conn {
        // An UPDATE opens a write transaction even when it matches no row.
        diesel::sql_query("UPDATE settings SET value = value WHERE key = 'write-lock'")
            .execute(sqlite)?;
    }
    Ok(())
}

/// Runs `f` in a transaction whose statements PostgreSQL plans for their bound values every
/// time. Diesel prepares each statement once per connection, and from its sixth execution on
/// PostgreSQL may switch to a generic plan that does not know the values: for a date range
/// over a year of inspections, it expects a few hundred rows and reads the whole table through
/// a bitmap (170 ms instead of 27 ms for 100,000 inspections). SQLite plans every time.
pub fn planned_for_values<T>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> diesel::QueryResult<T>,
) -> diesel::QueryResult<T> {
    conn.transaction(|conn| {
        if let DbConnection::Pg(pg) = conn {
            pg.batch_execute("SET LOCAL plan_cache_mode = force_custom_plan")?;
        }
        f(conn)
    })
}

/// Which database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `postgres://` and `postgresql://` URLs are PostgreSQL; anything else is a SQLite path
    /// (an optional `sqlite://` prefix is stripped).
    pub fn of_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Self::Postgres
        } else {
            Self::Sqlite
        }
    }
}

/// Opens connections by URL scheme (never by trial, so a PostgreSQL URL that fails to connect
/// reports the real error instead of silently creating a SQLite file).
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: String,
    backend: Backend,
}

impl ConnectionManager {
    /// A manager for `url`.
    pub fn new(url: &str) -> Self {
        let backend = Backend::of_url(url);
        let url = match backend {
            Backend::Sqlite => url.strip_prefix("sqlite://").unwrap_or(url).to_owned(),
            Backend::Postgres => url.to_owned(),
        };
        Self { url, backend }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::ConnectionError;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        match self.backend {
            Backend::Postgres => pg_establish(&self.url).map(DbConnection::Pg),
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.url)?;
                // WAL lets readers run beside the single writer; busy_timeout makes writers
                // queue instead of failing; foreign keys are off by default in SQLite.
                // `optimize=0x10002` refreshes the planner's statistics of the tables that
                // grew or shrank a lot (SQLite's advice for long-lived connections, run at
                // open): without them a year's statistics read 100,000 rows by the date index
                // and the table instead of one covering index. The pool reopens connections
                // at least every 30 minutes, which makes it periodic.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; \
                     PRAGMA optimize = 0x10002;",
                )
                .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// A PostgreSQL connection, with OpenSSL set up first as a library must be in a process that
/// exits with threads still using it: libpq would otherwise have OpenSSL register its
/// clean-up to run at exit, which frees what a connection still open on another thread
/// (a server's pool, a test's) is using, and the process dies with SIGSEGV as it exits.
/// `openssl_sys::init` sets it up once, without that clean-up (`OPENSSL_INIT_NO_ATEXIT`).
pub fn pg_establish(url: &str) -> diesel::ConnectionResult<PgConnection> {
    openssl_sys::init();
    PgConnection::establish(url)
}

/// One connection outside any pool, set up as the pool's are, without migrating (tests of a
/// migration start from the schema before it).
pub fn establish(url: &str) -> diesel::ConnectionResult<DbConnection> {
    r2d2::ManageConnection::connect(&ConnectionManager::new(url))
}

/// The shared pool handle given to every handler.
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<ConnectionManager>,
    backend: Backend,
}

impl Db {
    /// Connects, creating the SQLite file's directory if needed, and runs pending migrations.
    pub fn connect(url: &str, max_connections: u32) -> Result<Self, String> {
        let manager = ConnectionManager::new(url);
        let backend = manager.backend;
        let dir = std::path::Path::new(&manager.url).parent();
        if let Some(dir) = dir.filter(|d| backend == Backend::Sqlite && !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        // Connect once outside the pool so a failure shows its real cause.
        let mut first = r2d2::ManageConnection::connect(&manager)
            .map_err(|e| format!("cannot connect to the database: {e}"))?;
        run_migrations(&mut first).map_err(|e| format!("migrations failed: {e}"))?;
        drop(first);
        let pool = r2d2::Pool::builder()
            .max_size(max_connections)
            .connection_timeout(Duration::from_secs(10))
            .build(manager)
            .map_err(|e| format!("cannot build the connection pool: {e}"))?;
        Ok(Self { pool, backend })
    }

    /// The backend behind this pool.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Runs `f` with a pooled connection on the blocking thread pool.
    pub async fn run<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConnection) -> Result<T, AppError> + Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool
                .get()
                .map_err(|e| AppError::unavailable().caused_by(e))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| AppError::internal(format!("blocking task failed: {e}")))?
    }

    /// The pool's connections now: open ones and idle ones (metrics).
    pub fn pool_state(&self) -> r2d2::State {
        self.pool.state()
    }

    /// The most connections the pool opens.
    pub fn pool_max_size(&self) -> u32 {
        self.pool.max_size()
    }

    /// A pooled connection for synchronous callers (CLI, demo loader).
    pub fn get(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, AppError> {
        self.pool
            .get()
            .map_err(|e| AppError::unavailable().caused_by(e))
    }
}

/// How many of the embedded migrations the database has not applied (readiness: another
/// instance may have been started on an older database, or a restore may have gone wrong).
pub fn pending_migrations(
    conn: &mut DbConnection,
) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    Ok(match conn {
        DbConnection::Sqlite(c) => c.pending_migrations(SQLITE_MIGRATIONS)?.len(),
        DbConnection::Pg(c) => c.pending_migrations(POSTGRES_MIGRATIONS)?.len(),
    })
}

/// Runs the pending migrations of the connection's backend up to and including `version`, as
/// in the folder names (`2026-11-26-000015`; a test of a migration's data starts from the
/// schema before it).
pub fn run_migrations_through(
    conn: &mut DbConnection,
    version: &str,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    fn through<DB: diesel::backend::Backend>(
        conn: &mut impl MigrationHarness<DB>,
        migrations: EmbeddedMigrations,
        version: &str,
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        // diesel drops the dashes of a folder name's version.
        let last = version.replace('-', "");
        for migration in conn.pending_migrations(migrations)? {
            if migration.name().version().to_string() <= last {
                conn.run_migration(&*migration)?;
            }
        }
        Ok(())
    }
    match conn {
        DbConnection::Sqlite(c) => through(c, SQLITE_MIGRATIONS, version),
        DbConnection::Pg(c) => through(c, POSTGRES_MIGRATIONS, version),
    }
}

/// Runs the pending migrations of the connection's backend. On PostgreSQL an advisory lock
/// makes concurrent instances wait for each other instead of racing.
fn run_migrations(conn: &mut DbConnection) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    match conn {
        DbConnection::Sqlite(c) => {
            c.run_pending_migrations(SQLITE_MIGRATIONS)?;
        }
        DbConnection::Pg(c) => {
            c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
            let result = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ());
            c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
            result?;
        }
    }
    Ok(())
}
