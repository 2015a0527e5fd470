//! The one way the portal writes a moment: ISO 8601 in UTC, as the AWS console lists times
//! (`2026-12-03T09:40:30Z`, fractions of a second only when there are any).

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// `secs` since the Unix epoch (and `nanos` more), or empty if it is out of range.
pub fn utc_at(secs: i64, nanos: u32) -> String {
    let Ok(at) = OffsetDateTime::from_unix_timestamp(secs) else {
        return String::new();
    };
    at.replace_nanosecond(nanos.min(999_999_999))
        .ok()
        .and_then(|at| at.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// Whole seconds since the Unix epoch.
pub fn utc(secs: i64) -> String {
    utc_at(secs, 0)
}

/// Seconds since the Unix epoch of a time the portal wrote (`None` if empty or not one).
pub fn epoch_seconds(text: &str) -> Option<f64> {
    let at = OffsetDateTime::parse(text, &Rfc3339).ok()?;
    Some(at.unix_timestamp_nanos() as f64 / 1e9)
}

/// A length of time as people read it: `41 s`, `3 min 12 s`, `2 h 5 min`.
pub fn span(seconds: f64) -> String {
    let total = seconds.max(0.0).round() as u64;
    let (h, m, s) = (total / 3600, total / 60 % 60, total % 60);
    match (h, m) {
        (0, 0) => format!("{s} s"),
        (0, _) => format!("{m} min {s} s"),
        _ => format!("{h} h {m} min"),
    }
}

/// How long something took (`took 41 s`), or has been running until `now` (`running for 3 min
/// 12 s`); `None` before it started.
pub fn duration(start: &str, end: &str, now: f64) -> Option<String> {
    let from = epoch_seconds(start)?;
    Some(match epoch_seconds(end) {
        Some(to) => format!("took {}", span(to - from)),
        None => format!("running for {}", span(now - from)),
    })
}

/// A moment as a clock `offset_secs` from UTC reads it: `2026-12-03 10:40:30 GMT+1`
/// (`GMT+5:30`, `GMT-4`, `GMT`), or in UTC with `utc`. The offset is the viewer's zone's at
/// that moment, so the server (from the tz database) and the browser (from its own clock) write
/// it alike. Empty if out of range.
pub fn clock_text(secs: i64, offset_secs: i32, utc: bool) -> String {
    let offset = if utc { 0 } else { offset_secs };
    let Ok(at) = OffsetDateTime::from_unix_timestamp(secs.saturating_add(offset as i64)) else {
        return String::new();
    };
    let day = format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
        at.year(),
        u8::from(at.month()),
        at.day(),
        at.hour(),
        at.minute(),
        at.second()
    );
    if utc {
        return format!("{day} UTC");
    }
    let sign = if offset < 0 { '-' } else { '+' };
    let (hours, minutes) = (
        offset.unsigned_abs() / 3600,
        offset.unsigned_abs() / 60 % 60,
    );
    match (hours, minutes) {
        (0, 0) => format!("{day} GMT"),
        (_, 0) => format!("{day} GMT{sign}{hours}"),
        _ => format!("{day} GMT{sign}{hours}:{minutes:02}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_reads_on_the_viewers_clock_or_in_utc() {
        // 2026-12-03T09:40:30Z
        let at = 1_796_290_830;
        assert_eq!(clock_text(at, 3600, false), "2026-12-03 10:40:30 GMT+1");
        assert_eq!(
            clock_text(at, 19_800, false),
            "2026-12-03 15:10:30 GMT+5:30"
        );
        assert_eq!(
            clock_text(at, -5 * 3600, false),
            "2026-12-03 04:40:30 GMT-5"
        );
        assert_eq!(clock_text(at, 0, false), "2026-12-03 09:40:30 GMT");
        assert_eq!(clock_text(at, 3600, true), "2026-12-03 09:40:30 UTC");
    }

    #[test]
    fn durations_read_as_people_say_them() {
        let start = "2026-12-03T09:40:30Z";
        assert_eq!(
            duration(start, "2026-12-03T09:41:11.4Z", 0.0).as_deref(),
            Some("took 41 s")
        );
        let now = epoch_seconds(start).expect("a time") + 192.0;
        assert_eq!(
            duration(start, "", now).as_deref(),
            Some("running for 3 min 12 s")
        );
        assert_eq!(span(7_500.0), "2 h 5 min");
        assert_eq!(duration("", "", now), None);
    }

    #[test]
    fn whole_seconds_have_no_fraction() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_796_290_830), "2026-12-03T09:40:30Z");
    }

    #[test]
    fn fractions_are_written_without_trailing_zeros() {
        assert_eq!(
            utc_at(1_796_290_830, 120_000_000),
            "2026-12-03T09:40:30.12Z"
        );
    }

    #[test]
    fn a_moment_out_of_range_is_empty() {
        assert_eq!(utc(i64::MAX), "");
    }
}
