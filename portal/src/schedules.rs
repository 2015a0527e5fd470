//! Schedules as people make and change them: a filled-in form of the wizard plus a cron
//! expression in a time zone, checked now as a start would be (the grants, the runbook, the
//! values) and again at every run (see `scheduler`). Each change is in the audit trail.

use std::collections::BTreeMap;

use accounts::{Schedule, ScheduleApproval};
use domain::audit::{Action, Outcome};
use domain::schedule::{state, ScheduleSpec, ScheduleView, PORTAL};
use domain::wizard::WizardForm;
use domain::{FieldError, PortalError};
use grants::Grant;

use crate::schedule_timing::{self, Timing};
use crate::start::Refused;
use crate::{audit, notices};
use crate::{Portal, Viewer};

/// Occurrences shown per schedule.
const HISTORY: i64 = 20;

fn unavailable(e: impl std::fmt::Display) -> PortalError {
    PortalError::Backend(format!(
        "The schedules could not be read or written ({e}). Try again, or ask an administrator \
         to look at the portal's database."
    ))
}

pub(crate) fn now_ms() -> i64 {
    accounts::now_millis()
}

impl Portal {
    /// Keeps `form` as a schedule of the viewer's, run at `spec`'s times; answers its id.
    pub async fn create_schedule(
        &self,
        viewer: &Viewer,
        form: &WizardForm,
        spec: &ScheduleSpec,
    ) -> Result<String, PortalError> {
        let mut mistakes = Vec::new();
        if spec.name.is_empty() {
            mistakes.push(FieldError {
                field: "schedule.name".into(),
                message: "Name the schedule, such as \"Nightly restart of web-1\".".into(),
            });
        }
        let timing = Timing::parse(&spec.cron, &spec.time_zone);
        let now = now_ms();
        let next_at = match &timing {
            Ok(timing) => self.check_often(timing, now, &mut mistakes),
            Err(errors) => {
                mistakes.extend(errors.iter().cloned());
                None
            }
        };
        // Kept in the portal's database and sent again at every run: no secret value (a
        // reference to a SecureString parameter, which SSM reads at each run, is no secret).
        for (name, value) in &form.parameters {
            if self.secrets.is_secret(name) && !value.is_empty() && !is_secure_reference(value) {
                mistakes.push(FieldError {
                    field: format!("p.{name}"),
                    message: format!(
                        "A schedule cannot keep the secret value of {name}: leave it empty, or \
                         give a SecureString parameter's reference, {{{{ssm-secure:name}}}}, \
                         which SSM reads at each run."
                    ),
                });
            }
        }
        let prepared = self
            .prepare(form, &viewer.rights)
            .await
            .map_err(|e| match e {
                Refused::Because(why) => self.refuse(viewer, why),
                Refused::Error(e) => e,
            });
        let prepared = match prepared {
            Err(PortalError::Invalid(errors)) => {
                mistakes.extend(errors);
                return Err(PortalError::Invalid(mistakes));
            }
            other => other?,
        };
        if !mistakes.is_empty() {
            return Err(PortalError::Invalid(mistakes));
        }
        if let Some(why) = prepared.grant.as_ref().and_then(unschedulable) {
            return Err(self.refuse(viewer, why));
        }
        // Under a four-eyes grant the schedule waits for one approval, once: its runs then
        // start without asking again.
        let four_eyes = prepared.grant.as_ref().filter(|g| g.needs_approval());
        let mut fields: BTreeMap<String, String> = prepared.asked.to_pairs().into_iter().collect();
        fields.insert("document".into(), prepared.asked.document.clone());
        if four_eyes.is_some() {
            // The version the approver reviews is the one every run starts, even when the
            // default moves on: a new version needs a new approval.
            fields.insert("version".into(), prepared.runbook.version.clone());
        }
        let owner_local = self.is_local(viewer.name()).await.map_err(unavailable)?;
        let id = uuid::Uuid::new_v4().to_string();
        let approval_id = four_eyes
            .map(|_| uuid::Uuid::new_v4().to_string())
            .unwrap_or_default();
        let grant = prepared
            .grant
            .as_ref()
            .map(|g| g.name.clone())
            .unwrap_or_default();
        let (state, reason) = match four_eyes {
            Some(g) => (
                state::AWAITING_APPROVAL,
                format!(
                    "waits for approval by {}",
                    self.grants().approvers_of(&g.name)
                ),
            ),
            None => (state::ACTIVE, String::new()),
        };
        let schedule = Schedule {
            id: id.clone(),
            name: spec.name.clone(),
            owner: viewer.name().to_owned(),
            owner_groups: viewer.user.groups.clone(),
            owner_local,
            runbook: prepared.runbook.reference.clone(),
            fields,
            cron: spec.cron.clone(),
            time_zone: spec.time_zone.clone(),
            missed: spec.missed.key().to_owned(),
            overlap: spec.overlap,
            state: state.into(),
            reason,
            next_at: next_at.unwrap_or_default(),
            grant,
            approval_id: approval_id.clone(),
            ..Schedule::default()
        };
        let mut record = audit::record(viewer, Action::CreateSchedule, Outcome::Succeeded);
        self.describe(&mut record, &prepared, &id);
        record.detail = format!(
            "schedule “{}”: {} ({}), missed runs: {}",
            spec.name,
            spec.cron,
            spec.time_zone,
            spec.missed.key()
        );
        if four_eyes.is_some() {
            record.detail.push_str(": waits for approval");
        }
        let waiting = match four_eyes {
            None => None,
            Some(_) => {
                let (mut request, form) = self
                    .approval_request(&prepared, viewer, &record, &approval_id)
                    .await?;
                request.schedule_id = id.clone();
                request.schedule = format!("“{}”: {} ({})", spec.name, spec.cron, spec.time_zone);
                let notice = notices::approval_waiting(&self.grants(), &request);
                Some((request, form, notice))
            }
        };
        let approval = waiting
            .as_ref()
            .map(|(request, fields, notice)| ScheduleApproval {
                request,
                fields,
                notice,
            });
        let trail = &self.records.audit;
        let intent = audit::intend(trail, &record, "no schedule was made").await?;
        let kept = self.records.schedules.create(&schedule, approval).await;
        let (outcome, detail) = match &kept {
            Ok(()) => (Outcome::Succeeded, record.detail.clone()),
            Err(e) => (Outcome::Failed, e.to_string()),
        };
        audit::complete(trail, intent, outcome, "", &detail).await;
        kept.map_err(unavailable)?;
        tracing::info!(schedule = %id, owner = viewer.name(), cron = %spec.cron, state, "schedule made");
        Ok(id)
    }

    /// The next occurrence, or a mistake when the expression runs more often than allowed or
    /// never.
    fn check_often(
        &self,
        timing: &Timing,
        now: i64,
        mistakes: &mut Vec<FieldError>,
    ) -> Option<i64> {
        let next = timing.next_after(now);
        let allowed = i64::try_from(self.schedule_min_interval.as_millis()).unwrap_or(i64::MAX);
        match (next, timing.shortest_gap_ms(now)) {
            (None, _) => mistakes.push(FieldError {
                field: "schedule.cron".into(),
                message: "This expression never comes round again: give one with a time to come."
                    .into(),
            }),
            (_, Some(gap)) if gap < allowed => mistakes.push(FieldError {
                field: "schedule.cron".into(),
                message: format!(
                    "It would run every {} s; this portal runs a schedule at most once every \
                     {} s (schedule_min_interval_seconds).",
                    gap / 1000,
                    allowed / 1000
                ),
            }),
            _ => {}
        }
        next
    }

    /// The viewer's schedules (everyone's for administrators), with their recent runs; only
    /// those of `runbook` (as the form names it) when one is given. Next runs are also given in
    /// `viewer_zone` (the viewer's browser's IANA time zone), when known.
    pub async fn schedules(
        &self,
        viewer: &Viewer,
        runbook: Option<&str>,
        viewer_zone: Option<&str>,
    ) -> Result<Vec<ScheduleView>, PortalError> {
        // A schedule whose request expired is shown paused, not still waiting.
        self.expire_undecided().await?;
        let owner = (!viewer.rights.admin).then(|| viewer.name());
        let schedules = self
            .records
            .schedules
            .list(owner)
            .await
            .map_err(unavailable)?;
        let mut views = Vec::with_capacity(schedules.len());
        // Another account's runbook is kept by its ARN, and its page may be opened by name.
        let of_runbook = |s: &Schedule| {
            runbook.is_none_or(|r| {
                s.runbook == r
                    || (!r.contains(':') && s.runbook.ends_with(&format!(":document/{r}")))
            })
        };
        for schedule in schedules.into_iter().filter(of_runbook) {
            let runs = self
                .records
                .schedules
                .runs(&schedule.id, HISTORY)
                .await
                .map_err(unavailable)?;
            let next_local = Timing::parse(&schedule.cron, &schedule.time_zone)
                .map(|t| t.local(schedule.next_at))
                .unwrap_or_default();
            let (next_viewer, viewer_zone) = viewer_zone
                .and_then(|zone| schedule_timing::in_zone(schedule.next_at, zone))
                .unwrap_or_default();
            views.push(ScheduleView {
                next_viewer,
                viewer_zone,
                may_change: viewer.rights.admin || schedule.owner == viewer.name(),
                id: schedule.id,
                name: schedule.name,
                owner: schedule.owner,
                runbook: schedule.runbook,
                cron: schedule.cron,
                time_zone: schedule.time_zone,
                missed: schedule.missed,
                overlap: schedule.overlap,
                state: schedule.state,
                reason: schedule.reason,
                next_at: schedule.next_at,
                next_local,
                runs,
                approval_id: schedule.approval_id,
                approved_by: schedule.approved_by,
            });
        }
        Ok(views)
    }

    /// Pauses or resumes schedule `id`: its owner and administrators may.
    pub async fn change_schedule(
        &self,
        viewer: &Viewer,
        id: &str,
        pause: bool,
    ) -> Result<(), PortalError> {
        let found = self.records.schedules.get(id).await.map_err(unavailable)?;
        let schedule = match found {
            Some(s) if viewer.rights.admin || s.owner == viewer.name() => s,
            // The same answer whether it exists or not: ids are not to be probed.
            _ => {
                return Err(self.refuse(
                    viewer,
                    format!("You may not change schedule {id}: its owner and administrators may."),
                ))
            }
        };
        if schedule.state == state::AWAITING_APPROVAL {
            return Err(PortalError::Invalid(vec![FieldError {
                field: "schedule".into(),
                message: format!(
                    "Schedule “{}” waits for approval: it neither runs nor pauses until it is \
                     decided. Withdraw its request to stop it.",
                    schedule.name
                ),
            }]));
        }
        let store = &self.records.schedules;
        let (action, changed) = if pause {
            let reason = format!("paused by {}", viewer.name());
            let changed = store
                .pause(id, viewer.name(), &reason, None)
                .await
                .map_err(unavailable)?;
            (Action::PauseSchedule, changed)
        } else {
            let by = &schedule.paused_by;
            if !viewer.rights.admin && by != viewer.name() && by != PORTAL && !by.is_empty() {
                return Err(self.refuse(
                    viewer,
                    format!(
                        "Schedule “{}” was paused by {by}: they or an administrator may resume it.",
                        schedule.name
                    ),
                ));
            }
            // Resumed only if it could run now: the owner's grants are checked as at a run.
            if let Err(why) = self.runnable(&schedule).await {
                return Err(PortalError::Forbidden(format!(
                    "Schedule “{}” cannot run: {why}. It stays paused.",
                    schedule.name
                )));
            }
            // Runs from the next time on: what was due while paused is not made up.
            let Some(next) = next_run(&schedule) else {
                return Err(PortalError::Invalid(vec![FieldError {
                    field: "schedule.cron".into(),
                    message: "Its cron expression never comes round again: nothing to resume."
                        .into(),
                }]));
            };
            let changed = store.resume(id, next).await.map_err(unavailable)?;
            (Action::ResumeSchedule, changed)
        };
        if changed {
            let mut record = audit::record(viewer, action, Outcome::Succeeded);
            record.runbook = schedule.runbook.clone();
            record.detail = format!("schedule “{}” ({id})", schedule.name);
            if let Err(e) = self.records.audit.write(&record).await {
                tracing::error!(error = %e, "could not record a schedule's change");
            }
        }
        Ok(())
    }

    /// Whether `schedule` could start now as its owner: `Err` says why not.
    pub(crate) async fn runnable(&self, schedule: &Schedule) -> Result<(), String> {
        let rights = self
            .rights_now(
                &schedule.owner,
                &schedule.owner_groups,
                schedule.owner_local,
            )
            .await
            .map_err(|e| e.to_string())?;
        let prepared = self
            .prepare(&form_of(schedule), &rights)
            .await
            .map_err(|e| e.into_error().to_string())?;
        match prepared
            .grant
            .as_ref()
            .and_then(|g| unrunnable(g, schedule))
        {
            Some(why) => Err(why),
            None => Ok(()),
        }
    }
}

/// The schedule's next time from now, if its expression comes round again.
pub(crate) fn next_run(schedule: &Schedule) -> Option<i64> {
    Timing::parse(&schedule.cron, &schedule.time_zone)
        .ok()
        .and_then(|t| t.next_after(now_ms()))
}

/// The wizard's form a schedule starts.
pub(crate) fn form_of(schedule: &Schedule) -> WizardForm {
    let document = schedule.fields.get("document").cloned().unwrap_or_default();
    WizardForm::from_pairs(
        &document,
        schedule
            .fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str())),
    )
}

/// Whether `value` is a reference to a SecureString parameter (`{{ssm-secure:name}}`, with an
/// optional version), which SSM resolves at each run.
fn is_secure_reference(value: &str) -> bool {
    value
        .trim()
        .strip_prefix("{{ssm-secure:")
        .and_then(|rest| rest.strip_suffix("}}"))
        .is_some_and(|name| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_.-/:".contains(c))
        })
}

/// Why a start under `grant` cannot be scheduled, if it cannot.
pub(crate) fn unschedulable(grant: &Grant) -> Option<String> {
    (!grant.schedules).then(|| {
        format!(
            "The grant “{}” does not allow schedules: start it by hand, or ask an administrator \
             to add schedules = true to it.",
            grant.name
        )
    })
}

/// Why `schedule` cannot run under `grant` now, if it cannot: a four-eyes grant runs only a
/// schedule approved under it.
pub(crate) fn unrunnable(grant: &Grant, schedule: &Schedule) -> Option<String> {
    if let Some(why) = unschedulable(grant) {
        return Some(why);
    }
    if !grant.needs_approval() {
        return None;
    }
    if schedule.approved_by.is_empty() {
        return Some(format!(
            "The grant “{}” needs a second person's approval, and this schedule was never \
             approved: make it again to ask for one.",
            grant.name
        ));
    }
    (grant.name != schedule.grant).then(|| {
        format!(
            "It was approved under the grant “{}”, but now falls under the grant “{}”, which \
             needs its own approval: make it again to ask for one.",
            schedule.grant, grant.name
        )
    })
}

#[cfg(test)]
mod tests {
    use super::is_secure_reference;

    #[test]
    fn only_a_secure_string_reference_passes_for_a_secret() {
        assert!(is_secure_reference("{{ssm-secure:/prod/db/password}}"));
        assert!(is_secure_reference("{{ssm-secure:db-password:3}}"));
        assert!(!is_secure_reference("hunter2"));
        assert!(!is_secure_reference("{{ssm-secure:}}"));
        assert!(!is_secure_reference("{{ssm-secure:x}} hunter2"));
        assert!(!is_secure_reference("{{ssm:/prod/db/password}}"));
    }
}
