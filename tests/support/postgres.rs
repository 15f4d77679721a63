//! PostgreSQL for tests, over TLS: each test process starts its own PostgreSQL cluster
//! (Debian's `initdb` and `postgres`, installed with apt if missing) on a free port, with a
//! certificate signed by a CA it makes on the spot. The cluster refuses connections without
//! TLS, and every test connects with `sslmode=verify-full` and that CA, so the PostgreSQL half
//! of the suite runs the way a managed database is reached. The cluster stops and its files
//! go when the test process ends. One database is created per test.
//!
//! `TEST_DATABASE_URL` names a server of your own instead (no cluster is started). With
//! `CI=true` an unavailable PostgreSQL fails the run loudly; locally the PostgreSQL half of
//! each test is skipped with a warning.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use diesel::ConnectionError;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;

use crate::tls::TestCa;

/// The cluster this test process started: where it listens and the CA its certificate is
/// signed by.
pub struct TlsCluster {
    pub port: u16,
    /// Holds `ca.crt`, `server.crt`/`server.key` and the data directory.
    pub dir: PathBuf,
}

impl TlsCluster {
    /// The certificate of the CA that signed the server's certificate.
    pub fn ca_path(&self) -> PathBuf {
        self.dir.join("ca.crt")
    }

    /// A URL of database `db` without TLS, as [`PLAIN_ROLE`] (for benchmarks).
    pub fn plain_url(&self, db: &str) -> String {
        format!(
            "postgres://{PLAIN_ROLE}@127.0.0.1:{}/{db}?sslmode=disable",
            self.port
        )
    }

    /// A URL of database `db` on this cluster, with libpq's own `params` (e.g.
    /// `sslmode=verify-ca&sslrootcert=…`) and `host`.
    pub fn url(&self, host: &str, db: &str, params: &str) -> String {
        format!("postgres://postgres@{host}:{}/{db}?{params}", self.port)
    }

    /// The parameters every test connection uses: TLS, verified against the test CA.
    fn verified(&self) -> String {
        format!(
            "sslmode=verify-full&sslrootcert={}",
            self.ca_path().display()
        )
    }
}

/// How tests reach PostgreSQL: a server URL without database (`postgres://…:port`) and the
/// query string every URL carries.
struct Server {
    root: String,
    query: String,
    cluster: Option<TlsCluster>,
}

impl Server {
    fn url(&self, db: &str) -> String {
        format!("{}/{db}{}", self.root, self.query)
    }
}

fn server() -> Result<&'static Server, &'static str> {
    static SERVER: OnceLock<Result<Server, String>> = OnceLock::new();
    SERVER
        .get_or_init(provision)
        .as_ref()
        .map_err(|e| e.as_str())
}

/// Whether PostgreSQL can be used; provisions it on first call.
pub fn available() -> bool {
    static CHECKED: OnceLock<Option<()>> = OnceLock::new();
    CHECKED
        .get_or_init(|| {
            crate::required(
                "PostgreSQL",
                "PostgreSQL tests",
                server().map(drop).map_err(str::to_owned),
            )
        })
        .is_some()
}

/// The maintenance database's URL (TLS-verified on the test cluster).
pub fn admin_url() -> String {
    server().expect("PostgreSQL unavailable").url("postgres")
}

/// The TLS cluster this process started (`None` with `TEST_DATABASE_URL`).
pub fn cluster() -> Option<&'static TlsCluster> {
    server().ok().and_then(|s| s.cluster.as_ref())
}

fn wait_for(url: &str, timeout: Duration) -> Result<(), String> {
    let start = Instant::now();
    loop {
        match server::db::pg_establish(url) {
            Ok(_) => return Ok(()),
            Err(e) if start.elapsed() > timeout => return Err(e.to_string()),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn run(cmd: &mut Command) -> Result<(), String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd:?} exited with {}: {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn provision() -> Result<Server, String> {
    if let Ok(url) = std::env::var("TEST_DATABASE_URL") {
        let (without_query, query) = match url.split_once('?') {
            Some((u, q)) => (u.to_owned(), format!("?{q}")),
            None => (url.clone(), String::new()),
        };
        let root = without_query
            .rsplit_once('/')
            .map_or(without_query.as_str(), |(r, _)| r)
            .to_owned();
        wait_for(&url, Duration::from_secs(10))?;
        return Ok(Server {
            root,
            query,
            cluster: None,
        });
    }
    let bin = postgres_bin_dir()?;
    let cluster = start_cluster(&bin)?;
    let server = Server {
        root: format!("postgres://postgres@127.0.0.1:{}", cluster.port),
        query: format!("?{}", cluster.verified()),
        cluster: Some(cluster),
    };
    wait_for(&server.url("postgres"), Duration::from_secs(30))?;
    Ok(server)
}

/// The newest installed PostgreSQL's `bin` directory, installing PostgreSQL with apt if none is.
fn postgres_bin_dir() -> Result<PathBuf, String> {
    let newest = || -> Option<PathBuf> {
        let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
            .ok()?
            .flatten()
            .filter_map(|e| {
                let v = e.file_name().to_str()?.parse().ok()?;
                let bin = e.path().join("bin");
                bin.join("initdb").exists().then_some((v, bin))
            })
            .collect();
        versions.sort();
        versions.pop().map(|(_, bin)| bin)
    };
    if let Some(bin) = newest() {
        return Ok(bin);
    }
    eprintln!("PostgreSQL is not installed; installing it with apt-get");
    crate::apt_install(&["postgresql"], || newest().is_some())?;
    newest().ok_or_else(|| "no initdb under /usr/lib/postgresql after installing".into())
}

/// PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres` user.
fn as_cluster_owner(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn start_cluster(bin: &Path) -> Result<TlsCluster, String> {
    let dir = tempfile::Builder::new()
        .prefix("enclave-pg-tls-")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    let ca = TestCa::new(&dir, "ca");
    let cert = ca.server_cert(&dir, "server");
    let data = dir.join("data");
    if is_root() {
        run(Command::new("chown").arg("-R").arg("postgres:").arg(&dir))?;
    }
    run(as_cluster_owner(&bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]))?;
    // TLS or nothing: a connection without it is refused, so no test can pass without TLS.
    std::fs::write(
        data.join("pg_hba.conf"),
        "local all all trust\n\
         hostssl all all 127.0.0.0/8 trust\n\
         hostnossl all plain 127.0.0.0/8 trust\n\
         hostnossl all all all reject\n",
    )
    .map_err(|e| e.to_string())?;
    let port = crate::free_port();
    let settings = [
        format!("port={port}"),
        "listen_addresses=127.0.0.1,127.0.0.2".into(),
        format!("unix_socket_directories={}", dir.display()),
        "ssl=on".into(),
        format!("ssl_cert_file={}", cert.cert_path.display()),
        format!("ssl_key_file={}", cert.key_path.display()),
        "max_connections=300".into(),
        // A throw-away cluster: durability against power loss is not under test here.
        "fsync=off".into(),
        "full_page_writes=off".into(),
        "log_min_messages=warning".into(),
    ];
    let mut postgres = format!(
        "exec '{}' -D '{}'",
        bin.join("postgres").display(),
        data.display()
    );
    for s in &settings {
        postgres.push_str(&format!(" -c '{s}'"));
    }
    // A watchdog stops the cluster and removes its files once this test process is gone.
    let script = format!(
        "{postgres} > '{log}' 2>&1 &\n\
         pg=$!\n\
         while [ -d /proc/{me} ] && kill -0 $pg 2>/dev/null; do sleep 1; done\n\
         kill -INT $pg 2>/dev/null; wait $pg\n\
         rm -rf '{dir}'\n",
        log = dir.join("postgres.log").display(),
        me = std::process::id(),
        dir = dir.display(),
    );
    as_cluster_owner(Path::new("/bin/sh"))
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("start PostgreSQL: {e}"))?;
    let cluster = TlsCluster { port, dir };
    let url = cluster.url("127.0.0.1", "postgres", &cluster.verified());
    wait_for(&url, Duration::from_secs(30)).map_err(|e| {
        let log = std::fs::read_to_string(cluster.dir.join("postgres.log")).unwrap_or_default();
        format!("the test cluster did not start: {e}\n{log}")
    })?;
    let mut admin = server::db::pg_establish(&url).map_err(|e| e.to_string())?;
    admin
        .batch_execute(&format!("CREATE ROLE {PLAIN_ROLE} SUPERUSER LOGIN"))
        .map_err(|e| e.to_string())?;
    Ok(cluster)
}

/// The one role the test cluster lets in without TLS: the benchmarks measure plain
/// connections beside TLS ones with it. No test uses it.
pub const PLAIN_ROLE: &str = "plain";

fn connect() -> Result<PgConnection, ConnectionError> {
    server::db::pg_establish(&admin_url())
}

/// A database created for one test and dropped (forcefully) when this value is dropped.
pub struct TempDatabase {
    name: String,
    url: String,
}

impl TempDatabase {
    /// Creates `enclave_test_<random>`.
    pub fn create() -> Self {
        assert!(available(), "PostgreSQL unavailable");
        let name = format!("enclave_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = connect().expect("connect to PostgreSQL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        let url = server().expect("PostgreSQL unavailable").url(&name);
        Self { name, url }
    }

    /// The URL of the test database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TempDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = connect() {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
