//! Answers from AWS kept for a while, so that a page view does not repeat calls whose answers
//! cannot have changed (a runbook version's content never does) or may lag a little (the role
//! and instance pickers' lists). Failures are never kept.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::PortalError;

/// One answer, fetched again once it is older than `ttl`.
pub(crate) struct KeptFor<T> {
    ttl: Duration,
    value: Mutex<Option<(Instant, T)>>,
}

impl<T: Clone> KeptFor<T> {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            value: Mutex::new(None),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(Instant, T)>> {
        self.value
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The kept answer while it is fresh, else `fetch`'s (kept when it succeeds).
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<T, PortalError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, PortalError>>,
    {
        if let Some((at, value)) = self.lock().as_ref() {
            if at.elapsed() < self.ttl {
                return Ok(value.clone());
            }
        }
        let value = fetch().await?;
        *self.lock() = Some((Instant::now(), value.clone()));
        Ok(value)
    }
}

/// How many runbook versions' contents are kept; past it the oldest half is let go.
const MOST_CONTENTS: usize = 256;

/// Contents by (runbook, version number), each with when it was kept (a count).
type ContentsByVersion = HashMap<(String, String), (u64, Arc<str>)>;

/// Runbook contents by (runbook, version number): a version's content never changes.
#[derive(Default)]
pub(crate) struct Contents(Mutex<ContentsByVersion>);

impl Contents {
    fn lock(&self) -> std::sync::MutexGuard<'_, ContentsByVersion> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The content of `runbook` at `version` (a number), fetched once.
    pub(crate) async fn get<F, Fut>(
        &self,
        runbook: &str,
        version: &str,
        fetch: F,
    ) -> Result<Arc<str>, PortalError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<String, PortalError>>,
    {
        let key = (runbook.to_owned(), version.to_owned());
        if let Some((_, content)) = self.lock().get(&key) {
            return Ok(content.clone());
        }
        let content: Arc<str> = fetch().await?.into();
        let mut kept = self.lock();
        if kept.len() >= MOST_CONTENTS {
            let mut ages: Vec<u64> = kept.values().map(|(n, _)| *n).collect();
            ages.sort_unstable();
            let median = ages[ages.len() / 2];
            kept.retain(|_, (n, _)| *n >= median);
        }
        let next = kept.values().map(|(n, _)| *n + 1).max().unwrap_or(0);
        kept.insert(key, (next, content.clone()));
        Ok(content)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn an_answer_is_kept_while_fresh_and_a_failure_never() {
        let calls = AtomicUsize::new(0);
        let kept = KeptFor::new(Duration::from_millis(200));
        let fetch = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok::<_, PortalError>(7)
        };
        assert_eq!(kept.get(fetch).await.ok(), Some(7));
        assert_eq!(kept.get(fetch).await.ok(), Some(7));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert_eq!(kept.get(fetch).await.ok(), Some(7));
        assert_eq!(calls.load(Ordering::SeqCst), 2);

        let failing = KeptFor::<u32>::new(Duration::from_secs(60));
        let fail = || async { Err(PortalError::Backend("down".into())) };
        assert!(failing.get(fail).await.is_err());
        assert_eq!(failing.get(|| async { Ok(1) }).await.ok(), Some(1));
    }

    #[tokio::test]
    async fn contents_are_fetched_once_per_version_and_bounded() {
        let contents = Contents::default();
        for i in 0..(MOST_CONTENTS * 2) {
            let version = i.to_string();
            contents
                .get("R", &version, || async { Ok(format!("v{i}")) })
                .await
                .expect("fetched");
        }
        assert!(contents.lock().len() <= MOST_CONTENTS);
        let newest = (MOST_CONTENTS * 2 - 1).to_string();
        let again = contents
            .get("R", &newest, || async {
                Err(PortalError::Backend("fetched again".into()))
            })
            .await
            .expect("kept");
        assert_eq!(&*again, format!("v{newest}").as_str());
    }
}
