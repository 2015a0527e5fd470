//! Scheduled runs: a filled-in form of the wizard run at the times a cron expression names in a
//! time zone, as its owner, under the grants in force at each run.

use serde::{Deserialize, Serialize};

/// What happens to occurrences that passed while no portal was running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Missed {
    /// Run once when the portal is back (however many were missed).
    RunOnce,
    /// Skip them; run at the next time.
    Skip,
}

impl Missed {
    pub fn key(self) -> &'static str {
        match self {
            Missed::RunOnce => "run-once",
            Missed::Skip => "skip",
        }
    }

    pub fn from_key(key: &str) -> Option<Missed> {
        match key {
            "run-once" => Some(Missed::RunOnce),
            "skip" => Some(Missed::Skip),
            _ => None,
        }
    }
}

/// The states of a schedule.
pub mod state {
    pub const ACTIVE: &str = "active";
    /// Paused by its owner, or by the portal (the reason says why).
    pub const PAUSED: &str = "paused";
    /// Made under a four-eyes grant: it runs once an approver approves it.
    pub const AWAITING_APPROVAL: &str = "awaiting-approval";
}

/// Who paused a schedule when the portal did (its owner lost the right to run it).
pub const PORTAL: &str = "portal";

/// The schedule part of the wizard's form (`schedule.*` fields).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleSpec {
    pub name: String,
    /// Five fields (minute hour day-of-month month day-of-week), or six with seconds first.
    pub cron: String,
    /// An IANA time zone, such as `Europe/Paris`.
    pub time_zone: String,
    pub missed: Missed,
    /// Whether a run may start while the previous one is still going.
    pub overlap: bool,
}

impl ScheduleSpec {
    /// From the form's `schedule.name`, `schedule.cron`, `schedule.time_zone`,
    /// `schedule.missed` and `schedule.overlap` fields.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut spec = ScheduleSpec {
            name: String::new(),
            cron: String::new(),
            time_zone: "UTC".into(),
            missed: Missed::Skip,
            overlap: false,
        };
        for (name, value) in pairs {
            let value = value.trim();
            match name {
                "schedule.name" => spec.name = value.to_owned(),
                "schedule.cron" => spec.cron = value.to_owned(),
                "schedule.time_zone" if !value.is_empty() => spec.time_zone = value.to_owned(),
                "schedule.missed" => spec.missed = Missed::from_key(value).unwrap_or(Missed::Skip),
                "schedule.overlap" => spec.overlap = !value.is_empty(),
                _ => {}
            }
        }
        spec
    }
}

/// One occurrence of a schedule and what came of it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleRun {
    /// Milliseconds since the Unix epoch: the time it was due.
    pub occurrence: i64,
    pub execution_id: String,
    /// `started`, `skipped`, `refused` or `failed`.
    pub outcome: String,
    pub detail: String,
}

/// A schedule as its page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleView {
    pub id: String,
    pub name: String,
    pub owner: String,
    pub runbook: String,
    pub cron: String,
    pub time_zone: String,
    /// `run-once` or `skip`.
    pub missed: String,
    pub overlap: bool,
    /// One of [`state`].
    pub state: String,
    /// Why it is paused.
    pub reason: String,
    /// Milliseconds since the Unix epoch.
    pub next_at: i64,
    /// The next run in the schedule's time zone, as the portal works it out.
    pub next_local: String,
    /// The next run in the viewer's time zone, when their browser said which it is.
    pub next_viewer: String,
    /// The viewer's IANA time zone, when known.
    pub viewer_zone: String,
    pub runs: Vec<ScheduleRun>,
    /// The viewer may pause and resume it (its owner, administrators).
    pub may_change: bool,
    /// The approval request it was made with, under a four-eyes grant.
    pub approval_id: String,
    /// Who approved it (a four-eyes grant's approver).
    pub approved_by: String,
}

impl ScheduleView {
    /// When it runs next: in the viewer's zone first when it is known and another, then in its
    /// own zone and in UTC; a dash when it does not run.
    pub fn next_run(&self) -> String {
        if self.state != state::ACTIVE {
            return "—".to_owned();
        }
        let utc = crate::time::utc(self.next_at / 1000);
        if self.next_viewer.is_empty() || self.viewer_zone == self.time_zone {
            return format!("{} ({utc} UTC)", self.next_local);
        }
        format!(
            "{} your time ({}); {} in {} ({utc} UTC)",
            self.next_viewer, self.viewer_zone, self.next_local, self.time_zone
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_gives_the_schedule_with_its_defaults() {
        let spec = ScheduleSpec::from_pairs([
            ("schedule.name", " nightly "),
            ("schedule.cron", "0 2 * * *"),
            ("schedule.time_zone", ""),
            ("schedule.missed", "run-once"),
            ("document", "AWS-RestartEC2Instance"),
        ]);
        assert_eq!(spec.name, "nightly");
        assert_eq!(spec.time_zone, "UTC");
        assert_eq!(spec.missed, Missed::RunOnce);
        assert!(!spec.overlap);
    }
}
