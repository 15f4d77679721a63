//! Accent- and case-insensitive search text: the same folding for stored text and queries.

/// Folds accents (`é` → `e`), lower-cases, and turns everything but letters and digits into
/// single spaces: `"Sint-Niklaas, Élégance"` → `"sint niklaas elegance"`.
pub fn normalise(s: &str) -> String {
    let folded = deunicode::deunicode(s).to_lowercase();
    let mut out = String::with_capacity(folded.len());
    for word in folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The stored search text of an enclave: every field a user may type, with a leading space
/// so that a query word can be matched at the start of any word (`LIKE '% word%'`).
pub fn enclave_search_text(parts: &[&str]) -> String {
    format!(" {}", normalise(&parts.join(" ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(
            normalise("Sint-Niklaas, Élégance  BV"),
            "sint niklaas elegance bv"
        );
        assert_eq!(normalise("Café Ça Va"), "cafe ca va");
        assert_eq!(normalise("  "), "");
    }
}
