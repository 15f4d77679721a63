//! Builds the PWA and embeds it in the server binary, so one `cargo build -p server` (or
//! `cargo run -p server -- serve`) also builds the apps:
//!
//! 1. a nested `cargo build -p app-field -p app-office --target wasm32-unknown-unknown
//!    --profile wasm-release` in `<target>/pwa-wasm`, shared by debug and release server
//!    builds and apart from the outer build's lock: the field app and the office app, each
//!    its own wasm over the shared `app-core`;
//! 2. wasm-bindgen, as a library, turns each wasm into `<app>.js` + `<app>_bg.wasm`;
//! 3. those and `app/static/**` are compressed (brotli at quality 11, gzip at level 9) into
//!    `$OUT_DIR/pwa/` and listed in
//!    `$OUT_DIR/pwa_assets.rs`, which `src/pwa.rs` includes. `sw.js` gets the build id (a
//!    hash of every other asset) in place of `__BUILD_ID__`, so each deploy renews its cache.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use flate2::Compression;
use flate2::write::GzEncoder;

const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The apps: the name of their files (`field.js`, `field_bg.wasm`) and their package.
const APPS: [(&str, &str); 2] = [("field", "app-field"), ("office", "app-office")];
const WASM_PROFILE: &str = "wasm-release";

/// Environment a build script inherits from cargo (or clippy, or coverage tools) that would
/// change what the nested build does or where it goes.
const NESTED_ENV_REMOVE: &[&str] = &[
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "CARGO_ENCODED_RUSTFLAGS",
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTDOCFLAGS",
    "RUSTDOCFLAGS",
    "CARGO_BUILD_TARGET",
    "CARGO_TARGET_DIR",
    "CARGO_BUILD_TARGET_DIR",
    "CARGO_BUILD_RUSTC_WRAPPER",
    "CARGO_BUILD_RUSTC_WORKSPACE_WRAPPER",
    "CARGO_PRIMARY_PACKAGE",
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_MANIFEST_LINKS",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "OUT_DIR",
    "TARGET",
    "HOST",
    "NUM_JOBS",
    "OPT_LEVEL",
    "DEBUG",
    "PROFILE",
    "RUSTC_LINKER",
    "RUSTDOC",
];

/// Prefixes of inherited variables that describe the outer package or target.
const NESTED_ENV_REMOVE_PREFIXES: &[&str] = &["CARGO_PKG_", "CARGO_CFG_", "CARGO_FEATURE_", "DEP_"];

fn main() {
    if let Err(message) = run() {
        eprintln!("\nerror: building the PWA failed: {message}\n");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest_dir = PathBuf::from(env_var("CARGO_MANIFEST_DIR")?);
    let workspace = manifest_dir
        .parent()
        .ok_or("the server crate has no parent directory")?
        .to_path_buf();
    let out_dir = PathBuf::from(env_var("OUT_DIR")?);

    // migrations/: the server embeds it (embed_migrations!); a new migration folder must
    // rebuild the crate, which only a build-script rerun triggers.
    for path in [
        "migrations",
        "app/core/src",
        "app/core/Cargo.toml",
        "app/field/src",
        "app/field/Cargo.toml",
        "app/office/src",
        "app/office/Cargo.toml",
        "app/static",
        "shared/src",
        "shared/Cargo.toml",
        "Cargo.lock",
        "Cargo.toml",
        // The wasm target's rustflags.
        ".cargo/config.toml",
    ] {
        println!("cargo:rerun-if-changed={}", workspace.join(path).display());
    }
    for var in [
        "CARGO",
        "RUSTC",
        "RUSTUP_TOOLCHAIN",
        "CHRONO_TZ_TIMEZONE_FILTER",
    ] {
        println!("cargo:rerun-if-env-changed={var}");
    }

    let wasm_dir = build_wasm(&workspace, &out_dir)?;

    let pwa_dir = out_dir.join("pwa");
    if pwa_dir.exists() {
        fs::remove_dir_all(&pwa_dir)
            .map_err(|e| format!("cannot clear {}: {e}", pwa_dir.display()))?;
    }
    let bindgen_dir = pwa_dir.join("raw");
    for (app, _) in APPS {
        let wasm = wasm_dir.join(format!("enclave_inspect_{app}.wasm"));
        if !wasm.is_file() {
            return Err(format!("the app build left no {}", wasm.display()));
        }
        wasm_bindgen_cli_support::Bindgen::new()
            .input_path(&wasm)
            .out_name(app)
            .web(true)
            .map_err(|e| format!("wasm-bindgen: {e:#}"))?
            .omit_default_module_path(false)
            .typescript(false)
            .generate(&bindgen_dir)
            .map_err(|e| format!("wasm-bindgen: {e:#}"))?;
    }

    let mut files = Vec::new();
    collect(&bindgen_dir, &bindgen_dir, &mut files)?;
    let static_dir = workspace.join("app/static");
    collect(&static_dir, &static_dir, &mut files)?;
    files.sort_by(|a, b| a.0.cmp(&b.0));
    if let Some(dup) = files.windows(2).find(|w| w[0].0 == w[1].0) {
        return Err(format!("two assets are served at {}", dup[0].0));
    }
    for required in [
        "/index.html",
        "/boot.js",
        "/field.js",
        "/field_bg.wasm",
        "/office.js",
        "/office_bg.wasm",
        "/sw.js",
    ] {
        if !files.iter().any(|(p, _)| p == required) {
            return Err(format!("asset {required} is missing"));
        }
    }

    let mut build_id = Fnv::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p != "/sw.js") {
        build_id.write(path.as_bytes());
        build_id.write(bytes);
    }
    let build_id = format!("{:016x}", build_id.finish());
    for (path, bytes) in &mut files {
        if path == "/sw.js" {
            let text =
                String::from_utf8(std::mem::take(bytes)).map_err(|_| "sw.js is not UTF-8")?;
            if !text.contains("__BUILD_ID__") {
                return Err("sw.js has no __BUILD_ID__ placeholder".into());
            }
            *bytes = text.replace("__BUILD_ID__", &build_id).into_bytes();
        }
    }

    let embed_dir = pwa_dir.join("embed");
    let mut table = String::from(
        "// Generated by server/build.rs: the PWA's files, served by src/pwa.rs.\n\
         pub static ASSETS: &[Asset] = &[\n",
    );
    for (i, (path, bytes)) in files.iter().enumerate() {
        let content_type = content_type(path)?;
        let raw_file = embed_dir.join(i.to_string());
        write_file(&raw_file, bytes)?;
        // Already compressed files (PNG) do not shrink: serve them as they are.
        let compressed = |suffix: &str, packed: Vec<u8>| -> Result<String, String> {
            if packed.len() + 64 >= bytes.len() {
                return Ok("None".to_owned());
            }
            let file = embed_dir.join(format!("{i}.{suffix}"));
            write_file(&file, &packed)?;
            Ok(format!(
                "Some(include_bytes!({:?}))",
                file.display().to_string()
            ))
        };
        let gzip_field = compressed("gz", gzip(bytes)?)?;
        let brotli_field = compressed("br", brotli(bytes)?)?;
        let mut etag = Fnv::new();
        etag.write(bytes);
        writeln!(
            table,
            "    Asset {{ path: {path:?}, content_type: {content_type:?}, body: include_bytes!({:?}), \
             gzip: {gzip_field}, brotli: {brotli_field}, etag: \"{:016x}\" }},",
            raw_file.display().to_string(),
            etag.finish(),
        )
        .map_err(|e| e.to_string())?;
    }
    table.push_str("];\n");
    write_file(&out_dir.join("pwa_assets.rs"), table.as_bytes())
}

/// Runs the nested cargo build of the apps and returns the folder of their wasm files.
fn build_wasm(workspace: &Path, out_dir: &Path) -> Result<PathBuf, String> {
    let cargo = env_var("CARGO")?;
    check_wasm_target()?;
    let target_dir = outer_target_dir(out_dir)?.join("pwa-wasm");

    let mut command = Command::new(&cargo);
    command
        .current_dir(workspace)
        .arg("build")
        .args(APPS.iter().flat_map(|(_, package)| ["-p", package]))
        .args(["--lib", "--target", WASM_TARGET, "--profile", WASM_PROFILE])
        .arg("--target-dir")
        .arg(&target_dir)
        // Cargo reads build-script stdout for directives: keep the nested output on stderr,
        // which cargo shows when the build fails (and with -vv).
        .stdout(Stdio::from(std::io::stderr()))
        .stderr(Stdio::inherit());
    for (key, _) in env::vars_os() {
        let Some(key) = key.to_str() else { continue };
        if NESTED_ENV_REMOVE.contains(&key)
            || NESTED_ENV_REMOVE_PREFIXES
                .iter()
                .any(|p| key.starts_with(p))
        {
            command.env_remove(key);
        }
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    if !status.success() {
        return Err(format!(
            "`cargo build -p app-field -p app-office --target {WASM_TARGET} --profile {WASM_PROFILE}` failed ({status}); \
             its output is above. If it says the target may not be installed, run \
             `rustup target add {WASM_TARGET}`."
        ));
    }
    Ok(target_dir.join(WASM_TARGET).join(WASM_PROFILE))
}

/// Fails early, with the fix, when the standard library for wasm32 is not installed.
fn check_wasm_target() -> Result<(), String> {
    let rustc = env::var("RUSTC").unwrap_or_else(|_| "rustc".to_owned());
    let output = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .output()
        .map_err(|e| format!("cannot run {rustc}: {e}"))?;
    let sysroot = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    let installed = || {
        Path::new(&sysroot)
            .join("lib/rustlib")
            .join(WASM_TARGET)
            .is_dir()
    };
    if !output.status.success() || installed() {
        return Ok(());
    }
    // rustup adds the target named in rust-toolchain.toml only when it installs the
    // toolchain; on a machine that already had it, add the target now.
    let toolchain = Path::new(&sysroot)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let added = Command::new("rustup")
        .args(["target", "add", WASM_TARGET, "--toolchain", &toolchain])
        .stdout(Stdio::from(std::io::stderr()))
        .status()
        .is_ok_and(|s| s.success());
    if added && installed() {
        return Ok(());
    }
    Err(format!(
        "the Rust target {WASM_TARGET} is not installed (not in {sysroot}) and `rustup target \
         add` failed; run `rustup target add {WASM_TARGET}`"
    ))
}

/// `<target>` from `OUT_DIR` = `<target>[/<triple>]/<profile>/build/<pkg>-<hash>/out`.
fn outer_target_dir(out_dir: &Path) -> Result<PathBuf, String> {
    let profile_dir = out_dir
        .ancestors()
        .nth(3)
        .ok_or_else(|| format!("unexpected OUT_DIR {}", out_dir.display()))?;
    let mut target_dir = profile_dir
        .parent()
        .ok_or_else(|| format!("unexpected OUT_DIR {}", out_dir.display()))?;
    // With an explicit `--target`, cargo puts builds under `<target>/<triple>/`.
    if let Ok(triple) = env::var("TARGET")
        && target_dir.file_name().is_some_and(|n| n == triple.as_str())
        && let Some(parent) = target_dir.parent()
    {
        target_dir = parent;
    }
    Ok(target_dir.to_path_buf())
}

/// Adds every file under `dir` as (`/relative/path`, contents).
fn collect(root: &Path, dir: &Path, files: &mut Vec<(String, Vec<u8>)>) -> Result<(), String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
    for entry in entries {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_dir() {
            collect(root, &path, files)?;
        } else {
            let relative = path.strip_prefix(root).map_err(|e| e.to_string())?;
            let url = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            let bytes =
                fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            files.push((format!("/{url}"), bytes));
        }
    }
    Ok(())
}

fn content_type(path: &str) -> Result<&'static str, String> {
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    Ok(match ext {
        "html" => "text/html; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "webmanifest" => "application/manifest+json",
        "json" => "application/json",
        "png" => "image/png",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        _ => {
            return Err(format!(
                "no content type known for {path}: add it to server/build.rs"
            ));
        }
    })
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map_err(|e| e.to_string())
}

fn brotli(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| e.to_string())?;
    Ok(out)
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    fs::write(path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn env_var(name: &str) -> Result<String, String> {
    env::var(name).map_err(|_| format!("{name} is not set (is this run by cargo?)"))
}

/// 64-bit FNV-1a: enough to tell builds and file versions apart (not a security hash).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}
