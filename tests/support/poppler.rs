//! Poppler's command-line tools (Debian's `poppler-utils`), installed with apt-get on first
//! use: a real PDF reader for the report tests. It opens the file (`pdfinfo`), reads its text
//! (`pdftotext`) and takes out its images as they are stored (`pdfimages -all`).

use std::path::Path;

use crate::run_tool as run;

/// The tools, once they are there.
pub struct Poppler(());

fn provision() -> Result<Poppler, String> {
    if run("pdfinfo", &["-v".as_ref()]).is_err() {
        eprintln!("poppler-utils missing; installing them with apt-get");
        crate::apt_install(&["poppler-utils"], || {
            run("pdfinfo", &["-v".as_ref()]).is_ok()
        })?;
        run("pdfinfo", &["-v".as_ref()]).map_err(|e| format!("installed, but: {e}"))?;
    }
    Ok(Poppler(()))
}

impl Poppler {
    /// The tools, or `None` (with a warning) where they cannot be had outside CI.
    pub fn provide(skipped: &str) -> Option<Self> {
        crate::required("poppler-utils", skipped, provision())
    }

    /// What `pdfinfo` says of the file: it fails on a file that is not a readable PDF.
    pub fn info(&self, pdf: &Path) -> String {
        String::from_utf8_lossy(&run("pdfinfo", &[pdf.as_os_str()]).expect("pdfinfo")).into()
    }

    /// The number of pages.
    pub fn pages(&self, pdf: &Path) -> usize {
        self.info(pdf)
            .lines()
            .find_map(|l| l.strip_prefix("Pages:"))
            .and_then(|n| n.trim().parse().ok())
            .expect("pdfinfo names the pages")
    }

    /// The text, in reading order.
    pub fn text(&self, pdf: &Path) -> String {
        let out = run("pdftotext", &[pdf.as_os_str(), "-".as_ref()]).expect("pdftotext");
        String::from_utf8_lossy(&out).into()
    }

    /// How many image objects the file holds (`pdfimages -list` names one row per use).
    pub fn image_objects(&self, pdf: &Path) -> usize {
        let out = run("pdfimages", &["-list".as_ref(), pdf.as_os_str()]).expect("pdfimages");
        let mut objects: Vec<String> = String::from_utf8_lossy(&out)
            .lines()
            .skip(2)
            // The columns are page, num, type, …, enc, interp, object, ID, …: the 12th and
            // 13th name the object.
            .filter_map(|l| {
                let cols: Vec<&str> = l.split_whitespace().collect();
                (cols.len() > 12).then(|| format!("{} {}", cols[11], cols[12]))
            })
            .collect();
        objects.sort();
        objects.dedup();
        objects.len()
    }

    /// The images as stored in the file (a JPEG comes out byte for byte), one per use.
    pub fn images(&self, pdf: &Path) -> Vec<Vec<u8>> {
        let dir = tempfile::tempdir().expect("temp dir");
        let prefix = dir.path().join("image");
        run(
            "pdfimages",
            &["-all".as_ref(), pdf.as_os_str(), prefix.as_os_str()],
        )
        .expect("pdfimages");
        let mut files: Vec<_> = std::fs::read_dir(dir.path())
            .expect("images")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read(f).expect("image"))
            .collect()
    }
}
