//! Word search over enclaves, the same on the server and on the tablet: the folding of text
//! into search words, and a sorted word index in which the words starting with a prefix are
//! one range.
//!
//! The matching rule: every word of the query must start a word of the enclave's search text
//! (host, maatwerkbedrijf, site, street, postcode, municipality, activity), after both are
//! folded by [`normalise`]. Results come in the order the index was built in (the server and
//! the device build it in `(sort_key, id)` order, so pages match).

/// What each character from U+00A0 to U+024F folds to (lower case), as `deunicode` folds it;
/// the server's stored search texts were folded by `deunicode`, so the device folds alike
/// without carrying its tables. A unit test compares every entry.
const LATIN: [&str; 432] = [
    " ", "!", "c/", "ps", "$?", "y=", "|", "ss", "\"", "(c)", "a", "<<", "!", "", "(r)", "-",
    "deg", "+-", "2", "3", "'", "u", "p", "*", ",", "1", "o", ">>", "1/4", "1/2", "3/4", "?", "a",
    "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", "d", "n", "o", "o",
    "o", "o", "o", "x", "o", "u", "u", "u", "u", "y", "th", "ss", "a", "a", "a", "a", "a", "a",
    "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", "/", "o",
    "u", "u", "u", "u", "y", "th", "y", "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c",
    "c", "c", "d", "d", "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g",
    "g", "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i", "i", "i",
    "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l", "l", "l", "l", "n",
    "n", "n", "n", "n", "n", "'n", "ng", "ng", "o", "o", "o", "o", "o", "o", "oe", "oe", "r", "r",
    "r", "r", "r", "r", "s", "s", "s", "s", "s", "s", "s", "s", "t", "t", "t", "t", "t", "t", "u",
    "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z",
    "z", "z", "z", "s", "b", "b", "b", "b", "6", "6", "o", "c", "c", "d", "d", "d", "d", "d", "3",
    "@", "e", "f", "f", "g", "g", "hv", "i", "i", "k", "k", "l", "l", "w", "n", "n", "o", "o", "o",
    "oi", "oi", "p", "p", "yr", "2", "2", "sh", "sh", "t", "t", "t", "t", "u", "u", "y", "v", "y",
    "y", "z", "z", "zh", "zh", "zh", "zh", "2", "5", "5", "ts", "w", "|", "||", "|=", "!", "dz",
    "dz", "dz", "lj", "lj", "lj", "nj", "nj", "nj", "a", "a", "i", "i", "o", "o", "u", "u", "u",
    "u", "u", "u", "u", "u", "u", "u", "@", "a", "a", "a", "a", "ae", "ae", "g", "g", "g", "g",
    "k", "k", "o", "o", "o", "o", "zh", "zh", "j", "dz", "dz", "dz", "g", "g", "hv", "w", "n", "n",
    "a", "a", "ae", "ae", "o", "o", "a", "a", "a", "a", "e", "e", "e", "e", "i", "i", "i", "i",
    "o", "o", "o", "o", "r", "r", "r", "r", "u", "u", "u", "u", "s", "s", "t", "t", "y", "y", "h",
    "h", "n", "d", "ou", "ou", "z", "z", "a", "a", "e", "e", "o", "o", "o", "o", "o", "o", "o",
    "o", "y", "y", "l", "n", "t", "j", "db", "qp", "a", "c", "c", "l", "t", "s", "z", "'", "'",
    "b", "u", "^", "e", "e", "j", "j", "q", "q", "r", "r", "y", "y",
];

/// Letters the combining marks U+0363 to U+036F stand for (the ones before fold to nothing).
const COMBINING_LETTERS: &str = "aeioucdhmrtvx";

/// Appends the folding of `c` to `out`: ASCII lower-cased, Latin letters without accents,
/// combining accents dropped; any other character becomes a space (a word boundary).
fn fold_char(c: char, out: &mut String) {
    match c {
        _ if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        '\u{a0}'..='\u{24f}' => out.push_str(LATIN[c as usize - 0xa0]),
        '\u{300}'..='\u{362}' => {}
        '\u{363}'..='\u{36f}' => {
            let i = c as usize - 0x363;
            out.push_str(&COMBINING_LETTERS[i..=i]);
        }
        _ => out.push(' '),
    }
}

/// Folds accents (`é` → `e`), lower-cases, and turns everything but letters and digits into
/// single spaces: `"Sint-Niklaas, Élégance"` → `"sint niklaas elegance"`.
///
/// Identical to the server's `deunicode`-based folding for ASCII, Latin-1 and the Latin
/// Extended-A/B blocks and combining accents (every character tested); letters of other
/// scripts are word boundaries here.
pub fn normalise(s: &str) -> String {
    let mut folded = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut folded);
    }
    join_words(&folded)
}

/// Joins the ASCII letter-and-digit runs of already folded, lower-case text with single
/// spaces.
pub fn join_words(folded: &str) -> String {
    let mut out = String::with_capacity(folded.len());
    for word in words(folded) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The words of normalised text.
pub fn words(normalised: &str) -> impl Iterator<Item = &str> {
    normalised
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// The search text of an enclave from its fields: every field a user may type, normalised,
/// with a leading space (so `" word"` matches at a word's start, as `LIKE '% word%'` does).
pub fn search_text(parts: &[&str]) -> String {
    format!(" {}", normalise(&parts.join(" ")))
}

/// Every distinct word of a list of search texts, sorted, with the positions of the texts
/// that have it (ascending).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WordIndex {
    words: Vec<(String, Vec<u32>)>,
    len: usize,
}

impl WordIndex {
    /// Indexes `texts` (normalised), each at its position in the iteration.
    pub fn build<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut words: std::collections::BTreeMap<&str, Vec<u32>> = Default::default();
        let mut len = 0;
        for (position, text) in texts.into_iter().enumerate() {
            len = position + 1;
            for word in self::words(text) {
                let positions = words.entry(word).or_default();
                if positions.last() != Some(&(position as u32)) {
                    positions.push(position as u32);
                }
            }
        }
        Self {
            words: words
                .into_iter()
                .map(|(w, positions)| (w.to_owned(), positions))
                .collect(),
            len,
        }
    }

    /// How many texts were indexed.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no text was indexed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The texts that have, for every one of `prefixes` (normalised words), a word starting
    /// with it: one bit per position. What `text.contains(" prefix")` tells of each, without
    /// reading every text.
    pub fn matching(&self, prefixes: &[String]) -> Vec<u64> {
        let blocks = self.len.div_ceil(64);
        let mut all = vec![u64::MAX; blocks];
        if let Some(last) = all.last_mut()
            && !self.len.is_multiple_of(64)
        {
            *last = (1 << (self.len % 64)) - 1;
        }
        for prefix in prefixes {
            let mut any = vec![0u64; blocks];
            let from = self
                .words
                .partition_point(|(w, _)| w.as_str() < prefix.as_str());
            for (_, positions) in self.words[from..]
                .iter()
                .take_while(|(w, _)| w.starts_with(prefix.as_str()))
            {
                for p in positions {
                    any[*p as usize / 64] |= 1 << (p % 64);
                }
            }
            for (a, b) in all.iter_mut().zip(any) {
                *a &= b;
            }
        }
        all
    }

    /// The positions, from `start` on and in order, of the texts that match every one of
    /// `prefixes`.
    pub fn positions(&self, prefixes: &[String], start: usize) -> impl Iterator<Item = usize> {
        self.matching(prefixes)
            .into_iter()
            .enumerate()
            .skip(start / 64)
            .flat_map(|(block, mut bits)| {
                std::iter::from_fn(move || {
                    (bits != 0).then(|| {
                        let bit = bits.trailing_zeros() as usize;
                        bits &= bits - 1;
                        block * 64 + bit
                    })
                })
            })
            .filter(move |p| *p >= start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The server's folding of stored texts, before this module existed.
    fn by_deunicode(s: &str) -> String {
        join_words(&deunicode::deunicode(s).to_lowercase())
    }

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(
            normalise("Sint-Niklaas, Élégance  BV"),
            "sint niklaas elegance bv"
        );
        assert_eq!(normalise("Café Ça Va"), "cafe ca va");
        assert_eq!(normalise("Œuvre Straße Øster"), "oeuvre strasse oster");
        // A decomposed accent (NFD, as some keyboards send it) folds like a composed one.
        assert_eq!(normalise("Cafe\u{301}"), "cafe");
        assert_eq!(normalise("  "), "");
        assert_eq!(search_text(&["De Lijn", "Gent"]), " de lijn gent");
    }

    #[test]
    fn folds_every_latin_character_as_the_server_does() {
        // IPA and spacing modifier letters (U+0250 to U+02FF) are word boundaries here.
        let latin = ('\u{0}'..='\u{24f}').chain('\u{300}'..='\u{36f}');
        for c in latin.filter(|c| !c.is_control()) {
            let s = format!("x{c}y Ab{c}");
            assert_eq!(
                normalise(&s),
                by_deunicode(&s),
                "{c:?} (U+{:04X})",
                c as u32
            );
        }
        for s in [
            "Maatwerkbedrijf Élan vzw, Rue de l’Église 12, 1000 Bruxelles",
            "Ĳzerwerken Zoë – ½ dag, µ-techniek",
            "Groß & Søn ApS",
        ] {
            assert_eq!(normalise(s), by_deunicode(s), "{s}");
        }
    }

    fn index(texts: &[&str]) -> WordIndex {
        let texts: Vec<String> = texts.iter().map(|t| search_text(&[t])).collect();
        WordIndex::build(texts.iter().map(String::as_str))
    }

    fn query(q: &str) -> Vec<String> {
        words(&normalise(q)).map(str::to_owned).collect()
    }

    fn found(index: &WordIndex, q: &str) -> Vec<usize> {
        index.positions(&query(q), 0).collect()
    }

    #[test]
    fn every_query_word_must_start_a_word() {
        let i = index(&[
            "Bakkerij Peeters Gent",
            "Peeters Metaal Antwerpen",
            "Groene Zorg Gentbrugge",
            "Slagerij Depeeters Brugge",
        ]);
        assert_eq!(
            found(&i, "pee"),
            [0, 1],
            "a prefix, not a middle (depeeters)"
        );
        assert_eq!(found(&i, "gent"), [0, 2], "gent and gentbrugge");
        assert_eq!(found(&i, "gent pee"), [0], "both words");
        assert_eq!(found(&i, "pee gent"), [0], "in any order");
        assert_eq!(found(&i, "bakkerij antwerpen"), Vec::<usize>::new());
        assert_eq!(found(&i, "xyz"), Vec::<usize>::new());
        assert_eq!(found(&i, ""), [0, 1, 2, 3], "no words: everything");
    }

    #[test]
    fn accents_and_case_fold_on_both_sides() {
        let i = index(&["Café Élégance Liège", "CAFE ELEGANCE LIEGE"]);
        assert_eq!(found(&i, "élé"), [0, 1]);
        assert_eq!(found(&i, "LIEGE cafe"), [0, 1]);
        assert_eq!(found(&i, "Liège-Café"), [0, 1], "punctuation splits words");
    }

    #[test]
    fn same_answer_as_reading_every_text() {
        // Many texts over a few words, past several 64-bit blocks.
        let vocabulary = ["aa", "ab", "abc", "b", "ba", "bab", "c", "ca", "cab", "d"];
        let texts: Vec<String> = (0..300usize)
            .map(|n| {
                let words: Vec<&str> = (0..3)
                    .map(|k| vocabulary[(n * 7 + k * 13 + n / 11) % vocabulary.len()])
                    .collect();
                search_text(&words)
            })
            .collect();
        let i = WordIndex::build(texts.iter().map(String::as_str));
        assert_eq!(i.len(), 300);
        for q in ["a", "ab", "b ca", "ca ab", "d", "bab c", "x", "abc abc"] {
            let words = query(q);
            let expected: Vec<usize> = (0..texts.len())
                .filter(|p| words.iter().all(|w| texts[*p].contains(&format!(" {w}"))))
                .collect();
            assert_eq!(found(&i, q), expected, "{q}");
            // Paging: from any start, the rest of the same list.
            for start in [0, 1, 63, 64, 65, 200, 299, 300, 400] {
                let rest: Vec<usize> = i.positions(&words, start).collect();
                let tail: Vec<usize> = expected.iter().copied().filter(|p| *p >= start).collect();
                assert_eq!(rest, tail, "{q} from {start}");
            }
        }
    }

    #[test]
    fn an_empty_index_finds_nothing() {
        let i = WordIndex::build([]);
        assert!(i.is_empty());
        assert_eq!(found(&i, "a"), Vec::<usize>::new());
        assert_eq!(found(&i, ""), Vec::<usize>::new());
    }
}
