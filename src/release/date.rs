//! Release dates of bundles (`released` in the manifest's `bundles`): a calendar day in UTC,
//! written `YYYY-MM-DD`, so that the text sorts as the days do.
//!
//! A build never reads the clock (the same inputs give the same bytes): the date comes from
//! `build --released DATE`, or from `SOURCE_DATE_EPOCH`, the reproducible-builds standard.

use std::fmt;

/// The variable of <https://reproducible-builds.org/specs/source-date-epoch/>: seconds since
/// 1970-01-01 UTC.
pub const SOURCE_DATE_EPOCH: &str = "SOURCE_DATE_EPOCH";

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

impl Date {
    /// `YYYY-MM-DD`, a day that exists (2025-02-29 does not).
    pub fn parse(text: &str) -> Result<Date, String> {
        let wrong = || format!("`{text}` is not a date: write YYYY-MM-DD, e.g. 2026-01-31");
        let bytes = text.as_bytes();
        let shape = bytes.len() == 10
            && bytes[4] == b'-'
            && bytes[7] == b'-'
            && bytes.iter().enumerate().all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shape {
            return Err(wrong());
        }
        let number = |range: std::ops::Range<usize>| text[range].parse::<u16>().map_err(|_| wrong());
        let (year, month, day) = (number(0..4)?, number(5..7)? as u8, number(8..10)? as u8);
        if year == 0 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(wrong());
        }
        Ok(Date { year, month, day })
    }

    /// The UTC day of `seconds` since 1970-01-01 (`SOURCE_DATE_EPOCH`): a non-negative integer
    /// up to year 9999.
    pub fn from_epoch(seconds: &str) -> Result<Date, String> {
        let wrong = || {
            format!("{SOURCE_DATE_EPOCH}=`{seconds}` is not a number of seconds since 1970-01-01 (0 to 253402300799)")
        };
        let seconds: u64 = seconds.trim().parse().map_err(|_| wrong())?;
        let days = seconds / 86_400;
        // Howard Hinnant's civil_from_days, for days since 1970-01-01.
        let z = days as i64 + 719_468;
        let era = z.div_euclid(146_097);
        let day_of_era = z - era * 146_097;
        let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let shifted_month = (5 * day_of_year + 2) / 153;
        let day = (day_of_year - (153 * shifted_month + 2) / 5 + 1) as u8;
        let month = if shifted_month < 10 { shifted_month + 3 } else { shifted_month - 9 } as u8;
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        if year > 9999 {
            return Err(wrong());
        }
        Ok(Date { year: year as u16, month, day })
    }
}

fn days_in_month(year: u16, month: u8) -> u8 {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_days_that_exist_only() {
        assert_eq!(Date::parse("2024-02-29").unwrap().to_string(), "2024-02-29");
        for wrong in [
            "2025-02-29",
            "1900-02-29",
            "2026-13-01",
            "2026-04-31",
            "2026-1-01",
            "26-01-01",
            "2026-01-0a",
            "0000-01-01",
            "2026-01-01 ",
            "２０２６-01-01",
        ] {
            assert!(Date::parse(wrong).is_err(), "{wrong}");
        }
        assert!(Date::parse("2026-01-31").unwrap() < Date::parse("2026-02-01").unwrap());
    }

    #[test]
    fn epoch_seconds_give_the_utc_day() {
        for (seconds, day) in [
            ("0", "1970-01-01"),
            ("86399", "1970-01-01"),
            ("951782400", "2000-02-29"),
            ("1798761599", "2026-12-31"),
            ("253402300799", "9999-12-31"),
        ] {
            assert_eq!(Date::from_epoch(seconds).unwrap().to_string(), day, "{seconds}");
        }
        for wrong in ["-1", "1.5", "", "253402300800", "99999999999999999999"] {
            assert!(Date::from_epoch(wrong).is_err(), "{wrong}");
        }
    }
}
