//! PostgreSQL over TLS, as a managed database is reached: the server connects with libpq's
//! own `sslmode` and `sslrootcert` parameters in `DATABASE_URL`; `verify-full` checks the
//! certificate's CA and name, `verify-ca` the CA only, `require` encrypts without checking; a
//! certificate from another CA is refused, and so is a host the certificate does not name. The
//! test cluster (see `support::postgres`) refuses connections without TLS, so every other
//! PostgreSQL test in this suite runs over verified TLS too.

use diesel::prelude::*;
use diesel::sql_types::Bool;
use server::config::Config;
use server::db::{Db, DbConnection};
use server::startup::Application;
use tests::postgres::{self, TempDatabase};
use tests::tls::TestCa;

#[derive(QueryableByName)]
struct Encrypted {
    #[diesel(sql_type = Bool)]
    ssl: bool,
}

/// The refusal of a connection that must fail.
fn refusal(url: &str) -> String {
    match Db::connect(url, 1) {
        Ok(_) => panic!("{url} connected"),
        Err(e) => e,
    }
}

/// Whether the pool's connection to the database is encrypted, as the server sees it.
fn pool_uses_tls(db: &Db) -> bool {
    let mut conn = db.get().expect("a pooled connection");
    let DbConnection::Pg(pg) = &mut *conn else {
        panic!("a PostgreSQL connection");
    };
    diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .get_result::<Encrypted>(pg)
        .expect("pg_stat_ssl")
        .ssl
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_is_reached_over_verified_tls_and_a_wrong_ca_or_name_is_refused() {
    if !postgres::available() {
        return;
    }
    let Some(cluster) = postgres::cluster() else {
        eprintln!("TEST_DATABASE_URL names a server of its own: its TLS is not under test");
        return;
    };
    let database = TempDatabase::create();
    let ca = cluster.ca_path();
    let verify = |mode: &str, host: &str, root: &std::path::Path| {
        cluster.url(
            host,
            database.name(),
            &format!("sslmode={mode}&sslrootcert={}", root.display()),
        )
    };

    // The server, as configured in production: verify-full against the CA.
    let config = Config::new(verify("verify-full", "127.0.0.1", &ca));
    let app = Application::build(Config {
        bind: "127.0.0.1:0".into(),
        ..config
    })
    .expect("the server starts on PostgreSQL over verified TLS");
    assert!(
        pool_uses_tls(app.db()),
        "the server's connections are encrypted"
    );

    // A certificate signed by a CA the client was not told to trust.
    let elsewhere = tempfile::tempdir().expect("temp dir");
    let other = TestCa::new(elsewhere.path(), "other");
    for mode in ["verify-ca", "verify-full"] {
        let refused = refusal(&verify(mode, "127.0.0.1", other.cert_path()));
        assert!(
            refused.contains("certificate verify failed"),
            "{mode}: the refusal names the certificate: {refused}"
        );
    }

    // 127.0.0.2 reaches the same server, but its certificate names 127.0.0.1 and localhost.
    let refused = refusal(&verify("verify-full", "127.0.0.2", &ca));
    assert!(
        refused.contains("does not match host name"),
        "the refusal names the host: {refused}"
    );
    let by_ca = Db::connect(&verify("verify-ca", "127.0.0.2", &ca), 1)
        .expect("verify-ca checks the CA, not the name");
    assert!(pool_uses_tls(&by_ca));

    // `require` encrypts without checking; without TLS the server refuses.
    let required = Db::connect(
        &cluster.url("127.0.0.1", database.name(), "sslmode=require"),
        1,
    )
    .expect("sslmode=require connects");
    assert!(pool_uses_tls(&required));
    let refused = refusal(&cluster.url("127.0.0.1", database.name(), "sslmode=disable"));
    assert!(refused.contains("no encryption"), "{refused}");
}

/// A process that ends while other threads still use their TLS connections to PostgreSQL
/// exits cleanly. The test process itself ends so, with servers' pools still open: libpq
/// once had OpenSSL free its state at exit under those threads, and a whole run that had
/// passed died with SIGSEGV as it exited. Each try exits at a random moment of four threads
/// connecting, querying and closing.
#[test]
fn a_process_exits_cleanly_while_its_threads_use_tls_connections() {
    if !postgres::available() {
        return;
    }
    let database = TempDatabase::create();
    for attempt in 0..60 {
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_exit-while-connected"))
            .arg(database.url())
            .status()
            .expect("exit-while-connected runs");
        assert!(status.success(), "attempt {attempt}: {status}");
    }
}
