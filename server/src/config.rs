//! The serve configuration: command line and environment first, then the `--config` file, then
//! defaults.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use crate::cli::{BackendChoice, LogFormat, ServeArgs};

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
        Ok(Self {
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
             emulator_time_scale, emulator_url, log_format, secure_cookies, grants)",
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
