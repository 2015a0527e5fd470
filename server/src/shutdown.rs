/// Completes on ctrl-c or SIGTERM, so in-flight requests finish before the process exits.
pub async fn signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// Whether the portal is stopping: told to everything that would otherwise keep a connection
/// open for ever (live-status streams).
#[derive(Debug, Clone)]
pub struct Stopping(tokio::sync::watch::Receiver<bool>);

/// Says the portal is stopping, once.
pub struct Stop(tokio::sync::watch::Sender<bool>);

pub fn stopping() -> (Stop, Stopping) {
    let (sender, receiver) = tokio::sync::watch::channel(false);
    (Stop(sender), Stopping(receiver))
}

impl Stop {
    pub fn now(&self) {
        self.0.send_replace(true);
    }
}

impl Stopping {
    pub fn is_stopping(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once the portal is stopping (never, if nobody can say so any more).
    pub async fn wait(mut self) {
        if self.0.wait_for(|stopping| *stopping).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

/// Runs `serving` (a server shutting down gracefully on the same signal) to its end, or until
/// `grace` after the portal began stopping, whichever comes first: a request that hangs does not
/// keep the process from exiting.
pub async fn within_grace<F, E>(
    serving: F,
    stopping: Stopping,
    grace: std::time::Duration,
) -> Result<(), E>
where
    F: std::future::Future<Output = Result<(), E>>,
{
    let deadline = async move {
        stopping.wait().await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        served = serving => served,
        () = deadline => {
            tracing::warn!(
                grace_seconds = grace.as_secs_f64(),
                "requests still in flight at the end of the shutdown grace period: exiting anyway"
            );
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn a_hanging_request_is_given_the_grace_period_and_no_more() {
        let (stop, stopping) = stopping();
        let hanging = std::future::pending::<Result<(), ()>>();
        let started = std::time::Instant::now();
        stop.now();
        within_grace(hanging, stopping, Duration::from_millis(200))
            .await
            .expect("exits");
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(200) && took < Duration::from_secs(2),
            "{took:?}"
        );
    }

    #[tokio::test]
    async fn the_grace_period_begins_at_the_stop_not_before() {
        let (stop, stopping) = stopping();
        let started = std::time::Instant::now();
        let served = async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            stop.now();
            // A stream that never ends on its own.
            std::future::pending::<Result<(), ()>>().await
        };
        within_grace(served, stopping.clone(), Duration::from_millis(100))
            .await
            .expect("exits");
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(400) && took < Duration::from_secs(2),
            "{took:?}"
        );
        assert!(stopping.is_stopping());
    }
}
