//! Belgian enterprise numbers (ondernemingsnummer) and establishment unit numbers
//! (vestigingseenheidsnummer), as registered in the KBO/BCE.
//!
//! Both have 10 digits whose last two are check digits: 97 minus the first eight digits
//! (read as a number) modulo 97. An enterprise number starts with 0 or 1, an establishment
//! unit number with a digit from 2 to 8.

use std::fmt;
use std::str::FromStr;

/// Why a number was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// Nothing was entered.
    Empty,
    /// Something other than digits, dots, spaces (and for enterprise numbers a `BE` prefix).
    InvalidCharacters,
    /// Not 10 digits (nor 9 for an old enterprise number).
    WrongLength,
    /// The first digit does not fit the kind of number.
    InvalidFirstDigit,
    /// The mod-97 check digits do not match.
    BadCheckDigits,
}

impl NumberError {
    /// The message in Dutch.
    pub fn message_nl(&self) -> &'static str {
        match self {
            Self::Empty => "Er is geen nummer ingevuld.",
            Self::InvalidCharacters => {
                "Het nummer mag alleen cijfers, punten en spaties bevatten \
                 (een ondernemingsnummer ook het voorvoegsel BE)."
            }
            Self::WrongLength => {
                "Het nummer moet 10 cijfers tellen \
                 (een oud ondernemingsnummer van 9 cijfers mag ook)."
            }
            Self::InvalidFirstDigit => {
                "Een ondernemingsnummer begint met 0 of 1, \
                 een vestigingseenheidsnummer met een cijfer van 2 tot 8."
            }
            Self::BadCheckDigits => {
                "De controlecijfers (de laatste twee cijfers) kloppen niet: \
                 er zit waarschijnlijk een tikfout in het nummer."
            }
        }
    }

    /// The message in English.
    pub fn message_en(&self) -> &'static str {
        match self {
            Self::Empty => "No number was entered.",
            Self::InvalidCharacters => {
                "The number may contain only digits, dots and spaces \
                 (an enterprise number also the prefix BE)."
            }
            Self::WrongLength => {
                "The number must have 10 digits \
                 (an old 9-digit enterprise number is also accepted)."
            }
            Self::InvalidFirstDigit => {
                "An enterprise number starts with 0 or 1, \
                 an establishment unit number with a digit from 2 to 8."
            }
            Self::BadCheckDigits => {
                "The check digits (the last two digits) do not match: \
                 the number probably contains a typo."
            }
        }
    }
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message_en())
    }
}

impl std::error::Error for NumberError {}

/// The check digits (1–97) of the first eight digits read as a number.
fn check_digits(base: u32) -> u32 {
    97 - base % 97
}

/// The 10-digit string for the first eight digits `base` (< 10^8).
fn with_check_digits(base: u32) -> String {
    format!("{base:08}{:02}", check_digits(base))
}

/// Parses the digits of a number, skipping dots and spaces, and validates length, first
/// digit and check digits. `be_prefix`: accept a leading `BE` and 9-digit (old) numbers.
fn parse(s: &str, be_prefix: bool, first_digit: fn(u8) -> bool) -> Result<String, NumberError> {
    let s = s.trim();
    if s.is_empty() {
        return Err(NumberError::Empty);
    }
    let rest = match s.get(..2) {
        Some(prefix) if be_prefix && prefix.eq_ignore_ascii_case("BE") => &s[2..],
        _ => s,
    };
    let mut digits = String::with_capacity(10);
    for c in rest.chars() {
        match c {
            '0'..='9' => digits.push(c),
            '.' | ' ' => {}
            _ => return Err(NumberError::InvalidCharacters),
        }
    }
    match digits.len() {
        10 => {}
        9 if be_prefix => digits.insert(0, '0'),
        _ => return Err(NumberError::WrongLength),
    }
    if !first_digit(digits.as_bytes()[0] - b'0') {
        return Err(NumberError::InvalidFirstDigit);
    }
    let base: u32 = digits[..8].parse().expect("eight ASCII digits");
    let check: u32 = digits[8..].parse().expect("two ASCII digits");
    if check != check_digits(base) {
        return Err(NumberError::BadCheckDigits);
    }
    Ok(digits)
}

/// A valid enterprise number: 10 digits, first 0 or 1, mod-97 check digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnterpriseNumber(String);

impl EnterpriseNumber {
    /// The 10 digits, without separators.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The valid number whose first eight digits are `base`, zero-padded; `None` unless
    /// `base` < 20 000 000 (so the first digit is 0 or 1). Meant for demo and test data.
    pub fn from_base(base: u32) -> Option<Self> {
        (base < 20_000_000).then(|| Self(with_check_digits(base)))
    }
}

impl FromStr for EnterpriseNumber {
    type Err = NumberError;

    /// Accepts `0123.456.749`, `0123 456 749`, `0123456749`, an optional `BE` prefix in any
    /// case (`BE0123456749`, `be 0123.456.749`) and old 9-digit numbers (`123.456.749`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s, true, |d| d <= 1).map(Self)
    }
}

impl fmt::Display for EnterpriseNumber {
    /// `0123.456.749`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.0;
        write!(f, "{}.{}.{}", &d[..4], &d[4..7], &d[7..])
    }
}

/// A valid establishment unit number: 10 digits, first from 2 to 8, mod-97 check digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EstablishmentUnitNumber(String);

impl EstablishmentUnitNumber {
    /// The 10 digits, without separators.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The valid number whose first eight digits are `base`; `None` unless `base` lies in
    /// 20 000 000..=89 999 999 (first digit 2 to 8). Meant for demo and test data.
    pub fn from_base(base: u32) -> Option<Self> {
        (20_000_000..90_000_000)
            .contains(&base)
            .then(|| Self(with_check_digits(base)))
    }
}

impl FromStr for EstablishmentUnitNumber {
    type Err = NumberError;

    /// Accepts `2.123.456.789`, the same with spaces, or the bare 10 digits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s, false, |d| (2..=8).contains(&d)).map(Self)
    }
}

impl fmt::Display for EstablishmentUnitNumber {
    /// `2.123.456.789`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.0;
        write!(f, "{}.{}.{}.{}", &d[..1], &d[1..4], &d[4..7], &d[7..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Independent check of the mod-97 rule, in 64-bit arithmetic.
    fn valid_by_hand(digits: &str) -> bool {
        let first8: u64 = digits[..8].parse().unwrap();
        let last2: u64 = digits[8..].parse().unwrap();
        last2 == 97 - first8 % 97
    }

    #[test]
    fn known_enterprise_number() {
        // 01234567 mod 97 = 48 (97 × 12 727 = 1 234 519), so the check digits are 49.
        assert_eq!(1_234_567 % 97, 48);
        assert!(valid_by_hand("0123456749"));
        let n: EnterpriseNumber = "0123.456.749".parse().unwrap();
        assert_eq!(n.digits(), "0123456749");
        assert_eq!(n.to_string(), "0123.456.749");
        assert_eq!(EnterpriseNumber::from_base(1_234_567), Some(n));
    }

    #[test]
    fn accepted_enterprise_spellings() {
        for s in [
            "0123.456.749",
            "0123 456 749",
            "BE0123456749",
            "be 0123.456.749",
            "Be0123.456.749",
            "0123456749",
            "  0123456749 ",
            "123.456.749",
            "123456749",
            "BE 123.456.749",
        ] {
            let n: EnterpriseNumber = s.parse().unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(n.to_string(), "0123.456.749", "{s}");
        }
        // Check digits 97 (base divisible by 97) and a first digit 1.
        assert_eq!(
            EnterpriseNumber::from_base(97).unwrap().to_string(),
            "0000.009.797"
        );
        // 10 000 000 mod 97 = 76 (97 × 103 092 = 9 999 924), so the check digits are 21.
        assert_eq!(
            EnterpriseNumber::from_base(10_000_000).unwrap().digits(),
            "1000000021"
        );
        assert!("1000.000.021".parse::<EnterpriseNumber>().is_ok());
    }

    #[test]
    fn rejected_enterprise_numbers() {
        let cases = [
            ("", NumberError::Empty),
            ("   ", NumberError::Empty),
            ("0123-456-749", NumberError::InvalidCharacters),
            ("0123.456.74x", NumberError::InvalidCharacters),
            ("NL0123456749", NumberError::InvalidCharacters),
            ("BE", NumberError::WrongLength),
            ("0123.456.7", NumberError::WrongLength),
            ("0123.456.74", NumberError::BadCheckDigits),
            ("00123.456.749", NumberError::WrongLength),
            ("2123.456.789", NumberError::InvalidFirstDigit),
            ("0123.456.748", NumberError::BadCheckDigits),
            ("0123.465.749", NumberError::BadCheckDigits),
        ];
        for (s, err) in cases {
            assert_eq!(s.parse::<EnterpriseNumber>(), Err(err), "{s:?}");
        }
        assert_eq!(EnterpriseNumber::from_base(20_000_000), None);
    }

    #[test]
    fn known_establishment_unit_number() {
        // 21 234 567 mod 97 = 6 (97 × 218 913 = 21 234 561), so the check digits are 91.
        assert!(valid_by_hand("2123456791"));
        let n = EstablishmentUnitNumber::from_base(21_234_567).unwrap();
        assert_eq!(n.digits(), "2123456791");
        assert_eq!(n.to_string(), "2.123.456.791");
        let digits = n.digits().to_owned();
        for s in [n.to_string(), n.to_string().replace('.', " "), digits] {
            assert_eq!(s.parse::<EstablishmentUnitNumber>(), Ok(n.clone()), "{s}");
        }
        let cases = [
            ("", NumberError::Empty),
            ("BE2123456789", NumberError::InvalidCharacters),
            ("123.456.789", NumberError::WrongLength),
            ("0123.456.749", NumberError::InvalidFirstDigit),
            ("9.123.456.789", NumberError::InvalidFirstDigit),
        ];
        for (s, err) in cases {
            assert_eq!(s.parse::<EstablishmentUnitNumber>(), Err(err), "{s:?}");
        }
        assert_eq!(EstablishmentUnitNumber::from_base(19_999_999), None);
        assert_eq!(EstablishmentUnitNumber::from_base(90_000_000), None);
        assert!(EstablishmentUnitNumber::from_base(89_999_999).is_some());
    }

    #[test]
    fn error_messages() {
        let all = [
            NumberError::Empty,
            NumberError::InvalidCharacters,
            NumberError::WrongLength,
            NumberError::InvalidFirstDigit,
            NumberError::BadCheckDigits,
        ];
        for e in all {
            assert_eq!(e.to_string(), e.message_en());
            assert!(!e.message_nl().is_empty());
            let _: &dyn std::error::Error = &e;
        }
    }

    /// Replaces digit `i` (0–9) of `digits` with a different digit.
    fn change_digit(digits: &str, i: usize, bump: u8) -> String {
        let mut bytes = digits.as_bytes().to_vec();
        bytes[i] = b'0' + (bytes[i] - b'0' + bump) % 10;
        String::from_utf8(bytes).unwrap()
    }

    proptest! {
        #[test]
        fn enterprise_numbers_round_trip(base in 0u32..20_000_000) {
            let n = EnterpriseNumber::from_base(base).unwrap();
            prop_assert!(valid_by_hand(n.digits()));
            let d = n.digits();
            let shown = n.to_string();
            let spellings = [
                shown.clone(),
                shown.replace('.', " "),
                d.to_owned(),
                format!("BE{d}"),
                format!("be {shown}"),
                format!("Be {}", shown.replace('.', " ")),
            ];
            for s in &spellings {
                prop_assert_eq!(s.parse::<EnterpriseNumber>(), Ok(n.clone()));
            }
            if let Some(old) = d.strip_prefix('0') {
                prop_assert_eq!(old.parse::<EnterpriseNumber>(), Ok(n.clone()));
            }
        }

        #[test]
        fn one_changed_digit_is_rejected(base in 0u32..20_000_000, i in 0usize..10, bump in 1u8..10) {
            let n = EnterpriseNumber::from_base(base).unwrap();
            let changed = change_digit(n.digits(), i, bump);
            prop_assert!(changed.parse::<EnterpriseNumber>().is_err());
        }

        #[test]
        fn establishment_numbers_round_trip(base in 20_000_000u32..90_000_000, i in 0usize..10, bump in 1u8..10) {
            let n = EstablishmentUnitNumber::from_base(base).unwrap();
            prop_assert!(valid_by_hand(n.digits()));
            prop_assert_eq!(n.to_string().parse::<EstablishmentUnitNumber>(), Ok(n.clone()));
            prop_assert_eq!(n.digits().parse::<EstablishmentUnitNumber>(), Ok(n.clone()));
            let changed = change_digit(n.digits(), i, bump);
            prop_assert!(changed.parse::<EstablishmentUnitNumber>().is_err());
        }
    }
}
