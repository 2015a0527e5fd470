//! When a schedule runs: its cron expression (five fields, or six with seconds first; `@daily`
//! and the like) read by `croner`, evaluated in its IANA time zone (`chrono-tz`), so "02:00 in
//! Europe/Paris" follows summer time.

use std::str::FromStr;

use chrono::{DateTime, TimeZone, Utc};
use chrono_tz::Tz;
use croner::Cron;

use domain::FieldError;

pub(crate) struct Timing {
    cron: Cron,
    zone: Tz,
}

fn mistake(field: &str, message: String) -> FieldError {
    FieldError {
        field: field.into(),
        message,
    }
}

impl Timing {
    /// The expression and zone, or what is wrong with each (as form mistakes).
    pub fn parse(cron: &str, zone: &str) -> Result<Self, Vec<FieldError>> {
        let mut mistakes = Vec::new();
        let parsed = if cron.trim().is_empty() {
            mistakes.push(mistake(
                "schedule.cron",
                "Give a cron expression, such as \"0 2 * * *\" (every day at 02:00).".into(),
            ));
            None
        } else {
            match Cron::from_str(cron.trim()) {
                Ok(parsed) => Some(parsed),
                Err(e) => {
                    mistakes.push(mistake(
                        "schedule.cron",
                        format!(
                            "\"{cron}\" is not a cron expression ({e}): give minute, hour, \
                             day of month, month and day of week, such as \"30 6 * * 1-5\" \
                             (weekdays at 06:30)."
                        ),
                    ));
                    None
                }
            }
        };
        let zone = match Tz::from_str(zone.trim()) {
            Ok(zone) => Some(zone),
            Err(_) => {
                mistakes.push(mistake(
                    "schedule.time_zone",
                    format!(
                        "\"{zone}\" is not a time zone: give an IANA name such as UTC, \
                         Europe/Paris or America/New_York."
                    ),
                ));
                None
            }
        };
        match (parsed, zone) {
            (Some(cron), Some(zone)) if mistakes.is_empty() => Ok(Self { cron, zone }),
            _ => Err(mistakes),
        }
    }

    fn at(&self, ms: i64) -> Option<DateTime<Tz>> {
        Utc.timestamp_millis_opt(ms)
            .single()
            .map(|t| t.with_timezone(&self.zone))
    }

    /// The first occurrence after `ms` (milliseconds since the epoch).
    pub fn next_after(&self, ms: i64) -> Option<i64> {
        let from = self.at(ms)?;
        self.cron
            .find_next_occurrence(&from, false)
            .ok()
            .map(|t| t.timestamp_millis())
    }

    /// The shortest time between two of the next few occurrences after `ms`.
    pub fn shortest_gap_ms(&self, ms: i64) -> Option<i64> {
        let mut at = self.next_after(ms)?;
        let mut shortest = i64::MAX;
        for _ in 0..8 {
            let next = self.next_after(at)?;
            shortest = shortest.min(next - at);
            at = next;
        }
        Some(shortest)
    }

    /// `ms` in the schedule's zone, e.g. `2026-12-05 02:00:00 CET`.
    pub fn local(&self, ms: i64) -> String {
        self.at(ms)
            .map(|t| t.format("%Y-%m-%d %H:%M:%S %Z").to_string())
            .unwrap_or_default()
    }
}

/// `ms` (milliseconds since the epoch) as a clock in `zone` reads it, and the zone's name as
/// the tz database spells it, when `zone` is an IANA time zone.
pub(crate) fn in_zone(ms: i64, zone: &str) -> Option<(String, String)> {
    let zone = Tz::from_str(zone.trim()).ok()?;
    let at = Utc.timestamp_millis_opt(ms).single()?.with_timezone(&zone);
    Some((
        at.format("%Y-%m-%d %H:%M:%S %Z").to_string(),
        zone.name().to_owned(),
    ))
}

/// How far from UTC `zone`'s clocks are at `secs` since the epoch (summer time included), when
/// `zone` is an IANA time zone.
pub fn utc_offset(secs: i64, zone: &str) -> Option<i32> {
    use chrono::Offset;
    let zone = Tz::from_str(zone.trim()).ok()?;
    let at = Utc.timestamp_opt(secs, 0).single()?.with_timezone(&zone);
    Some(at.offset().fix().local_minus_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_reads_in_the_viewers_zone() {
        // 2026-07-01 00:00:00 UTC.
        let ms = 1_782_864_000_000;
        let read = |zone| in_zone(ms, zone).map(|(at, name)| format!("{at} ({name})"));
        assert_eq!(
            read(" Asia/Tokyo").as_deref(),
            Some("2026-07-01 09:00:00 JST (Asia/Tokyo)")
        );
        assert_eq!(
            read("America/New_York").as_deref(),
            Some("2026-06-30 20:00:00 EDT (America/New_York)")
        );
        assert_eq!(in_zone(ms, "Mars/Olympus"), None);
        assert_eq!(utc_offset(ms / 1000, "Europe/Paris"), Some(7200));
        assert_eq!(
            utc_offset(ms / 1000 - 200 * 86_400, "Europe/Paris"),
            Some(3600)
        );
        assert_eq!(utc_offset(ms / 1000, "Mars/Olympus"), None);
    }

    #[test]
    fn a_mistake_says_what_is_wrong_and_what_to_give() {
        let errors = Timing::parse("61 * * * *", "Mars/Olympus")
            .err()
            .expect("mistakes");
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["schedule.cron", "schedule.time_zone"]);
        assert!(errors[0]
            .message
            .contains("\"61 * * * *\" is not a cron expression"));
        assert!(errors[1].message.contains("Europe/Paris"));
    }

    #[test]
    fn occurrences_follow_the_zones_clock() {
        // 2026-03-28 12:00 UTC; Paris moves to summer time on 2026-03-29.
        let timing = Timing::parse("0 2 * * *", "Europe/Paris").expect("valid");
        let before = Utc
            .with_ymd_and_hms(2026, 3, 28, 12, 0, 0)
            .unwrap()
            .timestamp_millis();
        let first = timing.next_after(before).expect("next");
        assert_eq!(timing.local(first), "2026-03-29 03:00:00 CEST");
        let second = timing.next_after(first).expect("next");
        assert_eq!(timing.local(second), "2026-03-30 02:00:00 CEST");
        let every_two_seconds = Timing::parse("*/2 * * * * *", "UTC").expect("valid");
        assert_eq!(every_two_seconds.shortest_gap_ms(before), Some(2_000));
    }
}
