//! Live status: one poller per watched execution, however many people watch it.
//!
//! SSM's read APIs are rate-limited per account, so viewers never poll AWS themselves. The first
//! subscriber to a key starts a watcher that polls the [`Source`], turns each difference into
//! ready-to-send [`Frame`]s and broadcasts them; later subscribers share it. The watcher polls fast
//! while work runs and slowly while it waits, backs off when throttled, and stops when the
//! execution is finished or its last subscriber leaves. Frames carry ids (`<epoch>.<seq>`), and a
//! short history lets a reconnecting client resume where it stopped.

mod budget;
mod subscription;
mod watcher;

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use budget::PollBudget;
pub use subscription::Subscription;
use watcher::Watch;

/// How soon the next poll should come, judged from the last answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pace {
    /// Steps are running: changes come quickly.
    Running,
    /// Waiting for a person, a queue or a signal: changes are rare.
    Waiting,
    /// Terminal: nothing will change again.
    Finished,
}

/// Why a poll failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The API said to slow down (ThrottlingException): back off.
    Throttled(String),
    /// The thing watched does not exist (or is not visible): tell the viewers and stop.
    Gone(String),
    /// Anything else (network, AWS error): tell the viewers, retry slowly.
    Failed(String),
}

/// One difference, ready to send as a Server-Sent Event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub event: &'static str,
    /// JSON, on one line.
    pub data: String,
    /// Part of the one-line summary that lists of executions show (sent on list streams too).
    pub summary: bool,
}

/// A change with its position in a watcher's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    /// `<epoch>.<seq>`: the epoch names the watcher, the sequence counts its frames.
    pub id: String,
    pub event: &'static str,
    pub data: String,
    pub summary: bool,
}

impl Frame {
    /// The frame that ends a stream: nothing more will come for this key.
    pub const END: &'static str = domain::execution::event::END;
    /// A poll failed; `data` is a JSON string saying why.
    pub const FAULT: &'static str = domain::execution::event::FAULT;

    pub fn is_end(&self) -> bool {
        self.event == Self::END
    }
}

/// What is watched and how it is read.
pub trait Source: Send + Sync + 'static {
    type State: Clone + PartialEq + Send + Sync + 'static;

    fn fetch(&self, key: &str) -> impl Future<Output = Result<Self::State, Fault>> + Send;

    fn pace(&self, state: &Self::State) -> Pace;

    /// What differs from `old` to `new`; with no `old`, everything a new viewer needs.
    fn changes(&self, old: Option<&Self::State>, new: &Self::State) -> Vec<Change>;
}

/// The default budget of polls per second: a share of the account's SSM API rate that leaves
/// the rest to the CLI and other tools.
pub const DEFAULT_POLLS_PER_SECOND: f64 = 10.0;

/// Poll intervals and limits.
#[derive(Debug, Clone, Copy)]
pub struct Pacing {
    pub running: Duration,
    pub waiting: Duration,
    /// The longest wait after throttling or failures.
    pub max_backoff: Duration,
    /// How many frames a watcher keeps for resuming clients.
    pub history: usize,
    /// How many polls per second all the watchers of a hub make at most, together (`None`: no
    /// limit); past it each waits its turn.
    pub polls_per_second: Option<f64>,
}

impl Default for Pacing {
    fn default() -> Self {
        Self {
            running: Duration::from_secs(1),
            waiting: Duration::from_secs(5),
            max_backoff: Duration::from_secs(60),
            history: 256,
            polls_per_second: Some(DEFAULT_POLLS_PER_SECOND),
        }
    }
}

/// The watchers of one source, by key.
pub struct Hub<S: Source> {
    source: Arc<S>,
    pacing: Pacing,
    budget: PollBudget,
    watches: Mutex<HashMap<String, Arc<Watch<S>>>>,
    epochs: AtomicU64,
}

/// Where this process's epochs start: random, so that the ids of another replica (a browser
/// reconnecting through the load balancer) or of this one before a restart never match a watcher
/// here, and such a browser is sent the whole state instead of the changes after someone else's
/// frame. Std's hasher keys come from the operating system's random source; the top bits are
/// left clear so that counting up never wraps.
fn first_epoch() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut random = std::collections::hash_map::RandomState::new().build_hasher();
    random.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    random.finish() >> 12
}

impl<S: Source> Hub<S> {
    pub fn new(source: S, pacing: Pacing) -> Arc<Self> {
        Arc::new(Self {
            source: Arc::new(source),
            pacing,
            budget: PollBudget::new(pacing.polls_per_second),
            watches: Mutex::new(HashMap::new()),
            epochs: AtomicU64::new(first_epoch()),
        })
    }

    /// Follows `key` from now, or from `resume` (a frame id the client last saw) when the
    /// watcher still remembers it; otherwise the subscription starts with the whole state.
    pub fn subscribe(self: &Arc<Self>, key: &str, resume: Option<&str>) -> Subscription<S> {
        let mut watches = self.lock();
        let watch = match watches.get(key) {
            Some(watch) => watch.clone(),
            None => {
                let epoch = self.epochs.fetch_add(1, Ordering::Relaxed);
                let watch = Arc::new(Watch::new(key, epoch, self.pacing.history));
                watches.insert(key.to_owned(), watch.clone());
                tokio::spawn(watcher::run(self.clone(), watch.clone()));
                watch
            }
        };
        watch.subscribe(&self.source, resume)
    }

    /// Polls `key` now if it is watched (after a control changed it).
    pub fn poke(&self, key: &str) {
        if let Some(watch) = self.lock().get(key) {
            watch.poke.notify_one();
        }
    }

    /// Keys with a running watcher.
    pub fn watched(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Watch<S>>>> {
        self.watches
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Forgets `watch` if nobody follows it (checked under the map's lock, so a subscriber
    /// arriving now either finds it still running or starts a new one).
    fn release_if_unwatched(&self, watch: &Arc<Watch<S>>) -> bool {
        let mut watches = self.lock();
        if watch.subscribers() > 0 {
            return false;
        }
        Self::forget(&mut watches, watch);
        true
    }

    fn release(&self, watch: &Arc<Watch<S>>) {
        Self::forget(&mut self.lock(), watch);
    }

    fn forget(watches: &mut HashMap<String, Arc<Watch<S>>>, watch: &Arc<Watch<S>>) {
        if watches
            .get(&watch.key)
            .is_some_and(|w| Arc::ptr_eq(w, watch))
        {
            watches.remove(&watch.key);
        }
    }
}

#[cfg(test)]
mod tests;
