//! Answers from AWS kept for a while, so that a page view does not repeat calls whose answers
//! cannot have changed (a runbook version's content never does) or may lag a little (the role
//! and instance pickers' lists). Failures are never kept.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use domain::PortalError;

/// One answer, fetched again once it is older than `ttl`.
pub(crate) struct KeptFor<T>(KeptBy<(), T>);

impl<T: Clone> KeptFor<T> {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self(KeptBy::new(ttl, 1))
    }

    /// The kept answer while it is fresh, else `fetch`'s (kept when it succeeds).
    pub(crate) async fn get<F, Fut>(&self, fetch: F) -> Result<T, PortalError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, PortalError>>,
    {
        self.0.get((), fetch).await
    }
}

/// Answers by key, each fetched again once it is older than `ttl`; at most `most` of them kept
/// (past it, the stale ones are let go, then all if none is).
pub(crate) struct KeptBy<K, T> {
    ttl: Duration,
    most: usize,
    values: Mutex<HashMap<K, (Instant, T)>>,
}

impl<K: std::hash::Hash + Eq, T: Clone> KeptBy<K, T> {
    pub(crate) fn new(ttl: Duration, most: usize) -> Self {
        Self {
            ttl,
            most,
            values: Mutex::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Instant, T)>> {
        self.values
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The answer kept for `key` while it is fresh, else `fetch`'s (kept when it succeeds).
    pub(crate) async fn get<F, Fut>(&self, key: K, fetch: F) -> Result<T, PortalError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, PortalError>>,
    {
        if let Some((at, value)) = self.lock().get(&key) {
            if at.elapsed() < self.ttl {
                return Ok(value.clone());
            }
        }
        let value = fetch().await?;
        self.put(key, value.clone());
        Ok(value)
    }

    /// Keeps `value`, just fetched, for `key`.
    pub(crate) fn put(&self, key: K, value: T) {
        let mut kept = self.lock();
        if kept.len() >= self.most && !kept.contains_key(&key) {
            let ttl = self.ttl;
            kept.retain(|_, (at, _)| at.elapsed() < ttl);
            if kept.len() >= self.most {
                kept.clear();
            }
        }
        kept.insert(key, (Instant::now(), value));
    }
}

/// How many runbook versions' contents are kept; past it the oldest half is let go.
const MOST_CONTENTS: usize = 256;

/// Contents by (runbook, version number, content hash), each with when it was kept (a count).
type ContentsByVersion = HashMap<(String, String, String), (u64, Arc<str>)>;

/// Runbook contents by (runbook, version number, content hash): what a version holds never
/// changes, but a runbook deleted and made again starts its numbers over, so the hash SSM
/// reports for the version is part of the key. Without a hash nothing is kept.
#[derive(Default)]
pub(crate) struct Contents(Mutex<ContentsByVersion>);

impl Contents {
    fn lock(&self) -> std::sync::MutexGuard<'_, ContentsByVersion> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The content of `runbook` at `version` (a number) whose hash is `hash`, fetched once.
    pub(crate) async fn get<F, Fut>(
        &self,
        runbook: &str,
        version: &str,
        hash: &str,
        fetch: F,
    ) -> Result<Arc<str>, PortalError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<String, PortalError>>,
    {
        if hash.is_empty() {
            return Ok(fetch().await?.into());
        }
        let key = (runbook.to_owned(), version.to_owned(), hash.to_owned());
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
        let fetch = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok::<_, PortalError>(7)
        };
        let kept = KeptFor::new(Duration::from_secs(3600));
        assert_eq!(kept.get(fetch).await.ok(), Some(7));
        assert_eq!(kept.get(fetch).await.ok(), Some(7));
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Kept for no time: every answer is fetched.
        let stale = KeptFor::new(Duration::ZERO);
        assert_eq!(stale.get(fetch).await.ok(), Some(7));
        assert_eq!(stale.get(fetch).await.ok(), Some(7));
        assert_eq!(calls.load(Ordering::SeqCst), 3);

        let failing = KeptFor::<u32>::new(Duration::from_secs(60));
        let fail = || async { Err(PortalError::Backend("down".into())) };
        assert!(failing.get(fail).await.is_err());
        assert_eq!(failing.get(|| async { Ok(1) }).await.ok(), Some(1));
    }

    #[tokio::test]
    async fn answers_by_key_are_kept_while_fresh_and_bounded() {
        let kept = KeptBy::new(Duration::from_secs(3600), 2);
        let answer = |n: u32| move || async move { Ok::<_, PortalError>(n) };
        assert_eq!(kept.get("a", answer(1)).await.ok(), Some(1));
        assert_eq!(kept.get("a", answer(2)).await.ok(), Some(1), "kept");
        assert_eq!(kept.get("b", answer(3)).await.ok(), Some(3));
        kept.put("a", 4);
        assert_eq!(kept.get("a", answer(5)).await.ok(), Some(4), "replaced");
        // A third key, past the bound: the others (all fresh) are let go.
        assert_eq!(kept.get("c", answer(6)).await.ok(), Some(6));
        assert_eq!(kept.lock().len(), 1);
        assert_eq!(kept.get("a", answer(7)).await.ok(), Some(7));
        let stale = KeptBy::new(Duration::ZERO, 8);
        assert_eq!(stale.get("a", answer(1)).await.ok(), Some(1));
        assert_eq!(
            stale.get("a", answer(2)).await.ok(),
            Some(2),
            "fetched again"
        );
    }

    #[tokio::test]
    async fn contents_are_fetched_once_per_version_and_hash_and_bounded() {
        let contents = Contents::default();
        for i in 0..(MOST_CONTENTS * 2) {
            let version = i.to_string();
            contents
                .get("R", &version, "h1", || async { Ok(format!("v{i}")) })
                .await
                .expect("fetched");
        }
        assert!(contents.lock().len() <= MOST_CONTENTS);
        let newest = (MOST_CONTENTS * 2 - 1).to_string();
        let again = contents
            .get("R", &newest, "h1", || async {
                Err(PortalError::Backend("fetched again".into()))
            })
            .await
            .expect("kept");
        assert_eq!(&*again, format!("v{newest}").as_str());
        // The same number with another hash (the runbook made again) is another content.
        let remade = contents
            .get("R", &newest, "h2", || async { Ok("remade".to_owned()) })
            .await
            .expect("fetched");
        assert_eq!(&*remade, "remade");
    }
}
