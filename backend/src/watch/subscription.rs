//! One viewer's place in a watcher's frames.

use std::collections::VecDeque;
use std::sync::{Arc, Weak};

use tokio::sync::broadcast::{self, error::RecvError};

use super::watcher::Watch;
use super::{Frame, Source};

/// The frames of one key for one viewer: first what it missed, then each change as it comes.
/// Dropping it is how a viewer leaves (the watcher stops once nobody is left).
pub struct Subscription<S: Source> {
    pending: VecDeque<Arc<Frame>>,
    receiver: broadcast::Receiver<Arc<Frame>>,
    watch: Weak<Watch<S>>,
    source: Arc<S>,
    ended: bool,
}

impl<S: Source> Subscription<S> {
    pub(super) fn new(
        backlog: Vec<Arc<Frame>>,
        receiver: broadcast::Receiver<Arc<Frame>>,
        watch: Weak<Watch<S>>,
        source: Arc<S>,
    ) -> Self {
        Self {
            pending: backlog.into(),
            receiver,
            watch,
            source,
            ended: false,
        }
    }

    /// The next frame; `None` after the end frame.
    pub async fn next(&mut self) -> Option<Arc<Frame>> {
        if self.ended {
            return None;
        }
        let frame = match self.pending.pop_front() {
            Some(frame) => frame,
            None => loop {
                match self.receiver.recv().await {
                    Ok(frame) => break frame,
                    // Too far behind: start again from the whole state.
                    Err(RecvError::Lagged(_)) => {
                        let whole = self
                            .watch
                            .upgrade()
                            .map(|w| w.resync(&self.source))
                            .unwrap_or_default();
                        self.pending.extend(whole);
                        if let Some(frame) = self.pending.pop_front() {
                            break frame;
                        }
                    }
                    Err(RecvError::Closed) => return None,
                }
            },
        };
        self.ended = frame.is_end();
        Some(frame)
    }
}
