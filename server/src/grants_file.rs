//! The grants in force: read from the grants file at start (a file with mistakes stops the
//! start), read again when it changes or on SIGHUP (a file with mistakes is refused and logged,
//! and the grants in force stay). On the embedded emulator a missing file is created from the
//! sample, so a new user sees each kind of rule at work.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use grants::LiveGrants;

/// The sample grants file, for the embedded emulator's account.
pub const SAMPLE: &str = include_str!("../grants.sample.toml");

/// How often the file's modification time is looked at.
const LOOK_EVERY: Duration = Duration::from_secs(2);

pub fn load(path: &Path, write_sample: bool) -> anyhow::Result<Arc<LiveGrants>> {
    if write_sample && !path.exists() {
        crate::data_dir::write_private(path, SAMPLE)
            .with_context(|| format!("cannot write the sample grants file {}", path.display()))?;
        tracing::info!(grants = %path.display(), "wrote the sample grants file");
    }
    if !path.exists() {
        tracing::warn!(
            grants = %path.display(),
            "no grants file: only members of the admins group may do anything until it exists"
        );
    }
    let live = LiveGrants::load(path)?;
    tracing::info!(grants = %path.display(), count = live.current().grants.len(), "grants in force");
    explain(&live);
    Ok(Arc::new(live))
}

/// Logs what the grants in force mean where the file is silent (safe defaults an older file
/// may not expect).
fn explain(live: &LiveGrants) {
    for notice in live.current().notices() {
        tracing::warn!(grants = %live.path().map(|p| p.display().to_string()).unwrap_or_default(), "{notice}");
    }
}

fn reload(live: &LiveGrants, only_if_changed: bool) {
    let path = live
        .path()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    match live.reload(only_if_changed) {
        Ok(Some(count)) => {
            tracing::info!(grants = %path, count, "grants read again");
            explain(live);
        }
        Ok(None) => {}
        Err(e) => tracing::error!(grants = %path, "{e}; the grants in force stay"),
    }
}

/// Reads the file again whenever it changes, and on SIGHUP.
pub fn follow(live: Arc<LiveGrants>) {
    let watched = live.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(LOOK_EVERY);
        loop {
            every.tick().await;
            reload(&watched, true);
        }
    });
    #[cfg(unix)]
    tokio::spawn(async move {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::hangup()) {
            Ok(mut hangups) => {
                while hangups.recv().await.is_some() {
                    reload(&live, false);
                }
            }
            Err(e) => tracing::error!(error = %e, "cannot listen for SIGHUP"),
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_is_valid_and_shows_each_kind_of_rule() {
        let sample = grants::Grants::parse(Path::new("grants.sample.toml"), SAMPLE)
            .expect("the sample grants file is valid");
        let grants = &sample.grants;
        let rules: Vec<&grants::ParameterRule> =
            grants.iter().flat_map(|g| g.parameters.values()).collect();
        assert!(grants.iter().any(|g| !g.users.is_empty()));
        assert!(grants.iter().any(|g| !g.groups.is_empty()));
        assert!(grants.iter().any(|g| g.version.is_some()));
        assert!(grants
            .iter()
            .any(|g| g.roles.iter().any(|r| r.contains('*'))));
        assert!(grants.iter().any(|g| g.modes.len() > 1));
        assert!(grants
            .iter()
            .any(|g| g.executions == grants::Visibility::All));
        assert!(grants
            .iter()
            .any(|g| g.executions == grants::Visibility::Own));
        assert!(rules.iter().any(|r| r.hidden && r.fixed.is_some()));
        assert!(rules.iter().any(|r| !r.hidden && r.fixed.is_some()));
        assert!(rules.iter().any(|r| !r.allowed.is_empty()));
        assert!(grants.iter().any(grants::Grant::needs_approval));
        assert!(!sample.auditors.is_empty());
        assert!(grants.iter().any(|g| g.control.is_some()));
        assert!(grants.iter().any(|g| g.step_approvers.is_some()));
        assert!(grants
            .iter()
            .any(|g| g.approval.as_ref().is_some_and(|a| a.control)));
        assert!(grants.iter().any(|g| g.multi_account.is_some()));
        assert!(grants
            .iter()
            .any(|g| g.runbooks.iter().any(|r| r.starts_with("arn:"))));
    }
}
