//! The report's two typefaces, Helvetica and Helvetica-Bold: PDF's standard fonts, which
//! every reader has, so nothing is embedded. Text is written in WinAnsiEncoding (Windows-1252,
//! by `encoding_rs`); a character outside it is written as its closest ASCII (`deunicode`).
//! Lines are measured with the fonts' advance widths, so they are broken where they fill the
//! column.

/// A typeface of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Regular,
    Bold,
}

impl Face {
    /// The standard font's name in the PDF.
    pub fn base_font(self) -> &'static [u8] {
        match self {
            Face::Regular => b"Helvetica",
            Face::Bold => b"Helvetica-Bold",
        }
    }

    /// The width of `encoded` text (WinAnsi bytes) at `size` points.
    pub fn width(self, encoded: &[u8], size: f32) -> f32 {
        let table = match self {
            Face::Regular => &REGULAR,
            Face::Bold => &BOLD,
        };
        let units: u32 = encoded
            .iter()
            .map(|&b| u32::from(b.checked_sub(0x20).map_or(0, |i| table[usize::from(i)])))
            .sum();
        units as f32 * size / 1000.0
    }
}

/// `text` in WinAnsiEncoding, line breaks and other control characters as spaces.
pub fn encode(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut one = [0u8; 4];
    for c in text.chars() {
        if c.is_control() {
            out.push(b' ');
            continue;
        }
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(c.encode_utf8(&mut one));
        if unmappable {
            out.extend(
                deunicode::deunicode_char(c)
                    .unwrap_or("?")
                    .bytes()
                    .filter(|b| (0x20..0x7f).contains(b)),
            );
        } else {
            out.extend_from_slice(&bytes);
        }
    }
    out
}

// The advance widths of the codes 0x20–0xFF of WinAnsiEncoding, in thousandths of the font
// size, as Adobe's core-font metrics give them for Helvetica and Helvetica-Bold (read off the
// metric-compatible Nimbus Sans AFM files of Debian's fonts-urw-base35; 0 where the encoding
// has no character).
const REGULAR: [u16; 224] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    0, 556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, 0, 222, 222,
    333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667, 278, 333, 556, 556, 556, 556,
    260, 556, 333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 556, 537, 278, 333,
    333, 365, 556, 834, 834, 834, 611, 667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667,
    278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, 556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278, 556, 556,
    556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,
];
const BOLD: [u16; 224] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611, 975, 722, 722, 722, 722, 667,
    611, 778, 722, 278, 556, 722, 611, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 333, 278, 333, 584, 556, 333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556,
    278, 889, 611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584,
    0, 556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0, 0, 278, 278,
    500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667, 278, 333, 556, 556, 556, 556,
    280, 556, 333, 737, 370, 556, 584, 333, 737, 333, 400, 584, 333, 333, 333, 611, 556, 278, 333,
    333, 365, 556, 834, 834, 834, 611, 722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667,
    278, 278, 278, 278, 722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667,
    611, 556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278, 611, 611,
    611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_written_in_win_ansi() {
        assert_eq!(encode("Café €5 – ok"), b"Caf\xe9 \x805 \x96 ok");
        // Outside the encoding: the closest ASCII; control characters: a space.
        assert_eq!(encode("Łódź\nŻ"), b"L\xf3dz Z");
    }

    #[test]
    fn widths_are_the_fonts_advance_widths() {
        // Helvetica: "H" 722, "i" 222; bold "H" 722, "i" 278.
        assert!((Face::Regular.width(b"Hi", 10.0) - 9.44).abs() < 1e-4);
        assert!((Face::Bold.width(b"Hi", 10.0) - 10.0).abs() < 1e-4);
        assert!(Face::Bold.width(&encode("é"), 10.0) > 0.0);
    }
}
