//! Timestamps as each protocol writes them: epoch seconds with a fraction in JSON 1.1
//! (`1564600648.159`), ISO 8601 in XML (`2013-10-02T17:01:44Z`).

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serializer;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub fn epoch_seconds(t: SystemTime) -> f64 {
    let millis = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    // Millisecond precision, as AWS answers.
    millis as f64 / 1000.0
}

pub fn iso8601(t: SystemTime) -> String {
    let t = OffsetDateTime::from(t);
    let t = t.replace_nanosecond(0).unwrap_or(t);
    t.format(&Rfc3339).unwrap_or_default()
}

/// `#[serde(serialize_with = "epoch")]` for JSON 1.1 timestamps.
pub fn epoch<S: Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(epoch_seconds(*t))
}

/// `#[serde(serialize_with = "epoch_opt")]` for optional JSON 1.1 timestamps.
pub fn epoch_opt<S: Serializer>(t: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_f64(epoch_seconds(*t)),
        None => s.serialize_none(),
    }
}

/// `#[serde(serialize_with = "iso")]` for XML timestamps.
pub fn iso<S: Serializer>(t: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&iso8601(*t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn both_forms_of_one_instant() {
        let t = UNIX_EPOCH + Duration::from_millis(1_564_600_648_159);
        assert_eq!(epoch_seconds(t), 1_564_600_648.159);
        assert_eq!(iso8601(t), "2019-07-31T19:17:28Z");
    }
}
