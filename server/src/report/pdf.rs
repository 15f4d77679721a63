//! The report's blocks set on A4 pages and written as a PDF with `pdf-writer`: text in the
//! standard Helvetica faces, lines broken by `textwrap`'s first fit over the faces' widths, a
//! field's label and value side by side, each photo at thumbnail size beside its caption and
//! hash (the JPEG's own bytes, embedded once however often it is named), a page break before
//! whatever does not fit, and on every page a footer that names the inspection and the page.

use std::collections::HashMap;
use std::io::Write;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};
use textwrap::core::Fragment;
use textwrap::wrap_algorithms::wrap_first_fit;

use super::Evidence;
use super::content::{Block, Photo};
use super::font::{Face, encode};

const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 50.0;
const TOP: f32 = PAGE_HEIGHT - MARGIN;
/// Nothing but the footer goes below this.
const BOTTOM: f32 = 60.0;
const COLUMN: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const LABEL_WIDTH: f32 = 160.0;
const VALUE_X: f32 = MARGIN + LABEL_WIDTH + 10.0;
const VALUE_WIDTH: f32 = PAGE_WIDTH - MARGIN - VALUE_X;
const THUMB_WIDTH: f32 = 150.0;
const THUMB_HEIGHT: f32 = 112.0;
const BODY: f32 = 10.0;
const SMALL: f32 = 8.0;

/// A word, with its width and the width of the space after it, for `textwrap`.
#[derive(Debug)]
struct Word {
    text: Vec<u8>,
    width: f64,
    space: f64,
}

impl Fragment for Word {
    fn width(&self) -> f64 {
        self.width
    }
    fn whitespace_width(&self) -> f64 {
        self.space
    }
    fn penalty_width(&self) -> f64 {
        0.0
    }
}

/// `text` in lines no wider than `width` points; a word wider than a line is cut.
fn wrap(text: &str, face: Face, size: f32, width: f32) -> Vec<Vec<u8>> {
    let space = f64::from(face.width(b" ", size));
    let mut words = Vec::new();
    for word in encode(text).split(|b| *b == b' ').filter(|w| !w.is_empty()) {
        // Cut where the width runs out (at least one character a piece), in one pass.
        let (mut start, mut run) = (0, 0.0);
        for (i, b) in word.iter().enumerate() {
            let w = face.width(std::slice::from_ref(b), size);
            if run + w > width && i > start {
                words.push(Word {
                    text: word[start..i].to_vec(),
                    width: f64::from(run),
                    space,
                });
                (start, run) = (i, 0.0);
            }
            run += w;
        }
        words.push(Word {
            text: word[start..].to_vec(),
            width: f64::from(run),
            space,
        });
    }
    if words.is_empty() {
        return vec![Vec::new()];
    }
    wrap_first_fit(&words, &[f64::from(width)])
        .into_iter()
        .map(|line| {
            line.iter()
                .map(|w| w.text.as_slice())
                .collect::<Vec<_>>()
                .join(&b' ')
        })
        .collect()
}

/// A line of text placed on a page.
struct Line {
    face: Face,
    size: f32,
    gray: f32,
    x: f32,
    y: f32,
    text: Vec<u8>,
}

/// A photo placed on a page: which image, and its box.
struct Placed {
    image: usize,
    rect: Rect,
}

#[derive(Default)]
struct Page {
    lines: Vec<Line>,
    images: Vec<Placed>,
    /// Thin rules under headings, and frames where a photo is not shown: (x, y, w, h).
    strokes: Vec<(f32, f32, f32, f32)>,
}

/// Places blocks top to bottom, page after page.
struct Setter<'a> {
    pages: Vec<Page>,
    y: f32,
    /// The JPEGs to embed, each once, and where each hash went.
    images: Vec<&'a super::Jpeg>,
    by_hash: HashMap<&'a str, usize>,
}

impl<'a> Setter<'a> {
    fn new() -> Self {
        Self {
            pages: vec![Page::default()],
            y: TOP,
            images: Vec::new(),
            by_hash: HashMap::new(),
        }
    }

    fn page(&mut self) -> &mut Page {
        self.pages.last_mut().expect("a page")
    }

    /// Makes room for `height` points, on a new page if this one is full.
    fn room(&mut self, height: f32) {
        if self.y - height < BOTTOM && self.y < TOP {
            self.pages.push(Page::default());
            self.y = TOP;
        }
    }

    fn line(&mut self, face: Face, size: f32, gray: f32, x: f32, y: f32, text: Vec<u8>) {
        self.page().lines.push(Line {
            face,
            size,
            gray,
            x,
            y,
            text,
        });
    }

    /// Wrapped text across the column, each line on the page where it fits.
    fn paragraph(&mut self, text: &str, face: Face, size: f32, gray: f32, after: f32) {
        let leading = size * 1.3;
        for line in wrap(text, face, size, COLUMN) {
            self.room(leading);
            self.y -= leading;
            self.line(face, size, gray, MARGIN, self.y + size * 0.25, line);
        }
        self.y -= after;
    }

    /// A label and its value side by side, row by row.
    fn field(&mut self, label: &str, value: &str) {
        let leading = BODY * 1.3;
        let labels = wrap(label, Face::Bold, BODY, LABEL_WIDTH);
        let values = wrap(value, Face::Regular, BODY, VALUE_WIDTH);
        let rows = labels.len().max(values.len());
        let (mut labels, mut values) = (labels.into_iter(), values.into_iter());
        for _ in 0..rows {
            self.room(leading);
            self.y -= leading;
            let baseline = self.y + BODY * 0.25;
            if let Some(l) = labels.next() {
                self.line(Face::Bold, BODY, 0.0, MARGIN, baseline, l);
            }
            if let Some(v) = values.next() {
                self.line(Face::Regular, BODY, 0.0, VALUE_X, baseline, v);
            }
        }
        self.y -= 2.0;
    }

    fn heading(&mut self, text: &str) {
        // A heading stays with at least two lines of what follows it.
        self.room(12.0 + 18.0 + 2.0 * BODY * 1.3);
        self.y -= 12.0;
        self.paragraph(text, Face::Bold, 12.0, 0.0, 0.0);
        let y = self.y - 3.0;
        self.page().strokes.push((MARGIN, y, COLUMN, 0.0));
        self.y -= 8.0;
    }

    /// The photo at thumbnail size, its caption and hash beside it; where it is not shown, a
    /// frame that says why.
    fn photo(&mut self, photo: &'a Photo, lang: super::Lang) {
        let (w, h) = match &photo.evidence {
            Evidence::Jpeg(j) => {
                let scale =
                    (THUMB_WIDTH / f32::from(j.width)).min(THUMB_HEIGHT / f32::from(j.height));
                (f32::from(j.width) * scale, f32::from(j.height) * scale)
            }
            _ => (THUMB_WIDTH, 40.0),
        };
        self.room(h + 8.0);
        let top = self.y - 4.0;
        let bottom = top - h;
        match &photo.evidence {
            Evidence::Jpeg(j) => {
                let next = self.images.len();
                let image = *self.by_hash.entry(photo.sha256.as_str()).or_insert(next);
                if image == next {
                    self.images.push(j);
                }
                self.page().images.push(Placed {
                    image,
                    rect: Rect::new(MARGIN, bottom, MARGIN + w, top),
                });
            }
            other => {
                self.page().strokes.push((MARGIN, bottom, w, h));
                let why = other.why_not_shown(lang);
                for (i, l) in wrap(why, Face::Regular, SMALL, w - 8.0)
                    .into_iter()
                    .take(3)
                    .enumerate()
                {
                    let y = top - 12.0 - i as f32 * SMALL * 1.3;
                    self.line(Face::Regular, SMALL, 0.3, MARGIN + 4.0, y, l);
                }
            }
        }
        let x = MARGIN + THUMB_WIDTH + 10.0;
        self.line(Face::Bold, BODY, 0.0, x, top - BODY, encode(&photo.caption));
        self.line(
            Face::Regular,
            SMALL,
            0.3,
            x,
            top - BODY - 12.0,
            encode("SHA-256"),
        );
        self.line(
            Face::Regular,
            SMALL,
            0.0,
            x,
            top - BODY - 22.0,
            encode(&photo.sha256),
        );
        self.y = bottom - 6.0;
    }
}

/// The report as a PDF: `blocks` set on A4 pages with `footer` and the page number on each.
pub fn write(blocks: &[Block], title: &str, footer: &str, lang: super::Lang) -> Vec<u8> {
    let mut setter = Setter::new();
    for block in blocks {
        match block {
            Block::Title(t) => setter.paragraph(t, Face::Bold, 16.0, 0.0, 8.0),
            Block::Heading(t) => setter.heading(t),
            Block::Field(label, value) => setter.field(label, value),
            Block::Text(t) => setter.paragraph(t, Face::Regular, BODY, 0.0, 2.0),
            Block::Small(t) => setter.paragraph(t, Face::Regular, SMALL, 0.3, 2.0),
            Block::Photo(p) => setter.photo(p, lang),
        }
    }
    let Setter { pages, images, .. } = setter;

    let mut pdf = Pdf::new();
    let mut next = Ref::new(1);
    let mut alloc = || next.bump();
    let (catalog, tree, info) = (alloc(), alloc(), alloc());
    let fonts = [(Face::Regular, alloc()), (Face::Bold, alloc())];
    let image_ids: Vec<Ref> = images.iter().map(|_| alloc()).collect();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (alloc(), alloc())).collect();

    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(page, _)| *page))
        .count(page_ids.len() as i32);
    pdf.document_info(info)
        .title(TextStr(title))
        .producer(TextStr("Enclave Inspect"));
    for (face, id) in fonts {
        pdf.type1_font(id)
            .base_font(Name(face.base_font()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for (jpeg, id) in images.iter().zip(&image_ids) {
        let mut image = pdf.image_xobject(*id, &jpeg.bytes);
        image.filter(Filter::DctDecode);
        image.width(i32::from(jpeg.width));
        image.height(i32::from(jpeg.height));
        if jpeg.gray {
            image.color_space().device_gray();
        } else {
            image.color_space().device_rgb();
        }
        image.bits_per_component(8);
    }
    let total = pages.len();
    for (n, (page, (page_id, content_id))) in pages.iter().zip(&page_ids).enumerate() {
        let mut p = pdf.page(*page_id);
        p.media_box(Rect::new(0.0, 0.0, PAGE_WIDTH, PAGE_HEIGHT));
        p.parent(tree);
        p.contents(*content_id);
        let mut resources = p.resources();
        let mut font_dict = resources.fonts();
        font_dict.pair(Name(b"F1"), fonts[0].1);
        font_dict.pair(Name(b"F2"), fonts[1].1);
        font_dict.finish();
        let mut objects = resources.x_objects();
        for placed in &page.images {
            let name = format!("Im{}", placed.image);
            objects.pair(Name(name.as_bytes()), image_ids[placed.image]);
        }
        objects.finish();
        resources.finish();
        p.finish();

        let mut content = Content::new();
        for placed in &page.images {
            let r = placed.rect;
            content.save_state();
            content.transform([r.x2 - r.x1, 0.0, 0.0, r.y2 - r.y1, r.x1, r.y1]);
            content.x_object(Name(format!("Im{}", placed.image).as_bytes()));
            content.restore_state();
        }
        content.set_line_width(0.5);
        content.set_stroke_gray(0.6);
        for &(x, y, w, h) in &page.strokes {
            if h == 0.0 {
                content.move_to(x, y);
                content.line_to(x + w, y);
            } else {
                content.rect(x, y, w, h);
            }
            content.stroke();
        }
        let footer_line = Line {
            face: Face::Regular,
            size: SMALL,
            gray: 0.3,
            x: MARGIN,
            y: 30.0,
            text: encode(&format!("{footer} · {}/{total}", n + 1)),
        };
        for line in page.lines.iter().chain([&footer_line]) {
            let font = match line.face {
                Face::Regular => Name(b"F1"),
                Face::Bold => Name(b"F2"),
            };
            content.set_fill_gray(line.gray);
            content.begin_text();
            content.set_font(font, line.size);
            content.next_line(line.x, line.y);
            content.show(Str(&line.text));
            content.end_text();
        }
        pdf.stream(*content_id, &deflate(&content.finish()))
            .filter(Filter::FlateDecode);
    }
    pdf.finish()
}

fn deflate(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(bytes);
    encoder.finish().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_fill_the_width_and_long_words_are_cut() {
        let text = "Registratie pas na de start ingediend, zonder begeleider op de werkvloer.";
        let lines = wrap(text, Face::Regular, BODY, 150.0);
        assert!(lines.len() > 1, "{lines:?}");
        for line in &lines {
            assert!(Face::Regular.width(line, BODY) <= 150.0);
        }
        // Nothing lost: the words, in order.
        assert_eq!(lines.join(&b' '), encode(text));
        // A hash wider than the line is cut, not set past the margin.
        let hash = "a".repeat(64);
        let cut = wrap(&hash, Face::Regular, BODY, 100.0);
        assert!(cut.len() > 1);
        assert_eq!(cut.concat(), hash.as_bytes());
        assert_eq!(wrap("", Face::Regular, BODY, 100.0), vec![Vec::<u8>::new()]);
    }
}
