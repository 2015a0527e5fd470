//! The rate at which all watchers together may poll AWS: SSM's read APIs are rate-limited per
//! account, and the CLI and other tools share that limit. Each poll takes the next free slot on
//! one clock (`1 / rate` apart), so 200 executions watched at once slow their polling down,
//! in turn, instead of throttling the account for everyone.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

pub(super) struct PollBudget {
    /// The time between two polls; `None`: no budget.
    spacing: Option<Duration>,
    /// The first free slot.
    next: Mutex<Instant>,
}

impl PollBudget {
    /// At most `per_second` polls per second (`None`: as many as the watchers want).
    pub(super) fn new(per_second: Option<f64>) -> Self {
        Self {
            spacing: per_second
                .filter(|rate| rate.is_finite() && *rate > 0.0)
                .map(|rate| Duration::from_secs_f64(1.0 / rate)),
            next: Mutex::new(Instant::now()),
        }
    }

    /// Waits for this poll's slot.
    pub(super) async fn take(&self) {
        let Some(spacing) = self.spacing else {
            return;
        };
        let slot = {
            let mut next = self
                .next
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner());
            // An idle budget saves nothing up: a burst after a quiet minute is still spaced.
            let slot = (*next).max(Instant::now());
            *next = slot + spacing;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}
