//! nginx in front of test servers: Debian's `nginx-light`, installed with apt-get on first use
//! when missing, run in the foreground as a single process with its own prefix, logs and
//! temporary files in a temporary directory. The site is the README's configuration
//! ([`SITE`], `nginx.conf` beside this file) with its production addresses, ports and
//! certificate paths replaced by the test's, so the documented configuration is the tested one.
//!
//! With `CI=true` a missing nginx fails the run loudly; locally the proxy tests are skipped with a
//! warning.

use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The site configuration the README documents (`/etc/nginx/conf.d/enclave-inspect.conf`).
pub const SITE: &str = include_str!("nginx.conf");

/// The nginx binary of Debian's packages.
pub const NGINX: &str = "/usr/sbin/nginx";

/// The instances the README's upstream names, replaced in order by the test's.
const DOCUMENTED_UPSTREAMS: [&str; 2] = ["server 10.0.0.11:8080 ", "server 10.0.0.12:8080 "];

/// Whether nginx can be used; installs it on the first call.
///
/// Panics when it cannot be provided and `CI=true`; otherwise prints a warning and returns
/// `false`, and the caller skips its test.
pub fn available() -> bool {
    static READY: OnceLock<Option<String>> = OnceLock::new();
    READY
        .get_or_init(|| crate::required("nginx", "proxy test", provision()))
        .is_some()
}

/// `nginx -v` (it prints to stderr), proving the binary exists and runs.
fn version() -> Result<String, String> {
    let out = Command::new(NGINX)
        .arg("-v")
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{NGINX}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stderr).trim().to_owned())
    } else {
        Err(format!("`{NGINX} -v` exited with {}", out.status))
    }
}

fn provision() -> Result<String, String> {
    if let Ok(v) = version() {
        return Ok(v);
    }
    eprintln!("nginx missing; installing Debian's nginx-light with apt-get");
    crate::apt_install(&["nginx-light"], || version().is_ok())?;
    version().map_err(|e| format!("installed, but still unusable: {e}"))
}

/// Replaces `from` (which must occur exactly once) by `to`.
fn replace_once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(
        text.matches(from).count(),
        1,
        "the documented nginx configuration must contain `{from}` once"
    );
    text.replacen(from, to, 1)
}

/// A running nginx; killed when dropped.
pub struct Nginx {
    child: Child,
    dir: tempfile::TempDir,
    /// The port of the HTTPS server (the README's 443).
    pub https_port: u16,
    /// The port of the redirecting HTTP server (the README's 80).
    pub http_port: u16,
}

impl Nginx {
    /// Starts nginx with the README's site in front of `upstreams` (as many as it documents),
    /// serving the certificate chain `cert_pem` with `key_pem`. Panics with nginx's error log
    /// when it does not come up.
    pub fn start(upstreams: &[SocketAddr], cert_pem: &str, key_pem: &str) -> Self {
        assert_eq!(
            upstreams.len(),
            DOCUMENTED_UPSTREAMS.len(),
            "one instance per documented upstream server"
        );
        let dir = tempfile::tempdir().expect("nginx prefix");
        let prefix = dir.path();
        let tls = prefix.join("tls");
        std::fs::create_dir(&tls).expect("tls dir");
        std::fs::write(tls.join("fullchain.pem"), cert_pem).expect("certificate");
        std::fs::write(tls.join("privkey.pem"), key_pem).expect("key");
        let (http_port, https_port) = (crate::free_port(), crate::free_port());

        let mut site = SITE.to_owned();
        for (documented, addr) in DOCUMENTED_UPSTREAMS.iter().zip(upstreams) {
            site = replace_once(&site, documented, &format!("server {addr} "));
        }
        site = replace_once(
            &site,
            "listen 80;",
            &format!("listen 127.0.0.1:{http_port};"),
        );
        site = replace_once(
            &site,
            "listen 443 ssl http2;",
            &format!("listen 127.0.0.1:{https_port} ssl http2;"),
        );
        site = site.replace("/etc/ssl/enclave-inspect", &tls.display().to_string());
        std::fs::write(prefix.join("enclave-inspect.conf"), site).expect("site");

        // The main configuration of a Debian install, cut down to what a single foreground
        // process with its own files needs; the access log names the instance that answered.
        let p = prefix.display();
        let main = format!(
            "daemon off;\n\
             master_process off;\n\
             pid {p}/nginx.pid;\n\
             error_log {p}/error.log info;\n\
             events {{ worker_connections 512; }}\n\
             http {{\n\
             \x20   client_body_temp_path {p}/client_body;\n\
             \x20   proxy_temp_path {p}/proxy;\n\
             \x20   log_format upstream '$remote_addr $upstream_addr $status $request_method $uri';\n\
             \x20   access_log {p}/access.log upstream;\n\
             \x20   include {p}/enclave-inspect.conf;\n\
             }}\n"
        );
        std::fs::write(prefix.join("nginx.conf"), main).expect("main configuration");
        let child = Command::new(NGINX)
            .arg("-p")
            .arg(prefix)
            .arg("-c")
            .arg(prefix.join("nginx.conf"))
            .arg("-e")
            .arg(prefix.join("error.log"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nginx");
        let mut nginx = Self {
            child,
            dir,
            https_port,
            http_port,
        };
        nginx.wait_until_listening();
        nginx
    }

    fn wait_until_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let up = |port| TcpStream::connect(("127.0.0.1", port)).is_ok();
        while !(up(self.https_port) && up(self.http_port)) {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("nginx exited with {status}:\n{}", self.error_log());
            }
            assert!(
                Instant::now() < deadline,
                "nginx did not listen within 20 s:\n{}",
                self.error_log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The directory nginx runs in.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    fn read(&self, name: &str) -> String {
        let path: PathBuf = self.dir().join(name);
        std::fs::read_to_string(&path).unwrap_or_else(|e| format!("({}: {e})", path.display()))
    }

    /// nginx's error log so far.
    pub fn error_log(&self) -> String {
        self.read("error.log")
    }

    /// The access log so far: one line per request, `client upstream status method path`.
    pub fn access_log(&self) -> String {
        self.read("access.log")
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
