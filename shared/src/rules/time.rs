//! Belgian local time (Europe/Brussels) from and to UTC, and the date and time formats
//! of the verdict messages (`dd/mm/yyyy`, `HH:MM`).

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone,
    Timelike, Utc,
};
use chrono_tz::Europe::Brussels;

/// The Belgian wall-clock time of an instant.
pub fn belgian_local(instant: DateTime<Utc>) -> NaiveDateTime {
    instant.with_timezone(&Brussels).naive_local()
}

/// The instant of a Belgian wall-clock time: the earlier one when the time occurs twice
/// (autumn), and for a time skipped in spring (e.g. 02:30 on the last Sunday of March) the
/// first instant after the gap, i.e. the moment the clocks jump (03:00 summer time).
pub fn from_belgian_local(local: NaiveDateTime) -> DateTime<Utc> {
    match Brussels.from_local_datetime(&local) {
        LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
        LocalResult::None => end_of_gap(local),
    }
}

/// UTC offset in seconds in Brussels at a UTC timestamp.
fn offset_at(timestamp: i64) -> i64 {
    let instant = DateTime::from_timestamp(timestamp, 0).expect("timestamp within range");
    i64::from(
        Brussels
            .offset_from_utc_datetime(&instant.naive_utc())
            .fix()
            .local_minus_utc(),
    )
}

/// The instant the clocks jump over the gap that contains `local`.
fn end_of_gap(local: NaiveDateTime) -> DateTime<Utc> {
    const DAY: i64 = 86_400;
    let as_utc = local.and_utc().timestamp();
    // Transitions are months apart, so a day either side shows the offsets around the gap.
    let before = offset_at(as_utc - DAY);
    let after = offset_at(as_utc + DAY);
    // The jump T satisfies T + before <= local < T + after, so `lo` < T <= `hi`.
    let mut lo = as_utc - after;
    let mut hi = as_utc - before + i64::from(local.nanosecond() > 0);
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if offset_at(mid) == after {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    DateTime::from_timestamp(hi, 0).expect("timestamp within range")
}

/// A date as `dd/mm/yyyy`. Integer formatting, not chrono's `format`: its strftime parser
/// would be code in every wasm app that shows a verdict.
pub(crate) fn format_date(date: NaiveDate) -> String {
    format!("{:02}/{:02}/{}", date.day(), date.month(), date.year())
}

/// A time as `HH:MM`, or `HH:MM:SS` when the seconds matter.
pub(crate) fn format_time(time: NaiveTime) -> String {
    if time.second() == 0 {
        format!("{:02}:{:02}", time.hour(), time.minute())
    } else {
        format!(
            "{:02}:{:02}:{:02}",
            time.hour(),
            time.minute(),
            time.second()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn local(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap()
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        local(y, mo, d, h, mi).and_utc()
    }

    #[test]
    fn winter_and_summer_offsets() {
        assert_eq!(
            belgian_local(utc(2024, 1, 15, 7, 0)),
            local(2024, 1, 15, 8, 0)
        );
        assert_eq!(
            belgian_local(utc(2024, 7, 15, 6, 0)),
            local(2024, 7, 15, 8, 0)
        );
        assert_eq!(
            from_belgian_local(local(2024, 1, 15, 8, 0)),
            utc(2024, 1, 15, 7, 0)
        );
        assert_eq!(
            from_belgian_local(local(2024, 7, 15, 8, 0)),
            utc(2024, 7, 15, 6, 0)
        );
    }

    #[test]
    fn ambiguous_autumn_time_takes_the_earlier_instant() {
        // 27 October 2024: 03:00 CEST becomes 02:00 CET; 02:30 happens twice.
        assert_eq!(
            from_belgian_local(local(2024, 10, 27, 2, 30)),
            utc(2024, 10, 27, 0, 30)
        );
    }

    #[test]
    fn spring_gap_moves_to_the_jump() {
        // 31 March 2024: 02:00 CET becomes 03:00 CEST, at 01:00 UTC.
        let jump = utc(2024, 3, 31, 1, 0);
        assert_eq!(from_belgian_local(local(2024, 3, 31, 2, 0)), jump);
        assert_eq!(from_belgian_local(local(2024, 3, 31, 2, 30)), jump);
        let late_in_gap = NaiveDate::from_ymd_opt(2024, 3, 31)
            .unwrap()
            .and_hms_nano_opt(2, 59, 59, 999_999_999)
            .unwrap();
        assert_eq!(from_belgian_local(late_in_gap), jump);
        assert_eq!(belgian_local(jump), local(2024, 3, 31, 3, 0));
        assert_eq!(from_belgian_local(local(2024, 3, 31, 3, 0)), jump);
    }

    #[test]
    fn formats() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 8).unwrap();
        assert_eq!(format_date(d), "08/03/2024");
        assert_eq!(
            format_time(NaiveTime::from_hms_opt(7, 5, 0).unwrap()),
            "07:05"
        );
        assert_eq!(
            format_time(NaiveTime::from_hms_opt(8, 0, 30).unwrap()),
            "08:00:30"
        );
    }

    proptest! {
        #[test]
        fn round_trip_from_local(secs in 946_684_800i64..4_102_444_800) {
            // 2000–2100: every instant maps to a local time that maps back to it, unless
            // that local time occurs twice and the instant is the later occurrence.
            let instant = DateTime::from_timestamp(secs, 0).unwrap();
            let l = belgian_local(instant);
            let back = from_belgian_local(l);
            prop_assert!(back == instant || back == instant - chrono::Duration::hours(1));
            prop_assert_eq!(belgian_local(back), l);
        }

        #[test]
        fn from_local_is_never_before_the_wall_time(secs in 946_684_800i64..4_102_444_800) {
            let l = DateTime::from_timestamp(secs, 0).unwrap().naive_utc();
            let back = belgian_local(from_belgian_local(l));
            // Equal, or (in a gap) later by less than the one-hour jump.
            prop_assert!(back >= l && back - l < chrono::Duration::hours(1));
        }

        #[test]
        fn formats_as_chrono_would(secs in 0i64..7_258_118_400) {
            // 1970–2200, any second: the same texts as chrono's strftime formats.
            let t = DateTime::from_timestamp(secs, 0).unwrap().naive_utc();
            prop_assert_eq!(format_date(t.date()), t.format("%d/%m/%Y").to_string());
            let time = if t.second() == 0 { "%H:%M" } else { "%H:%M:%S" };
            prop_assert_eq!(format_time(t.time()), t.format(time).to_string());
        }
    }
}
