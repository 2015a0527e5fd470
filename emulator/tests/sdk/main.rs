//! The emulator driven through the official AWS SDK for Rust: its deserialisers are the contract.

mod automation;
mod bad_requests;
mod documents;
mod ec2;
mod engine;
mod faults;
mod iam;
mod modes;
mod sts;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use emulator::{Emulator, EmulatorConfig, RunningEmulator};

/// A fresh emulator on a loopback port, and SDK configuration pointing at it.
pub struct TestEmulator {
    pub running: RunningEmulator,
    pub config: SdkConfig,
}

impl TestEmulator {
    pub async fn start() -> Self {
        Self::start_as("AKIAIOSFODNN7EXAMPLE").await
    }

    /// Signs every request with `access_key`, which selects the calling principal.
    pub async fn start_as(access_key: &str) -> Self {
        Self::start_with(access_key, 1.0).await
    }

    /// An emulator whose clock runs `time_scale` times faster than real time.
    pub async fn start_scaled(time_scale: f64) -> Self {
        Self::start_with("AKIAIOSFODNN7EXAMPLE", time_scale).await
    }

    async fn start_with(access_key: &str, time_scale: f64) -> Self {
        Self::start_configured(
            access_key,
            EmulatorConfig {
                time_scale,
                ..EmulatorConfig::default()
            },
        )
        .await
    }

    pub async fn start_configured(access_key: &str, emulator: EmulatorConfig) -> Self {
        let running = Emulator::new(emulator)
            .expect("the built-in seed loads")
            .start_on_loopback()
            .await
            .expect("the emulator starts");
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(access_key, "secret", None, None, "test"))
            .endpoint_url(running.endpoint_url())
            .load()
            .await;
        Self { running, config }
    }

    /// SDK configuration signing as `access_key`, against this emulator.
    pub async fn config_for(&self, access_key: &str) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(access_key, "secret", None, None, "test"))
            .endpoint_url(self.running.endpoint_url())
            .load()
            .await
    }

    /// Prometheus text from `/_emulator/metrics`.
    pub async fn metrics(&self) -> String {
        let url = format!("{}/_emulator/metrics", self.running.endpoint_url());
        raw_get(&url).await
    }
}

/// The AWS error code and message of a failed SDK call.
pub fn code_and_message<E, R>(err: &aws_sdk_ssm::error::SdkError<E, R>) -> (String, String)
where
    E: aws_sdk_ssm::error::ProvideErrorMetadata + std::fmt::Debug,
    R: std::fmt::Debug,
{
    let service = err
        .as_service_error()
        .unwrap_or_else(|| panic!("expected an AWS error, got {err:?}"));
    (
        service.code().unwrap_or_default().to_owned(),
        service.message().unwrap_or_default().to_owned(),
    )
}

/// A bare HTTP/1.1 GET over a TCP stream: enough for the emulator's own text endpoints.
pub async fn raw_get(url: &str) -> String {
    raw_request(url, "GET", &[], "").await
}

pub async fn raw_request(url: &str, method: &str, headers: &[(&str, &str)], body: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(h, p)| (h, format!("/{p}")));
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    // The server may answer (413) and close before reading an oversized body.
    let _ = stream.write_all(request.as_bytes()).await;
    let mut answer = String::new();
    let mut bytes = Vec::new();
    let _ = stream.read_to_end(&mut bytes).await;
    answer.push_str(&String::from_utf8_lossy(&bytes));
    answer
}
