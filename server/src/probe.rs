//! `runbook-portal probe [URL]`: one GET, exit status 0 on a 2xx answer, for a container's
//! HEALTHCHECK (the slim image has no curl or wget).

use std::time::Duration;

use anyhow::{bail, Context};

use crate::cli::ProbeArgs;

/// The address `serve` listens on when nothing says otherwise.
const DEFAULT_LISTEN: &str = "127.0.0.1:3000";
/// The path that answers while the process is up, whatever AWS and the database are doing.
const LIVENESS_PATH: &str = "/livez";

/// Asks `URL` once; an error (printed by `main`, exit status 1) says what answered, or why nothing did.
pub async fn run(args: ProbeArgs) -> anyhow::Result<()> {
    let listen = std::env::var("RUNBOOK_PORTAL_LISTEN").ok();
    let url = args
        .url
        .unwrap_or_else(|| default_url(listen.as_deref().unwrap_or(DEFAULT_LISTEN)));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(args.timeout_seconds))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .context("cannot set up the HTTP client")?;
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("{url} did not answer: {}", describe(&e)))?;
    let status = response.status();
    if !status.is_success() {
        bail!("{url} answered {status}, not 2xx");
    }
    Ok(())
}

/// The liveness URL of the portal listening on `listen` (`RUNBOOK_PORTAL_LISTEN`, so the probe
/// follows a container whose port was changed by that variable). A wildcard address is reached
/// on loopback.
fn default_url(listen: &str) -> String {
    let (host, port) = listen.rsplit_once(':').unwrap_or((listen, "3000"));
    let host = match host {
        "0.0.0.0" | "" => "127.0.0.1",
        "[::]" => "[::1]",
        other => other,
    };
    format!("http://{host}:{port}{LIVENESS_PATH}")
}

/// reqwest's error with its causes (a refused connection is only in the innermost one).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    if error.is_timeout() {
        text.push_str(" (timed out)");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::default_url;

    #[test]
    fn the_default_url_is_the_liveness_path_of_the_listen_address() {
        assert_eq!(default_url("127.0.0.1:3000"), "http://127.0.0.1:3000/livez");
        assert_eq!(default_url("0.0.0.0:8080"), "http://127.0.0.1:8080/livez");
        assert_eq!(default_url("[::]:3000"), "http://[::1]:3000/livez");
        assert_eq!(default_url("10.1.2.3:3000"), "http://10.1.2.3:3000/livez");
    }
}
