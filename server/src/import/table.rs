//! An uploaded import file read as a table of text cells, within limits, on the blocking pool.
//!
//! A spreadsheet is hostile until read: a 1.4 KB .xlsx with cells at A1 and XFD1048576 asks a
//! reader that builds a dense range for 2^39 bytes, and a few MB of zip can inflate to gigabytes.
//! So an .xlsx is checked before it is parsed: the sizes its zip entries declare, then the bytes
//! they actually inflate to (a header may lie; inflated and counted here), both against
//! [`ImportLimits::max_unzipped_bytes`] (413). Its first sheet is then streamed cell by cell and
//! refused (422) as soon as a cell lies beyond [`ImportLimits::max_rows`] or
//! [`ImportLimits::max_columns`], or the table would hold more than
//! [`ImportLimits::max_cells`]; a CSV gets the same limits. Only then is the table built.
//!
//! A table's columns are then found by their headers ([`columns`]), and its cells read alike
//! by every import ([`parse_date`], [`parse_datetime`]).

use std::collections::HashMap;
use std::io::{Cursor, Read};

use actix_web::web;
use calamine::{Data, Reader, Xlsx};
use chrono::{NaiveDate, NaiveDateTime};
use shared::dto::import::RowProblem;
use shared::error::ErrorCode;

use super::problem;
use crate::config::ImportLimits;
use crate::error::AppError;
use crate::search_text::normalise;

/// A file as header and rows of text cells.
pub struct Table {
    /// As written in the file.
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// The formats an import accepts.
#[derive(Debug, Clone, Copy)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// `csv` (the default when `None`) or `xlsx`.
    pub fn parse(format: Option<&str>) -> Result<Self, AppError> {
        match format.unwrap_or("csv") {
            "csv" => Ok(Self::Csv),
            "xlsx" => Ok(Self::Xlsx),
            _ => Err(AppError::bad_request(
                "format moet csv of xlsx zijn.",
                "format must be csv or xlsx.",
            )),
        }
    }
}

/// Reads `body` as a table with at least one data row, on the blocking pool, never on an
/// async worker: even within the limits, parsing a large sheet takes a while.
pub async fn read(
    format: Format,
    body: web::Bytes,
    limits: ImportLimits,
) -> Result<Table, AppError> {
    let table = web::block(move || {
        // A reader that panics on a malformed file answers like any unreadable file.
        std::panic::catch_unwind(|| match format {
            Format::Csv => read_csv(&body, &limits),
            Format::Xlsx => read_xlsx(&body, &limits),
        })
        .unwrap_or_else(|_| {
            tracing::warn!(?format, "the import file's reader panicked");
            Err(unreadable(format))
        })
    })
    .await
    .map_err(AppError::internal)??;
    if table.rows.is_empty() {
        return Err(AppError::new(
            ErrorCode::ValidationFailed,
            "Het bestand bevat geen gegevensrijen.",
            "The file holds no data rows.",
        ));
    }
    Ok(table)
}

fn unreadable(format: Format) -> AppError {
    let what = match format {
        Format::Csv => "CSV (UTF-8)",
        Format::Xlsx => "Excel (.xlsx)",
    };
    AppError::new(
        ErrorCode::ValidationFailed,
        format!("Het bestand is geen leesbaar {what}-bestand."),
        format!("The file is not a readable {what} file."),
    )
}

fn too_many_rows(limits: &ImportLimits) -> AppError {
    let max = limits.max_rows;
    AppError::new(
        ErrorCode::TableTooLarge,
        format!("Te veel rijen: hoogstens {max} rijen onder de kopregel."),
        format!("Too many rows: at most {max} rows below the header row."),
    )
}

fn too_many_columns(limits: &ImportLimits) -> AppError {
    let max = limits.max_columns;
    AppError::new(
        ErrorCode::TableTooLarge,
        format!("Te veel kolommen: hoogstens {max}."),
        format!("Too many columns: at most {max}."),
    )
}

fn too_many_cells(limits: &ImportLimits) -> AppError {
    let max = limits.max_cells;
    AppError::new(
        ErrorCode::TableTooLarge,
        format!("Te veel cellen: hoogstens {max} in het hele bestand."),
        format!("Too many cells: at most {max} in the whole file."),
    )
}

fn unzips_too_large(limits: &ImportLimits) -> AppError {
    let mib = limits.max_unzipped_bytes / (1024 * 1024);
    AppError::new(
        ErrorCode::ArchiveTooLarge,
        format!("Het Excel-bestand is uitgepakt te groot (hoogstens {mib} MiB)."),
        format!("The Excel file is too large unzipped (at most {mib} MiB)."),
    )
}

/// Counts the cells of a table as it grows and refuses it past the limits.
struct Budget<'a> {
    limits: &'a ImportLimits,
    cells: usize,
}

impl<'a> Budget<'a> {
    fn new(limits: &'a ImportLimits) -> Self {
        Self { limits, cells: 0 }
    }

    /// A row of `width` cells at 0-based position `row` (the header is row 0).
    fn row(&mut self, row: usize, width: usize) -> Result<(), AppError> {
        if row > self.limits.max_rows {
            return Err(too_many_rows(self.limits));
        }
        if width > self.limits.max_columns {
            return Err(too_many_columns(self.limits));
        }
        self.cells = self.cells.saturating_add(width);
        if self.cells > self.limits.max_cells {
            return Err(too_many_cells(self.limits));
        }
        Ok(())
    }
}

fn read_csv(body: &[u8], limits: &ImportLimits) -> Result<Table, AppError> {
    let text = std::str::from_utf8(body).map_err(|_| unreadable(Format::Csv))?;
    let text = text.trim_start_matches('\u{feff}');
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() >= first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut budget = Budget::new(limits);
    let mut all = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => return Err(unreadable(Format::Csv)),
        }
        let cells: Vec<String> = record.iter().map(|c| c.trim().to_owned()).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        budget.row(all.len(), cells.len())?;
        all.push(cells);
    }
    split(all)
}

fn read_xlsx(body: &[u8], limits: &ImportLimits) -> Result<Table, AppError> {
    check_unzipped_size(body, limits)?;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(body)).map_err(|_| unreadable(Format::Xlsx))?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| unreadable(Format::Xlsx))?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|_| unreadable(Format::Xlsx))?;
    // The non-empty cells as (row, column, text), in the order the sheet writes them.
    let mut found: Vec<(u32, u32, String)> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|_| unreadable(Format::Xlsx))? {
        let (row, column) = cell.get_position();
        let text = text_of(Data::from(cell.get_value().clone()));
        if text.is_empty() {
            continue;
        }
        if row as usize > limits.max_rows {
            return Err(too_many_rows(limits));
        }
        if column as usize >= limits.max_columns {
            return Err(too_many_columns(limits));
        }
        if found.len() >= limits.max_cells {
            return Err(too_many_cells(limits));
        }
        found.push((row, column, text));
    }
    found.sort_by_key(|&(row, column, _)| (row, column));
    // Each row as wide as its last cell; empty rows are left out, as in a CSV.
    let mut budget = Budget::new(limits);
    let mut all: Vec<Vec<String>> = Vec::new();
    let mut current: Option<u32> = None;
    for (row, column, text) in found {
        if current != Some(row) {
            current = Some(row);
            all.push(Vec::new());
        }
        let index = all.len() - 1;
        let cells = &mut all[index];
        let width = column as usize + 1;
        if cells.len() < width {
            budget.row(index, width - cells.len())?;
            cells.resize(width, String::new());
        }
        cells[column as usize] = text;
    }
    split(all)
}

/// Refuses an .xlsx whose zip entries declare, or actually inflate to, more than the limit,
/// reading no more than the limit (and one byte) to find out.
fn check_unzipped_size(body: &[u8], limits: &ImportLimits) -> Result<(), AppError> {
    let max = limits.max_unzipped_bytes;
    let mut zip = zip::ZipArchive::new(Cursor::new(body)).map_err(|_| unreadable(Format::Xlsx))?;
    let mut declared: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| unreadable(Format::Xlsx))?;
        declared = declared.saturating_add(entry.size());
    }
    if declared > max {
        return Err(unzips_too_large(limits));
    }
    // Inflated here and counted, not trusting the headers: a lying one is caught the same way.
    let mut inflated: u64 = 0;
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|_| unreadable(Format::Xlsx))?;
        let left = max - inflated;
        let n = match entry.compression() {
            zip::CompressionMethod::Stored => entry.compressed_size(),
            zip::CompressionMethod::Deflated => std::io::copy(
                &mut flate2::read::DeflateDecoder::new(entry).take(left + 1),
                &mut std::io::sink(),
            )
            .map_err(|_| unreadable(Format::Xlsx))?,
            _ => return Err(unreadable(Format::Xlsx)),
        };
        if n > left {
            return Err(unzips_too_large(limits));
        }
        inflated += n;
    }
    Ok(())
}

/// A cell as the import reads it: dates as `YYYY-MM-DD [HH:MM]`, whole numbers without `.0`.
fn text_of(cell: Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::DateTime(d) => excel_datetime(d.as_f64())
            .map(|t| {
                if t.time() == chrono::NaiveTime::MIN {
                    t.date().to_string()
                } else {
                    t.format("%Y-%m-%d %H:%M").to_string()
                }
            })
            .unwrap_or_default(),
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        other => other.to_string().trim().to_owned(),
    }
}

/// An Excel serial date (days since 1899-12-30, the fraction the time of day), to the minute.
fn excel_datetime(serial: f64) -> Option<NaiveDateTime> {
    let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_hms_opt(0, 0, 0)?;
    let minutes = (serial * 24.0 * 60.0).round();
    (minutes.is_finite() && minutes.abs() < 1e9)
        .then(|| epoch + chrono::Duration::minutes(minutes as i64))
}

/// The first row is the header; the file must have one.
fn split(mut all: Vec<Vec<String>>) -> Result<Table, AppError> {
    if all.is_empty() {
        return Err(AppError::new(
            ErrorCode::ValidationFailed,
            "Het bestand is leeg.",
            "The file is empty.",
        ));
    }
    let header = all.remove(0);
    Ok(Table { header, rows: all })
}

/// The columns of a file with a fixed layout, each found by its accepted headers (accents
/// and case ignored).
pub struct Columns(HashMap<&'static str, usize>);

/// Finds each column of `spec` (name, accepted headers) in the header; a missing `required`
/// one is a problem of row 1.
pub fn columns(
    header: &[String],
    spec: &[(&'static str, &[&str])],
    required: &[&str],
) -> Result<Columns, Vec<RowProblem>> {
    let header: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    let index: HashMap<&'static str, usize> = spec
        .iter()
        .filter_map(|(name, aliases)| {
            let normalised: Vec<String> = aliases.iter().map(|a| normalise(a)).collect();
            header
                .iter()
                .position(|h| normalised.contains(h))
                .map(|i| (*name, i))
        })
        .collect();
    let missing: Vec<RowProblem> = required
        .iter()
        .filter(|r| !index.contains_key(*r))
        .map(|r| {
            problem(
                1,
                r,
                format!("De kolom '{r}' ontbreekt in de kopregel."),
                format!("The column '{r}' is missing from the header row."),
            )
        })
        .collect();
    if missing.is_empty() {
        Ok(Columns(index))
    } else {
        Err(missing)
    }
}

impl Columns {
    /// Whether the file has the column.
    pub fn has(&self, name: &str) -> bool {
        self.0.contains_key(name)
    }

    /// The cell of column `name` in a row; empty when the file has no such column or the
    /// row is short.
    pub fn cell<'a>(&self, cells: &'a [String], name: &str) -> &'a str {
        self.0
            .get(name)
            .and_then(|&c| cells.get(c))
            .map(String::as_str)
            .unwrap_or("")
    }

    /// The names of the file's columns, in the file's order.
    pub fn in_file_order(&self) -> Vec<&'static str> {
        let mut found: Vec<(&'static str, usize)> = self.0.iter().map(|(&n, &c)| (n, c)).collect();
        found.sort_by_key(|&(_, c)| c);
        found.into_iter().map(|(n, _)| n).collect()
    }
}

/// A Belgian date, or date and time (a bare date counts as noon); `None` if it is neither.
pub fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    for format in ["%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Some(t);
        }
    }
    parse_date(s).and_then(|d| d.and_hms_opt(12, 0, 0))
}

/// `YYYY-MM-DD` or `DD/MM/YYYY`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: ImportLimits = ImportLimits {
        max_rows: 3,
        max_columns: 4,
        max_cells: 10,
        max_unzipped_bytes: 1024 * 1024,
    };

    fn code(r: Result<Table, AppError>) -> Option<ErrorCode> {
        r.err().map(|e| e.code)
    }

    #[test]
    fn a_csv_within_the_limits_is_read_without_its_empty_rows() {
        let t = read_csv(b"a;b\n1;2\n;\n3;4\n5;6\n", &LIMITS).unwrap();
        assert_eq!(t.header, ["a", "b"]);
        assert_eq!(t.rows.len(), 3);
    }

    #[test]
    fn a_csv_past_a_limit_is_refused() {
        assert_eq!(
            code(read_csv(b"a\n1\n2\n3\n4\n", &LIMITS)),
            Some(ErrorCode::TableTooLarge),
            "rows"
        );
        assert_eq!(
            code(read_csv(b"a;b;c;d;e\n", &LIMITS)),
            Some(ErrorCode::TableTooLarge),
            "columns"
        );
        assert_eq!(
            code(read_csv(b"a;b;c;d\n1;2;3;4\n5;6;7;8\n", &LIMITS)),
            Some(ErrorCode::TableTooLarge),
            "cells"
        );
    }
}
