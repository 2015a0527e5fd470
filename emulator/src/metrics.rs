//! Request counters per service and operation, served in Prometheus' text format at
//! `/_emulator/metrics`: the portal's API efficiency is measured with them.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

#[derive(Debug, Default)]
pub struct RequestCounters {
    counts: Mutex<BTreeMap<(String, String), u64>>,
}

impl RequestCounters {
    pub fn record(&self, service: &str, operation: &str) {
        let mut counts = self
            .counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
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
}
