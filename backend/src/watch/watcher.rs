//! One watched key: its poll loop, last state and recent frames.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{broadcast, Notify};

use super::{Change, Fault, Frame, Hub, Pace, Source, Subscription};

/// Frames a slow subscriber may fall behind by before it is re-sent the whole state.
const CHANNEL_CAPACITY: usize = 128;

pub(super) struct Watch<S: Source> {
    pub(super) key: String,
    epoch: u64,
    sender: broadcast::Sender<Arc<Frame>>,
    pub(super) poke: Notify,
    history: usize,
    inner: Mutex<Inner<S::State>>,
}

struct Inner<T> {
    state: Option<T>,
    seq: u64,
    recent: VecDeque<Arc<Frame>>,
    /// The whole state as frames, made once per change and shared by every viewer who joins.
    whole: Option<Arc<[Arc<Frame>]>>,
    /// The last failure told to viewers, so a repeated one is not sent again.
    fault: Option<String>,
}

impl<S: Source> Watch<S> {
    pub(super) fn new(key: &str, epoch: u64, history: usize) -> Self {
        Self {
            key: key.to_owned(),
            epoch,
            sender: broadcast::channel(CHANNEL_CAPACITY).0,
            poke: Notify::new(),
            history,
            inner: Mutex::new(Inner {
                state: None,
                seq: 0,
                recent: VecDeque::new(),
                whole: None,
                fault: None,
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner<S::State>> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(super) fn subscribers(&self) -> usize {
        self.sender.receiver_count()
    }

    fn id(&self, seq: u64) -> String {
        format!("{}.{seq}", self.epoch)
    }

    /// Subscribes under the state's lock, so no frame is both in the backlog and received.
    pub(super) fn subscribe(
        self: &Arc<Self>,
        source: &Arc<S>,
        resume: Option<&str>,
    ) -> Subscription<S> {
        let mut inner = self.lock();
        let receiver = self.sender.subscribe();
        let backlog = match self.resumable(&inner, resume) {
            Some(frames) => frames,
            // Before the first poll answers this is empty: its frames come through the channel.
            None => self.whole(source, &mut inner).to_vec(),
        };
        Subscription::new(backlog, receiver, Arc::downgrade(self), source.clone())
    }

    /// The frames after `resume`, if it is this watcher's and still in its history.
    fn resumable(&self, inner: &Inner<S::State>, resume: Option<&str>) -> Option<Vec<Arc<Frame>>> {
        inner.state.as_ref()?;
        let (epoch, seq) = resume?.split_once('.')?;
        let (epoch, seq) = (epoch.parse::<u64>().ok()?, seq.parse::<u64>().ok()?);
        let oldest = inner.seq + 1 - inner.recent.len() as u64;
        if epoch != self.epoch || seq > inner.seq || seq + 1 < oldest {
            return None;
        }
        Some(
            inner
                .recent
                .iter()
                .skip((seq + 1 - oldest) as usize)
                .cloned()
                .collect(),
        )
    }

    /// Everything a new viewer needs, stamped with the current position.
    fn whole(&self, source: &S, inner: &mut Inner<S::State>) -> Arc<[Arc<Frame>]> {
        if let Some(whole) = &inner.whole {
            return whole.clone();
        }
        let Some(state) = &inner.state else {
            return Arc::from([]);
        };
        let id = self.id(inner.seq);
        let whole: Arc<[Arc<Frame>]> = source
            .changes(None, state)
            .into_iter()
            .map(|c| {
                Arc::new(Frame {
                    id: id.clone(),
                    event: c.event,
                    data: c.data,
                    summary: c.summary,
                })
            })
            .collect();
        inner.whole = Some(whole.clone());
        whole
    }

    /// The whole current state, for a subscriber that fell behind.
    pub(super) fn resync(&self, source: &S) -> Vec<Arc<Frame>> {
        self.whole(source, &mut self.lock()).to_vec()
    }

    fn publish(&self, inner: &mut Inner<S::State>, changes: Vec<Change>) {
        inner.whole = None;
        for change in changes {
            inner.seq += 1;
            let frame = Arc::new(Frame {
                id: self.id(inner.seq),
                event: change.event,
                data: change.data,
                summary: change.summary,
            });
            if inner.recent.len() == self.history {
                inner.recent.pop_front();
            }
            inner.recent.push_back(frame.clone());
            // No receivers is not an error: the loop notices and stops.
            let _ = self.sender.send(frame);
        }
    }

    fn update(&self, source: &S, state: S::State) {
        let mut inner = self.lock();
        if inner.state.as_ref() == Some(&state) && inner.fault.is_none() {
            return;
        }
        let changes = source.changes(inner.state.as_ref(), &state);
        inner.fault = None;
        inner.state = Some(state);
        self.publish(&mut inner, changes);
    }

    fn fault(&self, message: &str, end: bool) {
        let mut inner = self.lock();
        if inner.fault.as_deref() != Some(message) {
            inner.fault = Some(message.to_owned());
            let data = serde_json::to_string(message).unwrap_or_default();
            self.publish(
                &mut inner,
                vec![Change {
                    event: Frame::FAULT,
                    data,
                    summary: true,
                }],
            );
        }
        if end {
            self.end(&mut inner);
        }
    }

    fn end(&self, inner: &mut Inner<S::State>) {
        self.publish(
            inner,
            vec![Change {
                event: Frame::END,
                data: String::from("\"\""),
                summary: true,
            }],
        );
    }
}

/// The poll loop of one watch: until finished, gone, or unwatched.
pub(super) async fn run<S: Source>(hub: Arc<Hub<S>>, watch: Arc<Watch<S>>) {
    let pacing = hub.pacing;
    let mut delay = Duration::ZERO;
    let mut backoff = pacing.running;
    loop {
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = watch.poke.notified() => {}
        }
        // The turn first: a viewer who leaves while it waits costs no poll.
        hub.budget.take().await;
        if hub.release_if_unwatched(&watch) {
            return;
        }
        match hub.source.fetch(&watch.key).await {
            Ok(state) => {
                let pace = hub.source.pace(&state);
                watch.update(&hub.source, state);
                backoff = pacing.running;
                delay = match pace {
                    Pace::Running => pacing.running,
                    Pace::Waiting => pacing.waiting,
                    Pace::Finished => {
                        // Released first: a viewer arriving after the end starts afresh.
                        hub.release(&watch);
                        watch.end(&mut watch.lock());
                        return;
                    }
                };
            }
            Err(Fault::Gone(message)) => {
                hub.release(&watch);
                watch.fault(&message, true);
                return;
            }
            Err(Fault::Throttled(message)) => {
                backoff = (backoff * 2).min(pacing.max_backoff);
                tracing::warn!(key = %watch.key, ?backoff, "throttled while watching: {message}");
                delay = backoff;
            }
            Err(Fault::Failed(message)) => {
                backoff = (backoff * 2).max(pacing.waiting).min(pacing.max_backoff);
                tracing::warn!(key = %watch.key, ?backoff, "cannot read while watching: {message}");
                watch.fault(&message, false);
                delay = backoff;
            }
        }
    }
}
