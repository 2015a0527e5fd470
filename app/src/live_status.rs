//! Live status in the browser: the EventSource that follows a stream of an execution's events
//! (the server's watchers are the service layer's, `portal::follow`).
//! Streams: `/api/executions/<id>/events` (one execution, every change) and
//! `/api/executions/events?ids=<id>,<id>…` (summaries of several, for the executions list).

#[cfg(feature = "hydrate")]
mod follow;

#[cfg(feature = "hydrate")]
pub use follow::{follow, follow_while_shown, Follow};

/// The stream of one execution's events.
pub fn execution_stream(id: &str) -> String {
    format!("/api/executions/{id}/events")
}

/// The stream of several executions' summaries.
pub fn executions_stream(ids: &[String]) -> String {
    format!("/api/executions/events?ids={}", ids.join(","))
}

/// The state of a page's live connection, shown next to its title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// Not hydrated (JavaScript off), or nothing to follow.
    Off,
    Connecting,
    Live,
    /// Lost; the browser is retrying.
    Retrying,
    /// Everything followed has finished.
    Ended,
}

impl Connection {
    pub fn label(self) -> &'static str {
        match self {
            Self::Off => "",
            Self::Connecting => "Connecting…",
            Self::Live => "Live",
            Self::Retrying => "Reconnecting…",
            Self::Ended => "Final",
        }
    }

    pub fn attr(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Connecting => "connecting",
            Self::Live => "live",
            Self::Retrying => "retrying",
            Self::Ended => "ended",
        }
    }
}
