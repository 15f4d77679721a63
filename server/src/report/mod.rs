//! The inspection report for the file, as a PDF (`GET /api/inspections/{id}/report.pdf`): what
//! the inspector's printed record shows, on A4, in Dutch or English. [`content`] says what the
//! report says; `pdf` sets it on pages; `font` measures and encodes its text.
//!
//! Each photo is embedded as its own JPEG bytes, not a copy: the picture in the PDF is the
//! evidence whose SHA-256 the report prints beside it, so the hash can be checked on the file
//! itself. A photo not (yet) on the server, not a JPEG, unreadable, or past the report's
//! budget for photos is named by its hash in a frame that says why it is not shown.

mod content;
mod font;
mod pdf;

use std::collections::HashMap;

use actix_web::web::Bytes;
use chrono::{DateTime, Utc};
use shared::dto::enclave::Site;
use shared::dto::inspection::InspectionView;
use shared::dto::organisation::Organisation;
use shared::rules::time::belgian_local;
use zune_jpeg::JpegDecoder;
use zune_jpeg::zune_core::bytestream::ZCursor;

/// At most this many bytes of photos are embedded in one report (the rest are named by their
/// hash): a report of a hundred phone photos stays a file one can mail.
pub const MAX_EMBEDDED_BYTES: u64 = 48 * 1024 * 1024;

/// The report's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Nl,
    En,
}

impl Lang {
    /// `nl` or `en`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "nl" => Some(Self::Nl),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    /// The text in this language.
    pub fn pick<'a>(self, nl: &'a str, en: &'a str) -> &'a str {
        match self {
            Self::Nl => nl,
            Self::En => en,
        }
    }
}

/// The enclave as the register knows it.
#[derive(Debug, Clone)]
pub struct Place {
    pub host: Organisation,
    pub maatwerkbedrijf: Organisation,
    pub site: Site,
    pub activity: String,
}

/// A JPEG as it is embedded: its bytes and what its header says.
#[derive(Debug, Clone, PartialEq)]
pub struct Jpeg {
    pub bytes: Bytes,
    pub width: u16,
    pub height: u16,
    /// One component (grey) rather than three (colour).
    pub gray: bool,
}

impl Jpeg {
    /// The JPEG in `bytes`, when its header reads as a baseline or progressive image of one
    /// or three components.
    pub fn read(bytes: Bytes) -> Option<Self> {
        let mut decoder = JpegDecoder::new(ZCursor::new(&bytes[..]));
        decoder.decode_headers().ok()?;
        let info = decoder.info()?;
        let gray = match info.components {
            1 => true,
            3 => false,
            _ => return None,
        };
        (info.width > 0 && info.height > 0).then_some(Self {
            width: info.width,
            height: info.height,
            gray,
            bytes,
        })
    }
}

/// A photo of the record, as the report can show it.
#[derive(Debug, Clone, PartialEq)]
pub enum Evidence {
    Jpeg(Jpeg),
    /// The tablet has not uploaded it (yet).
    NotReceived,
    /// Stored, but not a JPEG (PNG, WebP) or not readable as one.
    NotShown,
    /// Past [`MAX_EMBEDDED_BYTES`].
    OverBudget,
}

impl Evidence {
    /// Why the photo is not in the report, in `lang` (empty for a shown one).
    pub fn why_not_shown(&self, lang: Lang) -> &'static str {
        match self {
            Self::Jpeg(_) => "",
            Self::NotReceived => lang.pick(
                "Nog niet op de server ontvangen.",
                "Not yet received by the server.",
            ),
            Self::NotShown => lang.pick(
                "Niet als JPEG te tonen; op te vragen bij de server.",
                "Cannot be shown as a JPEG; available from the server.",
            ),
            Self::OverBudget => lang.pick(
                "Niet ingevoegd: het verslag is vol; op te vragen bij de server.",
                "Not embedded: the report is full; available from the server.",
            ),
        }
    }
}

/// Everything the report shows.
#[derive(Debug, Clone)]
pub struct Report {
    pub view: InspectionView,
    /// `None` when the enclave is no longer in the register.
    pub place: Option<Place>,
    /// By SHA-256.
    pub photos: HashMap<String, Evidence>,
    pub lang: Lang,
    pub made_at: DateTime<Utc>,
}

impl Report {
    /// The report as a PDF.
    pub fn pdf(&self) -> Vec<u8> {
        let l = self.lang;
        let title = format!(
            "{} {}",
            l.pick("Inspectieverslag", "Inspection report"),
            self.view.record.id
        );
        let footer = format!(
            "{title} · {} {}",
            l.pick("gemaakt", "made"),
            belgian_local(self.made_at).format("%d-%m-%Y %H:%M")
        );
        pdf::write(&content::blocks(self), &title, &footer, l)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_jpeg_is_not_embedded() {
        for bytes in [
            &b""[..],
            b"not a jpeg at all",
            // A JPEG's start of image, then nothing: a truncated upload's shape.
            b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
            b"\x89PNG\r\n\x1a\n",
        ] {
            assert_eq!(Jpeg::read(Bytes::from_static(bytes)), None, "{bytes:?}");
        }
    }
}
