//! Request counters per service and operation, served in Prometheus' text format at
//! `/_emulator/metrics`: the portal's API efficiency is measured with them.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Distinct (service, operation) series kept; the four services have fewer than 60 operations.
pub const MAX_SERIES: usize = 256;

/// `PascalCase` letters and digits, as every AWS operation is named.
fn is_operation_name(name: &str) -> bool {
    name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

#[derive(Debug, Default)]
pub struct RequestCounters {
    counts: Mutex<BTreeMap<(String, String), u64>>,
}

impl RequestCounters {
    /// Counts a request. The operation name comes from the request, so a name that cannot be an
    /// AWS operation is counted as `invalid`, and past [`MAX_SERIES`] names as `other`: a client
    /// sending made-up names can neither grow the map without bound nor write into the exposition.
    pub fn record(&self, service: &str, operation: &str) {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let operation = if !is_operation_name(operation) {
            "invalid"
        } else if counts.len() >= MAX_SERIES
            && !counts.contains_key(&(service.to_owned(), operation.to_owned()))
        {
            "other"
        } else {
            operation
        };
        *counts
            .entry((service.to_owned(), operation.to_owned()))
            .or_default() += 1;
    }

    pub fn render(&self) -> String {
        let counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut out = String::from(
            "# HELP emulator_requests_total Requests answered, by service and operation.\n\
             # TYPE emulator_requests_total counter\n",
        );
        for ((service, operation), count) in counts.iter() {
            let _ = writeln!(
                out,
                "emulator_requests_total{{service=\"{service}\",operation=\"{operation}\"}} {count}"
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_each_operation_separately() {
        let counters = RequestCounters::default();
        counters.record("ssm", "ListDocuments");
        counters.record("ssm", "ListDocuments");
        counters.record("sts", "GetCallerIdentity");
        let text = counters.render();
        assert!(
            text.contains("emulator_requests_total{service=\"ssm\",operation=\"ListDocuments\"} 2")
        );
        assert!(text.contains(
            "emulator_requests_total{service=\"sts\",operation=\"GetCallerIdentity\"} 1"
        ));
    }

    /// Any `X-Amz-Target` once became a series of its own, quotes and line breaks included.
    #[test]
    fn made_up_operation_names_neither_grow_the_series_nor_break_the_text() {
        let counters = RequestCounters::default();
        counters.record("ssm", "Evil\"} 1\nemulator_requests_total{x=\"");
        for i in 0..1000 {
            counters.record("ssm", &format!("Made{i}"));
        }
        let text = counters.render();
        assert!(text.contains("operation=\"invalid\"} 1"), "{text}");
        assert!(text.contains("operation=\"other\"}"), "{text}");
        assert_eq!(text.lines().count(), 2 + MAX_SERIES + 1, "{text}");
        assert!(!text.contains("Evil"));
    }
}
