//! Runs the schedules that are due, on every replica: each occurrence is claimed in the
//! database before it starts, so one replica starts it however many see it due, and it is
//! started with a `ClientToken` made from the schedule and the occurrence, so a retry never
//! starts it twice. Each run is checked against the grants in force as its owner: a schedule
//! whose owner lost the right is paused, and its owner told.

use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};

use accounts::{AuditRecord, Schedule};
use domain::audit::{Action, Outcome};
use domain::execution::is_terminal;
use domain::notification::{Audience, Event, Notice};
use domain::schedule::{ScheduleRun, PORTAL};
use domain::wizard::PORTAL_TAG_PREFIX;
use domain::PortalError;

use crate::schedule_timing::Timing;
use crate::schedules::{form_of, now_ms, unrunnable};
use crate::start::Refused;
use crate::Portal;

/// How often due schedules are looked for.
const EVERY: Duration = Duration::from_secs(1);
/// Undecided approval requests are expired once in this many rounds.
const EXPIRE_EVERY_ROUNDS: u64 = 60;
/// An occurrence due this long before the scheduler began was missed (no portal was running);
/// one due since is on time, however late a busy round reaches it.
const MISSED_AFTER_MS: i64 = 30_000;

/// The `ClientToken` of an occurrence: a UUID made from the schedule and the time.
fn client_token(schedule: &str, occurrence: i64) -> String {
    let digest = Sha256::digest(format!("{schedule}/{occurrence}"));
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Uuid::from_bytes(bytes).hyphenated().to_string()
}

fn run(outcome: &str, detail: String) -> ScheduleRun {
    ScheduleRun {
        outcome: outcome.into(),
        detail,
        ..ScheduleRun::default()
    }
}

impl Portal {
    /// Runs due schedules for as long as the process runs.
    pub async fn run_schedules(self: Arc<Self>) {
        let began = now_ms();
        for round in 0u64.. {
            if let Err(e) = self.run_due_schedules(began).await {
                tracing::warn!(error = %e, "cannot read the schedules");
            }
            // A schedule's request nobody decided in time pauses it within a minute, not when
            // someone next looks (requests expire after hours: no need to write every round).
            if round % EXPIRE_EVERY_ROUNDS == 0 {
                if let Err(e) = self.expire_undecided().await {
                    tracing::warn!(error = %e, "cannot expire undecided approval requests");
                }
            }
            tokio::time::sleep(EVERY).await;
        }
    }

    /// One round (the scheduler `began` then): answers how many occurrences this replica
    /// claimed.
    pub async fn run_due_schedules(&self, began: i64) -> Result<usize, accounts::SqlError> {
        let store = &self.records.schedules;
        let mut claimed = 0;
        for schedule in store.due(20).await? {
            let occurrence = schedule.next_at;
            let timing = match Timing::parse(&schedule.cron, &schedule.time_zone) {
                Ok(timing) => timing,
                Err(mistakes) => {
                    let why = mistakes
                        .iter()
                        .map(|m| m.message.as_str())
                        .collect::<Vec<_>>()
                        .join(" ");
                    self.pause(&schedule, &format!("its timing cannot be read: {why}"))
                        .await?;
                    continue;
                }
            };
            // Occurrences missed while no portal ran are not made up one by one.
            let next = timing
                .next_after(now_ms().max(occurrence))
                .unwrap_or(i64::MAX);
            if !store.claim(&schedule.id, occurrence, next).await? {
                continue;
            }
            claimed += 1;
            let missed = occurrence + MISSED_AFTER_MS < began;
            let run = self.run_occurrence(&schedule, occurrence, missed).await;
            tracing::info!(schedule = %schedule.id, outcome = %run.outcome, execution = %run.execution_id, "scheduled run");
            store.ran(&schedule.id, occurrence, &run).await?;
        }
        Ok(claimed)
    }

    async fn run_occurrence(
        &self,
        schedule: &Schedule,
        occurrence: i64,
        missed: bool,
    ) -> ScheduleRun {
        if missed && schedule.missed == "skip" {
            return run(
                "skipped",
                "missed: no portal was running when it was due, and this schedule skips \
                 missed runs"
                    .into(),
            );
        }
        if !schedule.overlap && !schedule.last_execution.is_empty() {
            let last = &schedule.last_execution;
            match crate::execution_view::automation_execution(&self.backend, last).await {
                Ok(execution) => {
                    let status = execution
                        .automation_execution_status
                        .map(|s| s.as_str().to_owned())
                        .unwrap_or_default();
                    if !is_terminal(&status) {
                        return run(
                            "skipped",
                            format!(
                                "the previous run, {last}, is still {status}: runs do not overlap"
                            ),
                        );
                    }
                }
                Err(e) if e.code.as_deref() == Some("AutomationExecutionNotFoundException") => {}
                Err(e) => {
                    return run(
                        "skipped",
                        format!(
                            "the previous run, {last}, could not be read ({}): runs do not overlap",
                            e.error
                        ),
                    )
                }
            }
        }
        match self.start_scheduled(schedule, occurrence).await {
            Ok(id) => ScheduleRun {
                execution_id: id,
                outcome: "started".into(),
                ..ScheduleRun::default()
            },
            Err(Refused::Because(why)) => {
                if let Err(e) = self.pause(schedule, &why).await {
                    tracing::error!(schedule = %schedule.id, error = %e, "could not pause a schedule");
                }
                run("refused", why)
            }
            Err(Refused::Error(e)) => run("failed", e.to_string()),
        }
    }

    /// Starts one occurrence as the schedule's owner, under the grants in force now.
    async fn start_scheduled(
        &self,
        schedule: &Schedule,
        occurrence: i64,
    ) -> Result<String, Refused> {
        let rights = self
            .rights_now(
                &schedule.owner,
                &schedule.owner_groups,
                schedule.owner_local,
            )
            .await?;
        let prepared = match self.prepare(&form_of(schedule), &rights).await {
            Ok(prepared) => prepared,
            // A form the runbook no longer takes will not run by waiting.
            Err(Refused::Error(PortalError::Invalid(errors))) => {
                let why = errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(Refused::Because(format!(
                    "the runbook no longer takes this form: {why}"
                )));
            }
            Err(other) => return Err(other),
        };
        if let Some(why) = prepared
            .grant
            .as_ref()
            .and_then(|g| unrunnable(g, schedule))
        {
            return Err(Refused::Because(why));
        }
        let intent = AuditRecord {
            user: schedule.owner.clone(),
            groups: schedule.owner_groups.clone(),
            action: Action::Start,
            outcome: Outcome::Pending,
            client_address: "schedule".into(),
            user_agent: format!("schedule {}", schedule.id),
            detail: format!("by the schedule “{}” of {}", schedule.name, schedule.owner),
            ..AuditRecord::default()
        };
        let mut tags = vec![(format!("{PORTAL_TAG_PREFIX}schedule"), schedule.id.clone())];
        if !schedule.approved_by.is_empty() {
            tags.push((
                format!("{PORTAL_TAG_PREFIX}approved-by"),
                schedule.approved_by.clone(),
            ));
        }
        let token = client_token(&schedule.id, occurrence);
        self.launch(&prepared, &schedule.owner, &token, intent, &tags)
            .await
            .map_err(Refused::Error)
    }

    /// Pauses `schedule` saying why, tells its owner, and records it as a refusal.
    async fn pause(&self, schedule: &Schedule, why: &str) -> Result<(), accounts::SqlError> {
        let notice = Notice {
            event: Event::SchedulePaused,
            title: format!("Schedule “{}” is paused", schedule.name),
            facts: vec![
                ("Schedule".into(), schedule.name.clone()),
                ("Runbook".into(), schedule.runbook.clone()),
                ("Why".into(), why.to_owned()),
            ],
            path: "/automation/schedules".into(),
            audience: Audience {
                users: vec![schedule.owner.clone()],
                groups: Vec::new(),
            },
            grant: schedule.grant.clone(),
        };
        let reason = format!("paused by the portal: {why}");
        let paused = self
            .records
            .schedules
            .pause(&schedule.id, PORTAL, &reason, Some(&notice))
            .await?;
        if paused {
            tracing::warn!(schedule = %schedule.id, owner = %schedule.owner, reason = %why, "schedule paused");
            let record = AuditRecord {
                user: schedule.owner.clone(),
                groups: schedule.owner_groups.clone(),
                action: Action::PauseSchedule,
                outcome: Outcome::Refused,
                runbook: schedule.runbook.clone(),
                client_address: "schedule".into(),
                user_agent: format!("schedule {}", schedule.id),
                detail: format!("schedule “{}”: {reason}", schedule.name),
                ..AuditRecord::default()
            };
            self.records.audit.write(&record).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_occurrences_token_is_a_uuid_of_its_own() {
        let token = client_token("s-1", 1_700_000_000_000);
        assert!(uuid::Uuid::parse_str(&token).is_ok(), "{token}");
        assert_eq!(token, client_token("s-1", 1_700_000_000_000));
        assert_ne!(token, client_token("s-1", 1_700_000_060_000));
        assert_ne!(token, client_token("s-2", 1_700_000_000_000));
    }
}
