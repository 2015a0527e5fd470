//! aws:sleep and aws:pause.

use std::time::{Duration, SystemTime};

use crate::automation::step_run::{Done, StepRun};
use crate::world::execution::{Failure, Status};

/// aws:sleep's longest wait.
const MAX_SLEEP: u64 = 604_799;

pub async fn sleep(run: &StepRun<'_>) -> Result<Done, Failure> {
    let now = run.state.clock.now();
    let until = now + sleep_duration(run, now)?;
    run.wait_until(Some(until), |_| None::<()>).await?;
    Ok(Done::default())
}

/// `Duration` (ISO 8601, e.g. PT10M) or `Timestamp` (a past time continues at once).
fn sleep_duration(run: &StepRun<'_>, now: SystemTime) -> Result<Duration, Failure> {
    if let Some(text) = run.text_input("Duration") {
        return parse_iso_duration(text).ok_or_else(|| {
            Failure::inputs(format!(
                "Duration {text} is not an ISO 8601 duration of at most {MAX_SLEEP} seconds, such as PT10M."
            ))
        });
    }
    if let Some(text) = run.text_input("Timestamp") {
        let at = time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
            .map_err(|_| {
                Failure::inputs(format!(
                    "Timestamp {text} is not a time such as 2020-01-01T01:00:00Z."
                ))
            })?;
        return Ok(SystemTime::from(at).duration_since(now).unwrap_or_default());
    }
    Err(Failure::inputs(
        "aws:sleep needs a Duration or a Timestamp.",
    ))
}

fn parse_iso_duration(text: &str) -> Option<Duration> {
    let rest = text.strip_prefix("PT")?;
    let mut total = 0u64;
    let mut number = String::new();
    for c in rest.chars() {
        match c {
            '0'..='9' => number.push(c),
            'H' | 'M' | 'S' => {
                let n: u64 = number.parse().ok()?;
                total += n * match c {
                    'H' => 3600,
                    'M' => 60,
                    _ => 1,
                };
                number.clear();
            }
            _ => return None,
        }
    }
    (number.is_empty() && total <= MAX_SLEEP).then(|| Duration::from_secs(total))
}

/// Waits (the execution Waiting) for a Resume signal.
pub async fn pause(run: &StepRun<'_>) -> Result<Done, Failure> {
    run.with_execution(|exec| {
        exec.status = Status::Waiting;
        exec.resume_requested = false;
    });
    let resumed = run
        .wait_until(None, |exec| exec.resume_requested.then_some(()))
        .await;
    run.with_execution(|exec| {
        exec.resume_requested = false;
        if exec.status == Status::Waiting {
            exec.status = Status::InProgress;
        }
    });
    resumed.map(|_| Done::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_durations_parse_within_the_limit() {
        assert_eq!(parse_iso_duration("PT10M"), Some(Duration::from_secs(600)));
        assert_eq!(
            parse_iso_duration("PT1H2M3S"),
            Some(Duration::from_secs(3723))
        );
        assert_eq!(parse_iso_duration("PT5"), None);
        assert_eq!(parse_iso_duration("P1D"), None);
        assert_eq!(parse_iso_duration("PT168H"), None);
    }
}
