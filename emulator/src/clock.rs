//! The emulator's one source of time. Every delay (instance state changes, sleeps, timeouts) is
//! measured on this clock, so `--time-scale N` speeds all of them up together and tests can run an
//! hour-long runbook in milliseconds.

use std::time::{Duration, Instant, SystemTime};

#[derive(Debug, Clone)]
pub struct Clock {
    wall_at_start: SystemTime,
    real_at_start: Instant,
    scale: f64,
}

impl Clock {
    /// A clock that runs `scale` times faster than real time (1.0 is real time).
    pub fn scaled(scale: f64) -> Self {
        Self {
            wall_at_start: SystemTime::now(),
            real_at_start: Instant::now(),
            scale: if scale.is_finite() && scale > 0.0 {
                scale
            } else {
                1.0
            },
        }
    }

    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The emulated wall-clock time.
    pub fn now(&self) -> SystemTime {
        self.wall_at_start + self.real_at_start.elapsed().mul_f64(self.scale)
    }

    /// How long to wait in real time for `emulated` time to pass.
    pub fn real_duration(&self, emulated: Duration) -> Duration {
        emulated.div_f64(self.scale)
    }

    /// Waits until `emulated` time has passed on this clock.
    pub async fn sleep(&self, emulated: Duration) {
        tokio::time::sleep(self.real_duration(emulated)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scaled_clock_shortens_real_waits() {
        let clock = Clock::scaled(100.0);
        assert_eq!(
            clock.real_duration(Duration::from_secs(60)),
            Duration::from_millis(600)
        );
    }

    #[test]
    fn a_nonsense_scale_falls_back_to_real_time() {
        assert_eq!(Clock::scaled(0.0).scale(), 1.0);
        assert_eq!(Clock::scaled(f64::NAN).scale(), 1.0);
    }
}
