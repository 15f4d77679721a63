//! A real S3-compatible server for the object-store tests: `s3s-fs` from crates.io, installed
//! once per target directory (`<target>/tools/bin/s3s-fs`), started once per test process on
//! a free port with a temporary root, and stopped with the process by a watchdog shell. A
//! bucket of s3s-fs is a directory under its root, so each test makes its own bucket by
//! creating one.
//!
//! Without cargo or the registry the tests that need it are skipped with a WARNING line,
//! except under `CI=true`, where they fail loudly (as a missing Chromium does).

use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use server::config::Config;
use server::photos::S3Settings;

/// The pinned s3s-fs release (0.15 and later need a newer rustc).
pub const S3S_FS_VERSION: &str = "0.14.1";

const ACCESS_KEY: &str = "enclave-test-access";
const SECRET_KEY: &str = "enclave-test-secret-0123456789";

/// Where the binary is installed: `<target dir>/tools`, beside the test binaries' folders.
fn tools_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary's path");
    // target/debug/deps/api-…: three folders up is the target directory.
    exe.ancestors()
        .nth(3)
        .unwrap_or_else(|| Path::new("."))
        .join("tools")
}

/// The `s3s-fs` executable, installed with `cargo install` when it is not there yet.
fn install() -> Result<PathBuf, String> {
    let root = tools_dir();
    let exe = root.join("bin").join("s3s-fs");
    if exe.exists() {
        return Ok(exe);
    }
    eprintln!(
        "installing s3s-fs {S3S_FS_VERSION} into {} …",
        root.display()
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .args(["install", "s3s-fs", "--version"])
        .arg(format!("={S3S_FS_VERSION}"))
        .args(["--features", "binary", "--locked", "--root"])
        .arg(&root)
        .output()
        .map_err(|e| format!("running cargo: {e}"))?;
    if !out.status.success() || !exe.exists() {
        return Err(format!(
            "cargo install s3s-fs failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(exe)
}

/// The running server.
#[derive(Debug)]
pub struct S3Server {
    endpoint: String,
    root: PathBuf,
}

/// Starts `exe` under a watchdog that kills it, and removes its root, once this process is
/// gone (a static is never dropped, so the process cannot do it itself).
fn start(exe: &Path) -> Result<S3Server, String> {
    let root = tempfile::Builder::new()
        .prefix("s3s-fs-")
        .tempdir()
        .map_err(|e| format!("temp dir: {e}"))?
        .keep();
    let port = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("no free port: {e}"))?
        .port();
    let watchdog = r#"
        "$EXE" --host 127.0.0.1 --port "$PORT" --access-key "$AK" --secret-key "$SK" "$ROOT" &
        server=$!
        while kill -0 "$WATCH" 2>/dev/null && kill -0 "$server" 2>/dev/null; do sleep 1; done
        kill "$server" 2>/dev/null
        wait "$server"
        rm -rf "$ROOT"
    "#;
    let mut child = Command::new("sh")
        .args(["-c", watchdog])
        .env("EXE", exe)
        .env("PORT", port.to_string())
        .env("AK", ACCESS_KEY)
        .env("SK", SECRET_KEY)
        .env("ROOT", &root)
        .env("WATCH", std::process::id().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("starting s3s-fs: {e}"))?;
    let deadline = Instant::now() + Duration::from_secs(30);
    while TcpStream::connect((Ipv4Addr::LOCALHOST, port)).is_err() {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("s3s-fs exited at start: {status}"));
        }
        if Instant::now() > deadline {
            return Err(format!("s3s-fs does not listen on port {port} after 30 s"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(S3Server {
        endpoint: format!("http://127.0.0.1:{port}"),
        root,
    })
}

/// The S3 server of this test process, or `None` when it cannot be provided outside CI
/// (warned once). Panics under `CI=true` when it cannot be installed or started.
pub fn server() -> Option<&'static S3Server> {
    static SERVER: OnceLock<Option<S3Server>> = OnceLock::new();
    SERVER
        .get_or_init(|| {
            crate::required(
                "an S3-compatible server (s3s-fs)",
                "object-store tests",
                install().and_then(|exe| start(&exe)),
            )
        })
        .as_ref()
}

impl S3Server {
    /// A new, empty bucket of its own.
    pub fn bucket(&self) -> Bucket {
        // Short: s3s-fs names a file after bucket and key in base64, and a file name has at
        // most 255 bytes (a key of this store's pieces is 136 characters under `photos/`).
        let name = format!("t-{}", &uuid::Uuid::new_v4().simple().to_string()[..12]);
        let dir = self.root.join(&name);
        std::fs::create_dir(&dir).expect("bucket directory");
        Bucket {
            url: format!("s3://{name}/photos"),
            settings: S3Settings(vec![
                ("AWS_ENDPOINT_URL".into(), self.endpoint.clone()),
                ("AWS_REGION".into(), "us-east-1".into()),
                ("AWS_ACCESS_KEY_ID".into(), ACCESS_KEY.into()),
                ("AWS_SECRET_ACCESS_KEY".into(), SECRET_KEY.into()),
                ("AWS_ALLOW_HTTP".into(), "true".into()),
            ]),
            dir,
        }
    }
}

/// A bucket on the test S3 server; its directory is removed when dropped.
pub struct Bucket {
    /// `s3://bucket/photos`, for `ATTACHMENTS_URL`.
    pub url: String,
    /// The endpoint and credentials.
    pub settings: S3Settings,
    dir: PathBuf,
}

impl Bucket {
    /// Points `config` at this bucket.
    pub fn configure(&self, config: &mut Config) {
        config.attachments = self.url.clone();
        config.attachments_s3 = self.settings.clone();
    }

    /// The files the S3 server keeps under the store's prefix, by key (as the server sees
    /// them: independent of the store code under test).
    pub fn keys(&self) -> Vec<String> {
        fn walk(dir: &Path, base: &Path, into: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, base, into);
                } else if let Ok(key) = path.strip_prefix(base) {
                    into.push(key.to_string_lossy().into_owned());
                }
            }
        }
        let mut keys = Vec::new();
        let base = self.dir.join("photos");
        walk(&base, &base, &mut keys);
        keys.sort();
        keys
    }
}

impl Drop for Bucket {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
