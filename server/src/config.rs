//! The serve configuration: command line and environment first, then the `--config` file, then
//! defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use grants::SecretNames;
use ipnet::IpNet;
use serde::Deserialize;

use crate::cli::{BackendChoice, LogFormat, ServeArgs};
use crate::metrics_endpoint::MetricsAccess;
use crate::oidc::OidcSettings;
use crate::public_url::PublicUrl;
pub use crate::trusted_proxy::{ProxySignIn, TrustedProxy};

/// The `--config` file: the same options as the command line, in snake_case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    listen: Option<String>,
    backend: Option<BackendChoice>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    replica_expiry: Option<f64>,
    region: Option<String>,
    emulator_time_scale: Option<f64>,
    emulator_url: Option<String>,
    log_format: Option<LogFormat>,
    secure_cookies: Option<bool>,
    grants: Option<PathBuf>,
    approval_expiry_days: Option<f64>,
    secret_parameters: Option<Vec<String>>,
    trusted_proxies: Option<Vec<String>>,
    proxy_client_header: Option<String>,
    proxy_sign_in: Option<bool>,
    proxy_user_header: Option<String>,
    proxy_groups_header: Option<String>,
    public_url: Option<String>,
    metrics_allow: Option<Vec<String>>,
    metrics_token: Option<String>,
    shutdown_grace: Option<f64>,
    aws_poll_rate: Option<f64>,
    oidc: Option<OidcSettings>,
    notifications: Option<notifications::NotificationsFile>,
    presentation: Option<PresentationFile>,
    schedule_min_interval_seconds: Option<f64>,
}

/// The `[presentation]` table: what presentation mode hides besides account ids and IP and
/// e-mail addresses.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PresentationFile {
    /// Regular expressions; each match is hidden (e.g. instance ids, an internal domain).
    #[serde(default)]
    mask_patterns: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub backend: BackendChoice,
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: String,
    /// How long a replica may miss its heartbeat before the others repair its leftovers.
    pub replica_expiry: std::time::Duration,
    pub region: Option<String>,
    pub emulator_time_scale: f64,
    /// An emulator to use instead of the embedded one.
    pub emulator_url: Option<String>,
    pub log_format: LogFormat,
    /// Mark the session cookie `Secure` (the portal is reached over HTTPS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// Who may run what (see the grants module).
    pub grants: PathBuf,
    /// How long an approval request waits for a decision.
    pub approval_expiry: std::time::Duration,
    /// Which parameters' values are secret.
    pub secrets: SecretNames,
    /// The reverse proxy in front of the portal, if any.
    pub proxy: Option<TrustedProxy>,
    /// Single sign-on with OpenID Connect (the `[oidc]` table of the configuration file).
    pub oidc: Option<OidcSettings>,
    /// Where users reach the portal, when that is not where it listens (behind a proxy).
    pub public_url: Option<PublicUrl>,
    /// Who may read `/metrics`.
    pub metrics: MetricsAccess,
    /// How long a stop waits for requests in flight.
    pub shutdown_grace: std::time::Duration,
    /// How many times a second all live-status watchers together may poll AWS.
    pub aws_poll_rate: f64,
    /// E-mail and webhooks for notifications (the `[notifications]` table).
    pub notifications: std::sync::Arc<notifications::Settings>,
    /// What presentation mode hides (the `[presentation]` table's patterns added).
    pub presentation: std::sync::Arc<domain::masking::Masker>,
    /// The shortest time allowed between two runs of a schedule.
    pub schedule_min_interval: std::time::Duration,
}

fn network(text: &str) -> anyhow::Result<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .with_context(|| {
            format!(
                "--trusted-proxy {text:?} is neither an address nor a network: give one such as \
                 10.0.0.5 or 10.0.0.0/24"
            )
        })
}

fn header(text: String, option: &str) -> anyhow::Result<http::HeaderName> {
    http::HeaderName::try_from(text.trim()).with_context(|| {
        format!("--{option} {text:?} is not a header name: give one such as X-Forwarded-User")
    })
}

impl ServeConfig {
    pub fn resolve(args: ServeArgs) -> anyhow::Result<Self> {
        let file = match &args.config {
            Some(path) => read_file(path)?,
            None => ConfigFile::default(),
        };
        // Read before the fields below are moved out of the options.
        let proxies = if args.trusted_proxies.is_empty() {
            file.trusted_proxies.clone().unwrap_or_default()
        } else {
            args.trusted_proxies.clone()
        };
        let proxy = trusted_proxy(&args, &file, proxies)?;
        let listen = args
            .listen
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:3000".to_owned());
        let listen = listen.parse().with_context(|| {
            format!("--listen {listen:?} is not an address: give host:port, e.g. 127.0.0.1:3000")
        })?;
        let emulator_time_scale = args
            .emulator_time_scale
            .or(file.emulator_time_scale)
            .unwrap_or(1.0);
        if !(emulator_time_scale.is_finite() && emulator_time_scale > 0.0) {
            anyhow::bail!(
                "--emulator-time-scale {emulator_time_scale} must be a positive number (1 is real time)"
            );
        }
        let data_dir = args
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let secret_patterns = if args.secret_parameters.is_empty() {
            file.secret_parameters
        } else {
            Some(args.secret_parameters)
        };
        let secrets = match secret_patterns {
            Some(patterns) => SecretNames::new(patterns).map_err(|e| anyhow::anyhow!("{e}"))?,
            None => SecretNames::default(),
        };
        let database_url = args
            .database_url
            .or(file.database_url)
            .unwrap_or_else(|| format!("sqlite://{}", data_dir.join("portal.db").display()));
        let replica_expiry = args.replica_expiry.or(file.replica_expiry).unwrap_or(30.0);
        if !(replica_expiry.is_finite() && (1.0..=3600.0).contains(&replica_expiry)) {
            anyhow::bail!(
                "--replica-expiry {replica_expiry} must be a number of seconds from 1 to 3600, \
                 such as 30 (well above the replicas' clock skew)"
            );
        }
        let public_url = args
            .public_url
            .or(file.public_url)
            .map(|url| PublicUrl::parse(&url))
            .transpose()?;
        let oidc = file
            .oidc
            .map(|oidc| with_redirect_url(oidc, public_url.as_ref()))
            .transpose()?;
        // Links in messages point where people open the portal.
        let portal_url = match &public_url {
            Some(public) => public.join(""),
            None => format!("http://{listen}"),
        };
        let notifications =
            notifications::Settings::from_file(file.notifications.unwrap_or_default(), &portal_url)
                .map_err(|e| anyhow::anyhow!("the [notifications] table: {e}"))?;
        let presentation =
            domain::masking::Masker::new(&file.presentation.unwrap_or_default().mask_patterns)
                .map_err(|e| anyhow::anyhow!("the [presentation] table's mask_patterns: {e}"))?;
        let metrics_allow = if args.metrics_allow.is_empty() {
            file.metrics_allow
        } else {
            Some(args.metrics_allow)
        };
        let metrics = MetricsAccess::new(
            metrics_allow.map(|allowed| {
                allowed
                    .iter()
                    .map(|a| allowed_network(a))
                    .collect::<anyhow::Result<_>>()
            }),
            args.metrics_token.or(file.metrics_token),
        )?;
        Ok(Self {
            notifications: std::sync::Arc::new(notifications),
            presentation: std::sync::Arc::new(presentation),
            database_url,
            replica_expiry: std::time::Duration::from_secs_f64(replica_expiry),
            secrets,
            proxy,
            oidc,
            metrics,
            shutdown_grace: shutdown_grace(args.shutdown_grace.or(file.shutdown_grace))?,
            aws_poll_rate: aws_poll_rate(args.aws_poll_rate.or(file.aws_poll_rate))?,
            schedule_min_interval: schedule_min_interval(
                args.schedule_min_interval_seconds
                    .or(file.schedule_min_interval_seconds),
            )?,
            listen,
            backend: args
                .backend
                .or(file.backend)
                .unwrap_or(BackendChoice::Emulator),
            grants: args
                .grants
                .or(file.grants)
                .unwrap_or_else(|| data_dir.join("grants.toml")),
            data_dir,
            region: args.region.or(file.region),
            emulator_time_scale,
            emulator_url: args.emulator_url.or(file.emulator_url),
            log_format: args.log_format.or(file.log_format).unwrap_or_default(),
            // Served over https by a proxy: the cookie goes over https only (unless told otherwise).
            secure_cookies: args
                .secure_cookies
                .or(file.secure_cookies)
                .unwrap_or_else(|| public_url.as_ref().is_some_and(PublicUrl::is_https)),
            public_url,
            approval_expiry: approval_expiry(
                args.approval_expiry_days.or(file.approval_expiry_days),
            )?,
        })
    }
}

/// Single sign-on's callback: as configured, or else at the public URL.
fn with_redirect_url(
    mut oidc: OidcSettings,
    public_url: Option<&PublicUrl>,
) -> anyhow::Result<OidcSettings> {
    if oidc.redirect_url.trim().is_empty() {
        let Some(public_url) = public_url else {
            anyhow::bail!(
                "[oidc] needs this portal's callback address as the provider knows it: set \
                 redirect_url = \"https://<the portal's host>{}\" in the [oidc] table, or \
                 --public-url https://<the portal's host> (public_url), which it then defaults to",
                crate::oidc::CALLBACK
            );
        };
        oidc.redirect_url = public_url.join(crate::oidc::CALLBACK);
    }
    Ok(oidc)
}

fn allowed_network(text: &str) -> anyhow::Result<IpNet> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<std::net::IpAddr>().map(IpNet::from))
        .with_context(|| {
            format!(
                "--metrics-allow {text:?} is neither an address nor a network: give one such as \
                 10.0.0.5 or 10.0.0.0/24"
            )
        })
}

/// How long a stop waits for requests in flight, from a number of seconds.
fn shutdown_grace(seconds: Option<f64>) -> anyhow::Result<std::time::Duration> {
    let seconds = seconds.unwrap_or(10.0);
    if !(0.0..=3600.0).contains(&seconds) {
        anyhow::bail!(
            "shutdown_grace is {seconds}: give the seconds a stop waits for requests in flight, \
             from 0 to 3600, such as 10 (a container's stop timeout should be longer)"
        );
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// The live-status watchers' budget of AWS polls per second.
fn aws_poll_rate(per_second: Option<f64>) -> anyhow::Result<f64> {
    let per_second = per_second.unwrap_or(backend::watch::DEFAULT_POLLS_PER_SECOND);
    if !(0.1..=1000.0).contains(&per_second) {
        anyhow::bail!(
            "aws_poll_rate is {per_second}: give how many times a second the live-status \
             watchers may poll AWS together, from 0.1 to 1000, such as 10 (below the account's \
             SSM API rate, which the CLI and other tools share)"
        );
    }
    Ok(per_second)
}

/// The shortest time between two runs of a schedule, from a number of seconds.
fn schedule_min_interval(seconds: Option<f64>) -> anyhow::Result<std::time::Duration> {
    let seconds = seconds.unwrap_or(60.0);
    if !(1.0..=86_400.0).contains(&seconds) {
        anyhow::bail!(
            "schedule_min_interval_seconds is {seconds}: give the shortest time between two runs              of a schedule, from 1 to 86400 seconds, such as 60"
        );
    }
    Ok(std::time::Duration::from_secs_f64(seconds))
}

/// How long approval requests wait, from a number of days (fractions allowed, for tests).
fn approval_expiry(days: Option<f64>) -> anyhow::Result<std::time::Duration> {
    let days = days.unwrap_or(7.0);
    if !(days > 0.0 && days <= 3650.0) {
        anyhow::bail!(
            "approval_expiry_days is {days}: give a number of days above 0 and at most 3650, \
             such as 7"
        );
    }
    Ok(std::time::Duration::from_secs_f64(days * 86_400.0))
}

/// The trusted proxy from its options; header sign-in only when asked for, and only with a proxy.
fn trusted_proxy(
    args: &ServeArgs,
    file: &ConfigFile,
    proxies: Vec<String>,
) -> anyhow::Result<Option<TrustedProxy>> {
    let sign_in = args.proxy_sign_in.or(file.proxy_sign_in).unwrap_or(false);
    let user_header = args
        .proxy_user_header
        .clone()
        .or_else(|| file.proxy_user_header.clone());
    let groups_header = args
        .proxy_groups_header
        .clone()
        .or_else(|| file.proxy_groups_header.clone());
    if proxies.is_empty() {
        if sign_in {
            anyhow::bail!(
                "--proxy-sign-in true needs --trusted-proxy: name the reverse proxy whose user and \
                 group headers sign people in (its address, or its network such as 10.0.0.0/24); \
                 headers from any other address must not sign anyone in"
            );
        }
        return Ok(None);
    }
    if !sign_in && (user_header.is_some() || groups_header.is_some()) {
        anyhow::bail!(
            "--proxy-user-header/--proxy-groups-header are set but header sign-in is off: a trusted \
             proxy no longer signs people in by itself. Add --proxy-sign-in true (proxy_sign_in = \
             true) if the proxy signs people in and replaces any copy of those headers the client \
             sent, or remove those options"
        );
    }
    let client_header = header(
        args.proxy_client_header
            .clone()
            .or_else(|| file.proxy_client_header.clone())
            .unwrap_or_else(|| "X-Forwarded-For".into()),
        "proxy-client-header",
    )?;
    if client_header != http::header::FORWARDED && client_header != "x-forwarded-for" {
        anyhow::bail!(
            "--proxy-client-header {client_header:?}: give X-Forwarded-For (nginx's \
             $proxy_add_x_forwarded_for, most proxies) or Forwarded (RFC 7239)"
        );
    }
    let sign_in = if sign_in {
        Some(ProxySignIn {
            user_header: header(
                user_header.unwrap_or_else(|| "X-Forwarded-User".into()),
                "proxy-user-header",
            )?,
            groups_header: header(
                groups_header.unwrap_or_else(|| "X-Forwarded-Groups".into()),
                "proxy-groups-header",
            )?,
        })
    } else {
        None
    };
    Ok(Some(TrustedProxy {
        networks: proxies
            .iter()
            .map(|p| network(p))
            .collect::<anyhow::Result<_>>()?,
        client_header,
        sign_in,
    }))
}

fn read_file(path: &Path) -> anyhow::Result<ConfigFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| {
        format!(
            "the configuration file {} is not valid (keys: listen, backend, data_dir, database_url, \
             replica_expiry, region, \
             emulator_time_scale, emulator_url, log_format, secure_cookies, grants, approval_expiry_days, \
             secret_parameters, trusted_proxies, proxy_client_header, proxy_sign_in, \
             proxy_user_header, proxy_groups_header, public_url, metrics_allow, metrics_token, \
             shutdown_grace, aws_poll_rate, schedule_min_interval_seconds, an [oidc] table and a \
             [notifications] table)",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    fn write(text: &str) -> (tempdir::Dir, PathBuf) {
        let dir = tempdir::Dir::new();
        let path = dir.path().join("portal.toml");
        std::fs::write(&path, text).expect("write config");
        (dir, path)
    }

    #[test]
    fn the_command_line_wins_over_the_file_and_the_file_over_defaults() {
        let (_dir, path) =
            write("listen = \"127.0.0.1:4000\"\nbackend = \"aws\"\nregion = \"eu-west-1\"\n");
        let config = ServeConfig::resolve(ServeArgs {
            config: Some(path),
            listen: Some("127.0.0.1:5000".into()),
            ..ServeArgs::default()
        })
        .expect("valid configuration");
        assert_eq!(config.listen.port(), 5000);
        assert_eq!(config.backend, BackendChoice::Aws);
        assert_eq!(config.region.as_deref(), Some("eu-west-1"));
        assert_eq!(config.data_dir, PathBuf::from("data"));
    }

    #[test]
    fn an_unknown_key_is_refused_with_the_list_of_keys() {
        let (_dir, path) = write("lisen = \"127.0.0.1:4000\"\n");
        let err = ServeConfig::resolve(ServeArgs {
            config: Some(path),
            ..ServeArgs::default()
        })
        .expect_err("typo is refused");
        let text = format!("{err:#}");
        assert!(
            text.contains("lisen") && text.contains("keys: listen"),
            "{text}"
        );
    }

    #[test]
    fn secret_patterns_and_trusted_proxies_come_from_the_file_or_the_command_line() {
        let (_dir, path) = write(
            "secret_parameters = [\"*Pin\"]\ntrusted_proxies = [\"10.0.0.0/24\", \"127.0.0.2\"]\n",
        );
        let config = ServeConfig::resolve(ServeArgs {
            config: Some(path.clone()),
            ..ServeArgs::default()
        })
        .expect("valid configuration");
        assert!(config.secrets.is_secret("CardPin") && !config.secrets.is_secret("DbPassword"));
        let proxy = config.proxy.expect("a trusted proxy");
        assert!(proxy.trusts("10.0.0.7".parse().expect("an address")));
        assert!(proxy.trusts("::ffff:127.0.0.2".parse().expect("an address")));
        assert!(!proxy.trusts("127.0.0.1".parse().expect("an address")));
        assert_eq!(proxy.client_header, "x-forwarded-for");
        assert!(
            proxy.sign_in.is_none(),
            "trusting a proxy does not sign anyone in"
        );

        let defaults = ServeConfig::resolve(ServeArgs::default()).expect("defaults");
        assert!(defaults.secrets.is_secret("DbPassword") && defaults.proxy.is_none());

        let err = ServeConfig::resolve(ServeArgs {
            trusted_proxies: vec!["proxy.example".into()],
            ..ServeArgs::default()
        })
        .expect_err("a name is not an address");
        assert!(err.to_string().contains("10.0.0.0/24"), "{err}");
    }

    #[test]
    fn header_sign_in_is_its_own_setting_and_needs_a_trusted_proxy() {
        let on = ServeConfig::resolve(ServeArgs {
            trusted_proxies: vec!["127.0.0.1".into()],
            proxy_sign_in: Some(true),
            proxy_user_header: Some("X-Auth-Request-User".into()),
            ..ServeArgs::default()
        })
        .expect("valid configuration");
        let sign_in = on.proxy.and_then(|p| p.sign_in).expect("header sign-in");
        assert_eq!(sign_in.user_header, "x-auth-request-user");
        assert_eq!(sign_in.groups_header, "x-forwarded-groups");

        let err = ServeConfig::resolve(ServeArgs {
            proxy_sign_in: Some(true),
            ..ServeArgs::default()
        })
        .expect_err("no proxy to trust");
        assert!(err.to_string().contains("needs --trusted-proxy"), "{err}");

        // A configuration written when trusting a proxy meant header sign-in says what changed.
        let err = ServeConfig::resolve(ServeArgs {
            trusted_proxies: vec!["127.0.0.1".into()],
            proxy_user_header: Some("X-Forwarded-User".into()),
            ..ServeArgs::default()
        })
        .expect_err("header named, sign-in off");
        assert!(err.to_string().contains("--proxy-sign-in true"), "{err}");
    }

    fn proxy(header: &str) -> TrustedProxy {
        TrustedProxy {
            networks: vec![
                network("10.0.0.0/24").expect("net"),
                network("127.0.0.1").expect("ip"),
            ],
            client_header: http::HeaderName::try_from(header).expect("name"),
            sign_in: None,
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> http::HeaderMap {
        let mut map = http::HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                http::HeaderName::try_from(*name).expect("name"),
                value.parse().expect("value"),
            );
        }
        map
    }

    #[test]
    fn the_client_is_the_right_most_hop_that_is_not_a_trusted_proxy() {
        let p = proxy("X-Forwarded-For");
        let ip = |s: &str| s.parse::<IpAddr>().expect("ip");
        let nginx = ip("127.0.0.1");
        // The client wrote the left part itself: only what the proxies appended counts.
        let forged = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9")]);
        assert_eq!(p.client_address(nginx, &forged), ip("203.0.113.9"));
        let chain = headers(&[
            ("x-forwarded-for", "1.2.3.4"),
            ("x-forwarded-for", "203.0.113.9:5123, 10.0.0.7"),
        ]);
        assert_eq!(p.client_address(nginx, &chain), ip("203.0.113.9"));
        assert_eq!(
            p.client_address(nginx, &headers(&[("x-forwarded-for", "[2001:db8::1]:80")])),
            ip("2001:db8::1")
        );
        // No header, or a hop that is no address: the nearest trusted hop, never a guess.
        assert_eq!(p.client_address(nginx, &headers(&[])), nginx);
        let odd = headers(&[("x-forwarded-for", "198.51.100.1, unknown, 10.0.0.7")]);
        assert_eq!(p.client_address(nginx, &odd), ip("10.0.0.7"));
        // From an address that is not a trusted proxy the header is the client's own claim.
        let direct = ip("198.51.100.20");
        assert_eq!(p.client_address(direct, &forged), direct);
        assert_eq!(
            p.client_address(ip("::ffff:198.51.100.20"), &forged),
            direct
        );

        // Another header (a `Forwarded` the client sent) is not read when the proxy uses this one.
        let other = headers(&[("forwarded", "for=192.0.2.60")]);
        assert_eq!(p.client_address(nginx, &other), nginx);
        let rfc = proxy("Forwarded");
        let forwarded = headers(&[(
            "forwarded",
            "for=1.2.3.4, for=\"[2001:db8:cafe::17]:4711\";proto=https;by=10.0.0.1",
        )]);
        assert_eq!(
            rfc.client_address(nginx, &forwarded),
            ip("2001:db8:cafe::17")
        );
    }

    #[test]
    fn a_public_https_url_makes_the_cookie_secure_and_the_sso_callback() {
        let (_dir, path) = write(
            "public_url = \"https://portal.example.com\"\n[oidc]\nissuer = \"https://id.example\"\n\
             client_id = \"portal\"\n",
        );
        let config = ServeConfig::resolve(ServeArgs {
            config: Some(path.clone()),
            ..ServeArgs::default()
        })
        .expect("valid configuration");
        assert!(config.secure_cookies);
        assert_eq!(
            config.oidc.expect("oidc").redirect_url,
            "https://portal.example.com/login/oidc/callback"
        );
        assert_eq!(
            config.public_url.expect("public url").origin(),
            "https://portal.example.com"
        );
        // An explicit --secure-cookies wins.
        let config = ServeConfig::resolve(ServeArgs {
            config: Some(path),
            secure_cookies: Some(false),
            ..ServeArgs::default()
        })
        .expect("valid configuration");
        assert!(!config.secure_cookies);
        // Without a public URL: today's loopback defaults.
        let defaults = ServeConfig::resolve(ServeArgs::default()).expect("defaults");
        assert!(!defaults.secure_cookies && defaults.public_url.is_none());
        assert_eq!(defaults.shutdown_grace, std::time::Duration::from_secs(10));
        let plain = ServeConfig::resolve(ServeArgs {
            public_url: Some("http://127.0.0.1:8080".into()),
            ..ServeArgs::default()
        })
        .expect("valid configuration");
        assert!(!plain.secure_cookies);
    }

    #[test]
    fn single_sign_on_needs_a_redirect_url_or_a_public_url() {
        let (_dir, path) =
            write("[oidc]\nissuer = \"https://id.example\"\nclient_id = \"portal\"\n");
        let err = ServeConfig::resolve(ServeArgs {
            config: Some(path),
            ..ServeArgs::default()
        })
        .expect_err("no callback address");
        let text = err.to_string();
        assert!(
            text.contains("redirect_url") && text.contains("--public-url"),
            "{text}"
        );
        let err = ServeConfig::resolve(ServeArgs {
            public_url: Some("https://portal.example.com/portal".into()),
            ..ServeArgs::default()
        })
        .expect_err("a path");
        assert!(err.to_string().contains("root of its host"), "{err}");
    }

    #[test]
    fn operators_options_are_checked_with_what_to_give() {
        let err = ServeConfig::resolve(ServeArgs {
            metrics_allow: vec!["monitoring.example".into()],
            ..ServeArgs::default()
        })
        .expect_err("a name");
        assert!(err.to_string().contains("--metrics-allow"), "{err}");
        let err = ServeConfig::resolve(ServeArgs {
            shutdown_grace: Some(-1.0),
            ..ServeArgs::default()
        })
        .expect_err("negative");
        assert!(err.to_string().contains("such as 10"), "{err}");
        let err = ServeConfig::resolve(ServeArgs {
            aws_poll_rate: Some(0.0),
            ..ServeArgs::default()
        })
        .expect_err("no polls at all");
        assert!(err.to_string().contains("from 0.1 to 1000"), "{err}");
        let (_dir, path) =
            write("shutdown_grace = 2.5\naws_poll_rate = 4\nmetrics_allow = [\"10.0.0.0/24\"]\n");
        let config = ServeConfig::resolve(ServeArgs {
            config: Some(path),
            ..ServeArgs::default()
        })
        .expect("valid configuration");
        assert_eq!(
            config.shutdown_grace,
            std::time::Duration::from_millis(2500)
        );
        assert_eq!(config.aws_poll_rate, 4.0);
        let defaults = ServeConfig::resolve(ServeArgs::default()).expect("defaults");
        assert_eq!(defaults.aws_poll_rate, 10.0);
    }

    #[test]
    fn presentation_patterns_are_read_and_checked() {
        let (_dir, path) = write("[presentation]\nmask_patterns = ['i-[0-9a-f]{8,17}']\n");
        let config = ServeConfig::resolve(ServeArgs {
            config: Some(path),
            ..ServeArgs::default()
        })
        .expect("valid configuration");
        assert_eq!(
            config.presentation.mask("on i-0abc1234def567890 now"),
            "on ••• now"
        );
        let (_dir, path) = write("[presentation]\nmask_patterns = ['(']\n");
        let err = ServeConfig::resolve(ServeArgs {
            config: Some(path),
            ..ServeArgs::default()
        })
        .expect_err("not a pattern");
        assert!(
            err.to_string()
                .contains("the [presentation] table's mask_patterns"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_listen_address_says_what_to_give() {
        let err = ServeConfig::resolve(ServeArgs {
            listen: Some("3000".into()),
            ..ServeArgs::default()
        })
        .expect_err("port alone is refused");
        assert!(err.to_string().contains("host:port"), "{err}");
    }

    /// A directory removed when dropped.
    mod tempdir {
        pub struct Dir(std::path::PathBuf);
        impl Dir {
            pub fn new() -> Self {
                let path = std::env::temp_dir().join(format!(
                    "runbook-portal-test-{}-{:?}",
                    std::process::id(),
                    std::thread::current().id()
                ));
                std::fs::create_dir_all(&path).expect("create temp dir");
                Self(path)
            }
            pub fn path(&self) -> &std::path::Path {
                &self.0
            }
        }
        impl Drop for Dir {
            fn drop(&mut self) {
                let _ = std::fs::remove_dir_all(&self.0);
            }
        }
    }
}
