//! The command line. Every option can also be set as an environment variable `RUNBOOK_PORTAL_<OPTION>`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use serde::Deserialize;

#[derive(Debug, Parser)]
#[command(
    name = "runbook-portal",
    version,
    about = "A self-service console for AWS Systems Manager Automation",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Options of `serve`, the default command.
    #[command(flatten)]
    pub serve: ServeArgs,
}

// Parsed once at start: the size of `serve`'s options does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the portal (the default).
    Serve(ServeArgs),
    /// Serve the emulator of SSM, IAM, STS and EC2 alone, for the AWS CLI and SDKs.
    Emulator(EmulatorArgs),
    /// Manage the portal's local accounts (in the data directory).
    Users(UsersArgs),
    /// List every route the portal answers (JSON), for audits and the authorisation tests.
    Routes,
    /// Ask a portal whether it is up: exit status 0 on a 2xx answer, else 1 with the reason
    /// (a container's HEALTHCHECK).
    Probe(ProbeArgs),
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// The URL to ask [default: /livez of the address RUNBOOK_PORTAL_LISTEN names, else
    /// http://127.0.0.1:3000/livez]
    pub url: Option<String>,
    /// Give up after this many seconds
    #[arg(long, default_value_t = 5)]
    pub timeout_seconds: u64,
}

#[derive(Debug, Args)]
pub struct UsersArgs {
    /// Directory for the portal's own data [default: ./data]
    #[arg(long, env = "RUNBOOK_PORTAL_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// The configuration file whose data_dir (and database_url) to use
    #[arg(long, env = "RUNBOOK_PORTAL_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// The portal's database [default: sqlite://<data-dir>/portal.db]
    #[arg(long, env = "RUNBOOK_PORTAL_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub action: UsersAction,
}

#[derive(Debug, Subcommand)]
pub enum UsersAction {
    /// Add an account. Without --password-stdin a password is generated and printed once.
    Add {
        name: String,
        /// A group the account belongs to (repeatable); `admins` has every right
        #[arg(long = "group")]
        groups: Vec<String>,
        /// Read the password from standard input (one line)
        #[arg(long)]
        password_stdin: bool,
    },
    /// List the accounts and their groups.
    List,
    /// Remove an account (its sessions end at once: pages at the next request, open live-status
    /// streams within seconds).
    Remove { name: String },
    /// Set an account's password, ending its sessions. Without --password-stdin one is generated
    /// and printed once.
    SetPassword {
        name: String,
        /// Read the password from standard input (one line)
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BackendChoice {
    /// The embedded emulator, started in-process on a loopback port.
    Emulator,
    /// Real AWS, through the standard credential chain, profile and region.
    Aws,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Default, Args)]
pub struct ServeArgs {
    /// Address to serve the portal on [default: 127.0.0.1:3000]
    #[arg(long, env = "RUNBOOK_PORTAL_LISTEN")]
    pub listen: Option<String>,
    /// Where the portal sends its AWS calls [default: emulator]
    #[arg(long, value_enum, env = "RUNBOOK_PORTAL_BACKEND")]
    pub backend: Option<BackendChoice>,
    /// Directory for the portal's own data [default: ./data]
    #[arg(long, env = "RUNBOOK_PORTAL_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// A TOML file with any of these options; the command line and environment win over it.
    #[arg(long, env = "RUNBOOK_PORTAL_CONFIG")]
    pub config: Option<PathBuf>,
    /// The portal's database: sqlite://<file>, or postgres://<user>:<password>@<host>/<database>
    /// for several replicas sharing one [default: sqlite://<data-dir>/portal.db]
    #[arg(long, env = "RUNBOOK_PORTAL_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Seconds without a heartbeat after which a replica counts as gone and its unfinished work
    /// is repaired by the others [default: 30]
    #[arg(long, env = "RUNBOOK_PORTAL_REPLICA_EXPIRY")]
    pub replica_expiry: Option<f64>,
    /// AWS region [default: the AWS configuration's region; us-east-1 on the emulator]
    #[arg(long, env = "RUNBOOK_PORTAL_REGION")]
    pub region: Option<String>,
    /// How many times faster than real time the embedded emulator's clock runs [default: 1]
    #[arg(long, env = "RUNBOOK_PORTAL_EMULATOR_TIME_SCALE")]
    pub emulator_time_scale: Option<f64>,
    /// With --backend emulator: use the emulator at this URL (e.g. one started with
    /// `runbook-portal emulator`, which the AWS CLI can share) instead of an embedded one
    #[arg(long, env = "RUNBOOK_PORTAL_EMULATOR_URL")]
    pub emulator_url: Option<String>,
    /// Log format [default: text]
    #[arg(long, value_enum, env = "RUNBOOK_PORTAL_LOG_FORMAT")]
    pub log_format: Option<LogFormat>,
    /// Mark the session cookie Secure (set it when users reach the portal over HTTPS) [default:
    /// false; true with an https --public-url]
    #[arg(long, env = "RUNBOOK_PORTAL_SECURE_COOKIES")]
    pub secure_cookies: Option<bool>,
    /// The grants file (TOML), read again when it changes or on SIGHUP [default: <data-dir>/grants.toml]
    #[arg(long, env = "RUNBOOK_PORTAL_GRANTS")]
    pub grants: Option<PathBuf>,
    /// Days an approval request waits for a decision before it expires [default: 7]
    #[arg(long, env = "RUNBOOK_PORTAL_APPROVAL_EXPIRY_DAYS")]
    pub approval_expiry_days: Option<f64>,
    /// A parameter-name pattern (* and ?, any case) whose values are secret: masked in pages,
    /// exports and logs. Repeat it, or separate with commas; replaces the default list
    /// (*Password*, *Passwd*, *Secret*, *Token*, *Credential*, *PrivateKey*, *Private_Key*, *ApiKey*)
    #[arg(
        long = "secret-parameter",
        env = "RUNBOOK_PORTAL_SECRET_PARAMETERS",
        value_delimiter = ','
    )]
    pub secret_parameters: Vec<String>,
    /// A reverse proxy in front of the portal (an address or a network such as 10.0.0.0/24): the
    /// client's address is read from the header it adds (--proxy-client-header) on connections
    /// from it. Repeat it, or separate with commas
    #[arg(
        long = "trusted-proxy",
        env = "RUNBOOK_PORTAL_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
    /// The header a trusted proxy adds the client's address to: X-Forwarded-For, or Forwarded
    /// (RFC 7239) [default: X-Forwarded-For]
    #[arg(long, env = "RUNBOOK_PORTAL_PROXY_CLIENT_HEADER")]
    pub proxy_client_header: Option<String>,
    /// Sign people in by the user and group headers of a trusted proxy (one that signs them in and
    /// sets those headers itself, replacing any copy the client sent) [default: false]
    #[arg(long, env = "RUNBOOK_PORTAL_PROXY_SIGN_IN")]
    pub proxy_sign_in: Option<bool>,
    /// With --proxy-sign-in: the header the proxy names the user in [default: X-Forwarded-User]
    #[arg(long, env = "RUNBOOK_PORTAL_PROXY_USER_HEADER")]
    pub proxy_user_header: Option<String>,
    /// With --proxy-sign-in: the header the proxy lists the user's groups in, comma-separated
    /// [default: X-Forwarded-Groups]
    #[arg(long, env = "RUNBOOK_PORTAL_PROXY_GROUPS_HEADER")]
    pub proxy_groups_header: Option<String>,
    /// The address users reach the portal at, e.g. https://portal.example.com behind a proxy that
    /// terminates TLS: browsers' Origin is checked against it, the session cookie is Secure when it
    /// is https, and single sign-on's redirect URL defaults to <public-url>/login/oidc/callback
    #[arg(long, env = "RUNBOOK_PORTAL_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Clients (an address or a network, after --trusted-proxy resolution) that may read /metrics
    /// without a token. Repeat it, or separate with commas [default: 127.0.0.0/8, ::1]
    #[arg(
        long = "metrics-allow",
        env = "RUNBOOK_PORTAL_METRICS_ALLOW",
        value_delimiter = ','
    )]
    pub metrics_allow: Vec<String>,
    /// A bearer token that lets any client read /metrics (`Authorization: Bearer <token>`); better
    /// given in the environment than on the command line
    #[arg(long, env = "RUNBOOK_PORTAL_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Seconds the portal waits on SIGTERM or ctrl-c for requests in flight before it exits
    /// anyway (live-status streams are told to reconnect elsewhere at once) [default: 10]
    #[arg(long, env = "RUNBOOK_PORTAL_SHUTDOWN_GRACE")]
    pub shutdown_grace: Option<f64>,
    /// How many times a second the live-status watchers may poll AWS, all together: past it
    /// they slow down in turn instead of throttling the account for its other users [default: 10]
    #[arg(long, env = "RUNBOOK_PORTAL_AWS_POLL_RATE")]
    pub aws_poll_rate: Option<f64>,
    /// The shortest time allowed between two runs of a schedule, in seconds [default: 60]
    #[arg(long, env = "RUNBOOK_PORTAL_SCHEDULE_MIN_INTERVAL_SECONDS")]
    pub schedule_min_interval_seconds: Option<f64>,
}

#[derive(Debug, Clone, Args)]
pub struct EmulatorArgs {
    /// Address to serve the emulator on
    #[arg(
        long,
        env = "RUNBOOK_PORTAL_EMULATOR_LISTEN",
        default_value = "127.0.0.1:4566"
    )]
    pub listen: String,
    /// A host name requests may be addressed to besides IP addresses and localhost, e.g. a
    /// container's service name (repeatable). Others are refused: any caller is Administrator
    #[arg(
        long = "allowed-host",
        env = "RUNBOOK_PORTAL_EMULATOR_ALLOWED_HOSTS",
        value_delimiter = ','
    )]
    pub allowed_hosts: Vec<String>,
    /// How many times faster than real time the emulator's clock runs
    #[arg(
        long,
        env = "RUNBOOK_PORTAL_EMULATOR_TIME_SCALE",
        default_value_t = 1.0
    )]
    pub time_scale: f64,
    /// A directory of seed files replacing the built-in ones
    #[arg(long, env = "RUNBOOK_PORTAL_EMULATOR_SEED")]
    pub seed: Option<PathBuf>,
    /// The region of unsigned requests
    #[arg(long, env = "RUNBOOK_PORTAL_REGION", default_value = "us-east-1")]
    pub region: String,
    /// Turn on fault injection: throttling, errors, latency and lost answers on demand, set at
    /// /_emulator/faults (off by default: that control then answers 404)
    #[arg(long, env = "RUNBOOK_PORTAL_EMULATOR_FAULT_INJECTION")]
    pub fault_injection: bool,
    /// A YAML (or JSON) list of fault rules in force from the start; turns fault injection on
    #[arg(long, env = "RUNBOOK_PORTAL_EMULATOR_FAULTS")]
    pub faults: Option<PathBuf>,
    /// Log format
    #[arg(
        long,
        value_enum,
        env = "RUNBOOK_PORTAL_LOG_FORMAT",
        default_value = "text"
    )]
    pub log_format: LogFormat,
}
