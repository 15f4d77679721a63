//! Belgian working days: Monday to Friday except the legal public holidays.
//!
//! The ten legal holidays are New Year, Easter Monday, Labour Day, Ascension, Whit Monday,
//! the National Holiday (21 July), Assumption, All Saints, Armistice and Christmas. The
//! Flemish Community holiday (11 July) is optional, see [`CalendarSettings`]. Replacement
//! days for holidays falling on a Sunday are set per employer and are not modelled.
//!
//! Nothing here allocates per day: holidays are recognised by a match on the month and day
//! plus the Easter offsets, with Easter computed once per year visited.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Settings of the working-day calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CalendarSettings {
    /// Whether 11 July (Feest van de Vlaamse Gemeenschap) counts as a holiday.
    pub flemish_holiday: bool,
}

/// Days after Easter Sunday of the movable holidays: Easter Monday, Ascension, Whit Monday.
const EASTER_OFFSETS: [u64; 3] = [1, 39, 50];

/// Easter Sunday of `year` (Gregorian computus, the anonymous "Meeus/Jones/Butcher" method).
///
/// # Panics
/// If `year` lies outside chrono's date range.
pub fn easter_sunday(year: i32) -> NaiveDate {
    let y = i64::from(year);
    let a = y.rem_euclid(19);
    let (b, c) = (y.div_euclid(100), y.rem_euclid(100));
    let (d, e) = (b.div_euclid(4), b.rem_euclid(4));
    let f = (b + 8).div_euclid(25);
    let g = (b - f + 1).div_euclid(3);
    let h = (19 * a + b - d - g + 15).rem_euclid(30);
    let (i, k) = (c / 4, c % 4);
    let l = (32 + 2 * e + 2 * i - h - k).rem_euclid(7);
    let m = (a + 11 * h + 22 * l) / 451;
    let n = h + l - 7 * m + 114;
    // `n / 31` is 3 or 4 and `n % 31 + 1` at most 31, so both fit in u32.
    NaiveDate::from_ymd_opt(year, (n / 31) as u32, (n % 31 + 1) as u32)
        .expect("year within chrono's range")
}

/// The holidays of `year`, sorted and without duplicates, in a fixed array: the first
/// `len` entries are valid. Ascension coincides with 1 May in some years (e.g. 2008).
fn holidays_of(year: i32, settings: CalendarSettings) -> ([NaiveDate; 11], usize) {
    let date = |month, day| NaiveDate::from_ymd_opt(year, month, day).expect("valid date");
    let easter = easter_sunday(year);
    let mut days = [
        date(1, 1),
        easter + Days::new(EASTER_OFFSETS[0]),
        date(5, 1),
        easter + Days::new(EASTER_OFFSETS[1]),
        easter + Days::new(EASTER_OFFSETS[2]),
        date(7, 21),
        date(8, 15),
        date(11, 1),
        date(11, 11),
        date(12, 25),
        // Placeholder duplicate of Christmas when 11 July is not a holiday; removed below.
        if settings.flemish_holiday {
            date(7, 11)
        } else {
            date(12, 25)
        },
    ];
    days.sort_unstable();
    let mut len = 0;
    for i in 0..days.len() {
        if len == 0 || days[i] != days[len - 1] {
            days[len] = days[i];
            len += 1;
        }
    }
    (days, len)
}

/// The Belgian public holidays of `year`, in date order and without duplicates: 10, or 11
/// with 11 July, one fewer in the years where Ascension falls on 1 May.
pub fn public_holidays(year: i32, settings: CalendarSettings) -> Vec<NaiveDate> {
    let (days, len) = holidays_of(year, settings);
    days[..len].to_vec()
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

/// Whether `date` is a holiday, given Easter Sunday of the same year.
fn is_holiday(date: NaiveDate, easter: NaiveDate, settings: CalendarSettings) -> bool {
    match (date.month(), date.day()) {
        (1, 1) | (5, 1) | (7, 21) | (8, 15) | (11, 1) | (11, 11) | (12, 25) => true,
        (7, 11) if settings.flemish_holiday => true,
        _ => {
            let offset = i64::from(date.ordinal()) - i64::from(easter.ordinal());
            EASTER_OFFSETS.iter().any(|&o| o as i64 == offset)
        }
    }
}

/// Whether `date` is a working day: Monday to Friday and not a public holiday.
pub fn is_working_day(date: NaiveDate, settings: CalendarSettings) -> bool {
    !is_weekend(date) && !is_holiday(date, easter_sunday(date.year()), settings)
}

/// A working-day test that computes Easter once per year visited.
struct Calendar {
    settings: CalendarSettings,
    year: i32,
    easter: NaiveDate,
}

impl Calendar {
    fn new(settings: CalendarSettings, year: i32) -> Self {
        Self {
            settings,
            year,
            easter: easter_sunday(year),
        }
    }

    fn is_working_day(&mut self, date: NaiveDate) -> bool {
        if is_weekend(date) {
            return false;
        }
        if date.year() != self.year {
            *self = Self::new(self.settings, date.year());
        }
        !is_holiday(date, self.easter, self.settings)
    }
}

/// The `n`-th working day strictly before `date`; `n = 0` returns `date` itself.
///
/// With `n = 1` this is the last working day before `date`: for a Monday, the Friday before
/// (or the Thursday if that Friday is a holiday).
///
/// # Panics
/// If the result would lie before chrono's earliest date.
pub fn working_days_before(date: NaiveDate, n: u32, settings: CalendarSettings) -> NaiveDate {
    let mut calendar = Calendar::new(settings, date.year());
    let mut day = date;
    let mut left = n;
    while left > 0 {
        day = day.pred_opt().expect("date within chrono's range");
        if calendar.is_working_day(day) {
            left -= 1;
        }
    }
    day
}

/// Number of weekdays (Monday to Friday) from 1 January of year 1 up to and including `date`,
/// extended to earlier dates so that differences count the weekdays in between.
fn weekdays_through(date: NaiveDate) -> i64 {
    // Day 1 (1 January of year 1, proleptic Gregorian) is a Monday.
    let k = i64::from(date.num_days_from_ce());
    5 * k.div_euclid(7) + k.rem_euclid(7).min(5)
}

/// The number of working days `d` with `from < d <= to`: how many working days `to` lies
/// after `from`. Negative (the count for `to < d <= from`, negated) when `to` is before `from`.
///
/// So `working_days_between(d, d, _)` is 0, the count from a Friday to the next Monday is 1
/// (unless that Monday is a holiday), and for a working day `date`,
/// `working_days_between(working_days_before(date, n, s), date, s) == n`.
/// Runs in time proportional to the number of years spanned, not days.
pub fn working_days_between(from: NaiveDate, to: NaiveDate, settings: CalendarSettings) -> i64 {
    if to < from {
        return -working_days_between(to, from, settings);
    }
    let weekdays = weekdays_through(to) - weekdays_through(from);
    let holidays_on_weekdays: i64 = (from.year()..=to.year())
        .map(|year| {
            let (days, len) = holidays_of(year, settings);
            days[..len]
                .iter()
                .filter(|&&h| from < h && h <= to && !is_weekend(h))
                .count() as i64
        })
        .sum();
    weekdays - holidays_on_weekdays
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const PLAIN: CalendarSettings = CalendarSettings {
        flemish_holiday: false,
    };
    const FLEMISH: CalendarSettings = CalendarSettings {
        flemish_holiday: true,
    };

    fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// Brute-force reference for [`working_days_between`].
    fn count_slowly(from: NaiveDate, to: NaiveDate, settings: CalendarSettings) -> i64 {
        let (lo, hi, sign) = if from <= to {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let count = lo
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= hi)
            .filter(|d| is_working_day(*d, settings))
            .count() as i64;
        sign * count
    }

    fn settings() -> impl Strategy<Value = CalendarSettings> {
        any::<bool>().prop_map(|flemish_holiday| CalendarSettings { flemish_holiday })
    }

    /// Dates between 1583 (first full Gregorian year) and 2500.
    fn date() -> impl Strategy<Value = NaiveDate> {
        let lo = ymd(1583, 1, 1).num_days_from_ce();
        let hi = ymd(2500, 12, 31).num_days_from_ce();
        (lo..=hi).prop_map(|n| NaiveDate::from_num_days_from_ce_opt(n).unwrap())
    }

    #[test]
    fn known_easter_dates() {
        let known = [
            (1818, 3, 22),
            (1943, 4, 25),
            (2000, 4, 23),
            (2008, 3, 23),
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2038, 4, 25),
            (2285, 3, 22),
        ];
        for (y, m, d) in known {
            assert_eq!(easter_sunday(y), ymd(y, m, d), "Easter {y}");
        }
    }

    #[test]
    fn holidays_2024() {
        let expected = [
            ymd(2024, 1, 1),
            ymd(2024, 4, 1),
            ymd(2024, 5, 1),
            ymd(2024, 5, 9),
            ymd(2024, 5, 20),
            ymd(2024, 7, 21),
            ymd(2024, 8, 15),
            ymd(2024, 11, 1),
            ymd(2024, 11, 11),
            ymd(2024, 12, 25),
        ];
        assert_eq!(public_holidays(2024, PLAIN), expected);
        let with_flemish = public_holidays(2024, FLEMISH);
        assert_eq!(with_flemish.len(), 11);
        assert_eq!(with_flemish[5], ymd(2024, 7, 11));
    }

    #[test]
    fn ascension_on_labour_day_is_listed_once() {
        // 2008: Easter 23 March, Ascension 1 May.
        let days = public_holidays(2008, PLAIN);
        assert_eq!(days.len(), 9);
        assert_eq!(days.iter().filter(|d| **d == ymd(2008, 5, 1)).count(), 1);
        assert_eq!(public_holidays(2008, FLEMISH).len(), 10);
    }

    #[test]
    fn flemish_holiday_only_when_set() {
        // Thursday 11 July 2024.
        assert!(is_working_day(ymd(2024, 7, 11), PLAIN));
        assert!(!is_working_day(ymd(2024, 7, 11), FLEMISH));
        // Monday 21 July 2025 is a holiday either way.
        assert!(!is_working_day(ymd(2025, 7, 21), PLAIN));
    }

    #[test]
    fn known_working_days_before() {
        // Start Monday 11 March 2024: the Friday before.
        assert_eq!(
            working_days_before(ymd(2024, 3, 11), 1, PLAIN),
            ymd(2024, 3, 8)
        );
        // Tuesday 2 April 2024, after Easter Monday: Friday 29 March (Good Friday works).
        assert_eq!(
            working_days_before(ymd(2024, 4, 2), 1, PLAIN),
            ymd(2024, 3, 29)
        );
        // Friday 2 January 2026, after New Year on Thursday: Wednesday 31 December 2025.
        assert_eq!(
            working_days_before(ymd(2026, 1, 2), 1, PLAIN),
            ymd(2025, 12, 31)
        );
        // Thursday 1 January 2026 itself is a holiday; the day before is still Wednesday.
        assert!(!is_working_day(ymd(2026, 1, 1), PLAIN));
        assert_eq!(
            working_days_before(ymd(2026, 1, 1), 1, PLAIN),
            ymd(2025, 12, 31)
        );
        // Friday 10 May 2024, after Ascension on Thursday 9 May.
        assert_eq!(
            working_days_before(ymd(2024, 5, 10), 1, PLAIN),
            ymd(2024, 5, 8)
        );
        // Friday 12 July 2024: Thursday 11 July only when it is a holiday.
        assert_eq!(
            working_days_before(ymd(2024, 7, 12), 1, PLAIN),
            ymd(2024, 7, 11)
        );
        assert_eq!(
            working_days_before(ymd(2024, 7, 12), 1, FLEMISH),
            ymd(2024, 7, 10)
        );
        // A week of working days.
        assert_eq!(
            working_days_before(ymd(2024, 3, 11), 5, PLAIN),
            ymd(2024, 3, 4)
        );
        assert_eq!(
            working_days_before(ymd(2024, 3, 11), 0, PLAIN),
            ymd(2024, 3, 11)
        );
    }

    #[test]
    fn known_working_days_between() {
        // Friday 8 → Tuesday 12 March 2024: Monday and Tuesday.
        assert_eq!(
            working_days_between(ymd(2024, 3, 8), ymd(2024, 3, 12), PLAIN),
            2
        );
        assert_eq!(
            working_days_between(ymd(2024, 3, 12), ymd(2024, 3, 8), PLAIN),
            -2
        );
        // Friday → Saturday: none.
        assert_eq!(
            working_days_between(ymd(2024, 3, 8), ymd(2024, 3, 9), PLAIN),
            0
        );
        // Whole year 2024 (leap year, 262 weekdays; 1 Jan, 1 Apr, 1 May, 9 May, 20 May,
        // 15 Aug, 1 Nov, 11 Nov and 25 Dec fall on weekdays, 21 July on a Sunday).
        assert_eq!(
            working_days_between(ymd(2023, 12, 31), ymd(2024, 12, 31), PLAIN),
            253
        );
        assert_eq!(
            working_days_between(ymd(2023, 12, 31), ymd(2024, 12, 31), FLEMISH),
            252
        );
    }

    #[test]
    fn weekday_origin_is_a_monday() {
        assert_eq!(
            NaiveDate::from_num_days_from_ce_opt(1).unwrap().weekday(),
            Weekday::Mon
        );
    }

    proptest! {
        #[test]
        fn easter_is_a_sunday_in_its_window(year in -262_000i32..=262_000) {
            let easter = easter_sunday(year);
            prop_assert_eq!(easter.weekday(), Weekday::Sun);
            prop_assert!(easter >= ymd(year, 3, 22) && easter <= ymd(year, 4, 25));
        }

        #[test]
        fn holiday_list_is_sorted_distinct_and_complete(year in 1583i32..=4000, s in settings()) {
            let days = public_holidays(year, s);
            let ascension_on_may_day = easter_sunday(year) + Days::new(39) == ymd(year, 5, 1);
            let expected = 10 + usize::from(s.flemish_holiday) - usize::from(ascension_on_may_day);
            prop_assert_eq!(days.len(), expected);
            prop_assert!(days.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(days.iter().all(|d| d.year() == year));
            for d in &days {
                prop_assert!(!is_working_day(*d, s));
            }
        }

        #[test]
        fn working_days_are_weekdays_and_not_holidays(d in date(), s in settings()) {
            let holiday = public_holidays(d.year(), s).contains(&d);
            prop_assert_eq!(is_working_day(d, s), !is_weekend(d) && !holiday);
        }

        #[test]
        fn working_days_before_counts_exactly(d in date(), n in 0u32..400, s in settings()) {
            let r = working_days_before(d, n, s);
            if n == 0 {
                prop_assert_eq!(r, d);
            } else {
                prop_assert!(r < d);
                prop_assert!(is_working_day(r, s));
                // Exactly n working days in [r, d).
                let in_range = r.iter_days().take_while(|x| *x < d).filter(|x| is_working_day(*x, s)).count();
                prop_assert_eq!(in_range, n as usize);
                // Consistent with working_days_between, which counts (r, d].
                let expected = i64::from(n) - 1 + i64::from(is_working_day(d, s));
                prop_assert_eq!(working_days_between(r, d, s), expected);
            }
        }

        #[test]
        fn working_days_between_matches_brute_force(a in date(), days in -800i64..800, s in settings()) {
            let b = a + chrono::Duration::days(days);
            prop_assert_eq!(working_days_between(a, b, s), count_slowly(a, b, s));
        }

        #[test]
        fn working_days_between_is_additive(a in date(), b in date(), c in date(), s in settings()) {
            prop_assert_eq!(
                working_days_between(a, b, s) + working_days_between(b, c, s),
                working_days_between(a, c, s)
            );
            prop_assert_eq!(working_days_between(a, b, s), -working_days_between(b, a, s));
        }
    }
}
