//! Failed sign-ins in the audit trail, bounded: anyone can fail to sign in, as often as they like,
//! and the audit trail keeps everything forever. So per client address the first failure of a
//! window is recorded as it is, and the rest of that window become one summary record (how many,
//! why, the names tried, truncated) when the window ends. What one address can store per window is
//! two records of bounded size, however many attempts it makes.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::AuditRecord;

/// Characters kept of a user name tried (in the first record of a window).
pub const MAX_RECORDED_NAME: usize = 256;
/// Characters kept of each name listed in a summary, and how many names it lists.
const SUMMARY_NAME: usize = 64;
const SUMMARY_NAMES: usize = 10;
/// Characters kept of a failure's detail (an identity provider's error text can be long).
const MAX_DETAIL: usize = 512;
/// Addresses followed at once; past it every open window is summed up early.
const MAX_ADDRESSES: usize = 10_000;

fn truncated(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut kept: String = text.chars().take(max).collect();
    kept.push('…');
    kept
}

#[derive(Debug)]
struct Tally {
    since: Instant,
    /// Failures after the first (which was recorded as it was).
    more: u32,
    names: Vec<String>,
    other_names: u32,
    reasons: BTreeMap<String, u32>,
    last: AuditRecord,
}

impl Tally {
    fn summary(self, window: Duration) -> Option<AuditRecord> {
        if self.more == 0 {
            return None;
        }
        let minutes = window.as_secs().div_ceil(60);
        let reasons: Vec<String> = self
            .reasons
            .iter()
            .map(|(reason, n)| format!("{reason}: {n}"))
            .collect();
        let mut names = self.names.join(", ");
        if self.other_names > 0 {
            names.push_str(&format!(" and {} more", self.other_names));
        }
        let user = match self.names.as_slice() {
            [only] if self.other_names == 0 => only.clone(),
            _ => String::new(),
        };
        Some(AuditRecord {
            user,
            detail: format!(
                "{} more failed sign-ins from this address within {minutes} minutes ({}); names tried: {names}",
                self.more,
                reasons.join("; ")
            ),
            ..self.last
        })
    }
}

/// Turns failed sign-ins into what to write to the audit trail.
#[derive(Debug)]
pub struct FailedSignIns {
    window: Duration,
    open: Mutex<HashMap<String, Tally>>,
}

impl FailedSignIns {
    pub fn new(window: Duration) -> Self {
        Self {
            window,
            open: Mutex::new(HashMap::new()),
        }
    }

    fn open(&self) -> std::sync::MutexGuard<'_, HashMap<String, Tally>> {
        self.open.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A failed sign-in (`record`, by its client address): answers the records to write now.
    pub fn note(&self, record: AuditRecord, now: Instant) -> Vec<AuditRecord> {
        let record = AuditRecord {
            user: truncated(&record.user, MAX_RECORDED_NAME),
            detail: truncated(&record.detail, MAX_DETAIL),
            ..record
        };
        let mut open = self.open();
        let mut write = Vec::new();
        if let Some(tally) = open.get_mut(&record.client_address) {
            if now.duration_since(tally.since) < self.window {
                let name = truncated(&record.user, SUMMARY_NAME);
                if !tally.names.contains(&name) {
                    if tally.names.len() < SUMMARY_NAMES {
                        tally.names.push(name);
                    } else {
                        tally.other_names = tally.other_names.saturating_add(1);
                    }
                }
                // Distinct reasons are bounded too: a caller can vary the text it causes.
                let reason = if tally.reasons.len() < SUMMARY_NAMES
                    || tally.reasons.contains_key(&record.detail)
                {
                    record.detail.clone()
                } else {
                    "other reasons".to_owned()
                };
                *tally.reasons.entry(reason).or_default() += 1;
                tally.more = tally.more.saturating_add(1);
                tally.last = record;
                return write;
            }
            let ended = open.remove(&record.client_address);
            write.extend(ended.and_then(|t| t.summary(self.window)));
        }
        if open.len() >= MAX_ADDRESSES {
            write.extend(open.drain().filter_map(|(_, t)| t.summary(self.window)));
        }
        open.insert(
            record.client_address.clone(),
            Tally {
                since: now,
                more: 0,
                names: Vec::new(),
                other_names: 0,
                reasons: BTreeMap::new(),
                last: record.clone(),
            },
        );
        write.push(record);
        write
    }

    /// The summaries of the windows that have ended by `now` (to write).
    pub fn due(&self, now: Instant) -> Vec<AuditRecord> {
        let mut open = self.open();
        let ended: Vec<String> = open
            .iter()
            .filter(|(_, t)| now.duration_since(t.since) >= self.window)
            .map(|(address, _)| address.clone())
            .collect();
        ended
            .into_iter()
            .filter_map(|address| open.remove(&address))
            .filter_map(|t| t.summary(self.window))
            .collect()
    }

    /// Every summary still open (the portal is stopping).
    pub fn drain(&self) -> Vec<AuditRecord> {
        self.open()
            .drain()
            .filter_map(|(_, t)| t.summary(self.window))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(name: &str, address: &str, detail: &str) -> AuditRecord {
        AuditRecord {
            user: name.to_owned(),
            action: crate::audit::Action::SignInFailed,
            outcome: crate::audit::Outcome::Refused,
            detail: detail.to_owned(),
            client_address: address.to_owned(),
            ..AuditRecord::default()
        }
    }

    #[test]
    fn one_record_then_one_summary_per_address_and_window() {
        let window = Duration::from_secs(900);
        let failed = FailedSignIns::new(window);
        let start = Instant::now();
        let long = "x".repeat(200_000);
        let first = failed.note(failure(&long, "10.0.0.1", "wrong password"), start);
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].user.chars().count(), MAX_RECORDED_NAME + 1);
        for i in 0..59 {
            let at = start + Duration::from_secs(i);
            let name = format!("{i}{long}");
            let reason = if i < 49 {
                "wrong password"
            } else {
                "locked out"
            };
            assert!(failed
                .note(failure(&name, "10.0.0.1", reason), at)
                .is_empty());
        }
        // Another address has a window of its own.
        assert_eq!(
            failed
                .note(failure("ann", "10.0.0.2", "wrong password"), start)
                .len(),
            1
        );
        assert!(failed.due(start + Duration::from_secs(60)).is_empty());

        let due = failed.due(start + window);
        assert_eq!(due.len(), 1, "only the address with more failures sums up");
        let summary = &due[0];
        assert_eq!(summary.client_address, "10.0.0.1");
        assert!(summary.detail.starts_with("59 more failed sign-ins from this address within 15 minutes (locked out: 10; wrong password: 49); names tried: "), "{}", summary.detail);
        assert!(
            summary.detail.ends_with(" and 49 more"),
            "{}",
            summary.detail
        );
        assert!(
            summary.detail.len() < 1_000,
            "bounded: {}",
            summary.detail.len()
        );
        assert_eq!(summary.user, "");
        // After the window a failure is recorded as it is again.
        let again = failed.note(failure("ann", "10.0.0.1", "wrong password"), start + window);
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].user, "ann");
    }

    #[test]
    fn a_window_ended_before_its_address_failed_again_is_summed_up_first() {
        let window = Duration::from_secs(60);
        let failed = FailedSignIns::new(window);
        let start = Instant::now();
        failed.note(failure("admin", "::1", "wrong password"), start);
        failed.note(failure("admin", "::1", "wrong password"), start);
        let later = failed.note(failure("admin", "::1", "wrong password"), start + window);
        assert_eq!(later.len(), 2);
        assert_eq!(
            later[0].user, "admin",
            "one name tried: the summary names it"
        );
        assert!(later[0].detail.starts_with("1 more failed sign-ins"));
        assert!(failed.drain().is_empty());
    }
}
