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

#[cfg(test)]
mod tests {
    use super::*;

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
