//! The serve configuration: command line and environment first, then the `--config` file, then
//! defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use grants::SecretNames;
use ipnet::IpNet;
use serde::Deserialize;

use crate::cli::{BackendChoice, LogFormat, ServeArgs};
use crate::oidc::OidcSettings;

/// The `--config` file: the same options as the command line, in snake_case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    listen: Option<String>,
    backend: Option<BackendChoice>,
    data_dir: Option<PathBuf>,
    region: Option<String>,
    emulator_time_scale: Option<f64>,
    emulator_url: Option<String>,
    log_format: Option<LogFormat>,
    secure_cookies: Option<bool>,
    grants: Option<PathBuf>,
    secret_parameters: Option<Vec<String>>,
    trusted_proxies: Option<Vec<String>>,
    proxy_user_header: Option<String>,
    proxy_groups_header: Option<String>,
    oidc: Option<OidcSettings>,
}

#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub listen: SocketAddr,
    pub backend: BackendChoice,
    pub data_dir: PathBuf,
    pub region: Option<String>,
    pub emulator_time_scale: f64,
    /// An emulator to use instead of the embedded one.
    pub emulator_url: Option<String>,
    pub log_format: LogFormat,
    /// Mark the session cookie `Secure` (the portal is reached over HTTPS, e.g. behind a proxy).
    pub secure_cookies: bool,
    /// Who may run what (see the grants module).
    pub grants: PathBuf,
    /// Which parameters' values are secret.
    pub secrets: SecretNames,
    /// Signing in by a reverse proxy's headers, if any proxy is trusted.
    pub proxy: Option<TrustedProxy>,
    /// Single sign-on with OpenID Connect (the `[oidc]` table of the configuration file).
    pub oidc: Option<OidcSettings>,
}

/// A reverse proxy that signs users in: its addresses and the headers it sets.
#[derive(Debug, Clone)]
pub struct TrustedProxy {
    pub networks: Vec<IpNet>,
    pub user_header: http::HeaderName,
    pub groups_header: http::HeaderName,
}

impl TrustedProxy {
    pub fn trusts(&self, address: std::net::IpAddr) -> bool {
        let address = match address {
            std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, std::net::IpAddr::V4),
            v4 => v4,
        };
        self.networks.iter().any(|n| n.contains(&address))
    }
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
        let proxies = if args.trusted_proxies.is_empty() {
            file.trusted_proxies.unwrap_or_default()
        } else {
            args.trusted_proxies
        };
        let proxy = if proxies.is_empty() {
            None
        } else {
            Some(TrustedProxy {
                networks: proxies
                    .iter()
                    .map(|p| network(p))
                    .collect::<anyhow::Result<_>>()?,
                user_header: header(
                    args.proxy_user_header
                        .or(file.proxy_user_header)
                        .unwrap_or_else(|| "X-Forwarded-User".into()),
                    "proxy-user-header",
                )?,
                groups_header: header(
                    args.proxy_groups_header
                        .or(file.proxy_groups_header)
                        .unwrap_or_else(|| "X-Forwarded-Groups".into()),
                    "proxy-groups-header",
                )?,
            })
        };
        Ok(Self {
            secrets,
            proxy,
            oidc: file.oidc,
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
            secure_cookies: args.secure_cookies.or(file.secure_cookies).unwrap_or(false),
        })
    }
}

fn read_file(path: &Path) -> anyhow::Result<ConfigFile> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the configuration file {}", path.display()))?;
    toml::from_str(&text).with_context(|| {
        format!(
            "the configuration file {} is not valid (keys: listen, backend, data_dir, region, \
             emulator_time_scale, emulator_url, log_format, secure_cookies, grants, \
             secret_parameters, trusted_proxies, proxy_user_header, proxy_groups_header, \
             and an [oidc] table)",
            path.display()
        )
    })
}

#[cfg(test)]
mod tests {
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
        assert_eq!(proxy.user_header, "x-forwarded-user");

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
