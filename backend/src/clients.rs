use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use tokio::sync::OnceCell;

use crate::call_metrics::CallMetrics;
use crate::identity::CallerIdentity;

/// Where the SDK clients point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BackendKind {
    /// The embedded (or a standalone) emulator at this URL.
    Emulator { endpoint_url: String },
    /// Real AWS, reached through the standard credential chain, profile and region.
    Aws,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(
        "no AWS region is configured: set AWS_REGION or a region in your AWS profile, \
         or run with --backend emulator"
    )]
    NoRegion,
    #[error("AWS did not answer {operation}: {message}")]
    Call {
        operation: &'static str,
        message: String,
    },
}

/// The SDK clients the portal uses, all acting as the server's own identity.
#[derive(Debug)]
pub struct Backend {
    pub kind: BackendKind,
    pub region: String,
    pub ssm: aws_sdk_ssm::Client,
    pub iam: aws_sdk_iam::Client,
    pub sts: aws_sdk_sts::Client,
    pub ec2: aws_sdk_ec2::Client,
    identity: OnceCell<CallerIdentity>,
}

/// The credentials the portal signs emulator requests with (the emulator's default principal).
const EMULATOR_ACCESS_KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const EMULATOR_SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// No call waits for ever: an answer that hangs becomes a timeout, which the SDK retries and a
/// start asks again about with its ClientToken.
fn timeouts() -> aws_config::timeout::TimeoutConfig {
    aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(std::time::Duration::from_secs(5))
        .operation_attempt_timeout(std::time::Duration::from_secs(30))
        .build()
}

impl Backend {
    /// Clients for the emulator at `endpoint_url`, in `region`.
    pub async fn emulator(endpoint_url: &str, region: &str) -> Self {
        let config = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .credentials_provider(Credentials::new(
                EMULATOR_ACCESS_KEY,
                EMULATOR_SECRET_KEY,
                None,
                None,
                "runbook-portal-emulator",
            ))
            .endpoint_url(endpoint_url)
            .timeout_config(timeouts())
            .load()
            .await;
        Self::from_config(
            &config,
            BackendKind::Emulator {
                endpoint_url: endpoint_url.to_owned(),
            },
        )
    }

    /// Clients for real AWS from the standard configuration (environment, profile, instance role;
    /// `AWS_ENDPOINT_URL` is honoured). `region` overrides the configured region.
    pub async fn aws(region: Option<String>) -> Result<Self, BackendError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeouts());
        if let Some(region) = region {
            loader = loader.region(Region::new(region));
        }
        let config = loader.load().await;
        if config.region().is_none() {
            return Err(BackendError::NoRegion);
        }
        Ok(Self::from_config(&config, BackendKind::Aws))
    }

    fn from_config(config: &SdkConfig, kind: BackendKind) -> Self {
        Self {
            kind,
            region: config.region().map(ToString::to_string).unwrap_or_default(),
            // Every call counted in the metrics, whoever makes it.
            ssm: aws_sdk_ssm::Client::from_conf(
                aws_sdk_ssm::config::Builder::from(config)
                    .interceptor(CallMetrics)
                    .build(),
            ),
            iam: aws_sdk_iam::Client::from_conf(
                aws_sdk_iam::config::Builder::from(config)
                    .interceptor(CallMetrics)
                    .build(),
            ),
            sts: aws_sdk_sts::Client::from_conf(
                aws_sdk_sts::config::Builder::from(config)
                    .interceptor(CallMetrics)
                    .build(),
            ),
            ec2: aws_sdk_ec2::Client::from_conf(
                aws_sdk_ec2::config::Builder::from(config)
                    .interceptor(CallMetrics)
                    .build(),
            ),
            identity: OnceCell::new(),
        }
    }

    pub fn is_emulator(&self) -> bool {
        matches!(self.kind, BackendKind::Emulator { .. })
    }

    /// Who the server acts as. Asked once; a failure is not remembered, so the next call retries.
    pub async fn caller_identity(&self) -> Result<CallerIdentity, BackendError> {
        self.identity
            .get_or_try_init(|| self.ask_caller_identity())
            .await
            .cloned()
    }

    /// Asks STS now, bypassing the remembered answer: the health check.
    pub async fn ask_caller_identity(&self) -> Result<CallerIdentity, BackendError> {
        let answer =
            self.sts
                .get_caller_identity()
                .send()
                .await
                .map_err(|e| BackendError::Call {
                    operation: "sts:GetCallerIdentity",
                    message: aws_sdk_sts::error::DisplayErrorContext(e).to_string(),
                })?;
        Ok(CallerIdentity {
            account: answer.account.unwrap_or_default(),
            arn: answer.arn.unwrap_or_default(),
            user_id: answer.user_id.unwrap_or_default(),
        })
    }
}
