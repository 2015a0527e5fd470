//! What the benches share: a portal process of their own on the emulator, signed in to over plain
//! HTTP, and an SSM client of the emulator.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const BIN: &str = env!("CARGO_BIN_EXE_runbook-portal");

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A one-shot request to `host` (`127.0.0.1:port`); the whole answer, empty when nothing listens.
pub async fn exchange(host: &str, request: String) -> String {
    let Ok(mut stream) = TcpStream::connect(host).await else {
        return String::new();
    };
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    let _ = tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut answer).await;
    answer
}

/// `GET path` of `base` (`127.0.0.1:port`, or with `http://`).
pub async fn http_get(base: &str, path: &str) -> String {
    let host = base.trim_start_matches("http://");
    exchange(
        host,
        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
    )
    .await
}

/// The portal under test, serving on `host` with the data directory `data`, and the session
/// cookie of its account `bench` (an admin).
pub struct BenchPortal {
    pub host: String,
    pub cookie: String,
    pub process: Child,
    data: PathBuf,
}

const ACCOUNT: &str = "bench";
/// Nothing in it that a form would encode.
const PASSWORD: &str = "bench-password-of-the-portal";

impl BenchPortal {
    /// Adds the account, starts `runbook-portal serve` on the emulator at `emulator`, waits until
    /// it is ready and signs in.
    pub async fn start(emulator: &str, name: &str) -> Self {
        Self::start_with(emulator, name, &[]).await
    }

    /// As [`BenchPortal::start`], with more `serve` options.
    pub async fn start_with(emulator: &str, name: &str, options: &[&str]) -> Self {
        let data = data_dir(name);
        add_account(&data, None);
        Self::serve(emulator, data, options).await
    }

    /// A replica on the shared database at `database` (PostgreSQL), which must already have the
    /// account (see [`add_account_to`]).
    #[allow(dead_code)] // Only the benches of replicas start them.
    pub async fn replica(emulator: &str, name: &str, database: &str, options: &[&str]) -> Self {
        let options = [&["--database-url", database][..], options].concat();
        Self::serve(emulator, data_dir(name), &options).await
    }

    async fn serve(emulator: &str, data: PathBuf, options: &[&str]) -> Self {
        let host = format!("127.0.0.1:{}", free_port());
        let process = Command::new(BIN)
            .args(["serve", "--listen", &host, "--emulator-url", emulator])
            .arg("--data-dir")
            .arg(&data)
            .args(options)
            // The sample grants' advice is printed once per start: not a figure.
            .env("RUST_LOG", "warn,runbook_portal::grants_file=error")
            .spawn()
            .expect("the portal starts");
        for _ in 0..200 {
            if http_get(&host, "/readyz").await.starts_with("HTTP/1.1 200") {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let cookie = sign_in(&host).await;
        Self {
            host,
            cookie,
            process,
            data,
        }
    }

    /// Waits for the process to exit on its own, then removes its data.
    #[allow(dead_code)] // Each bench ends its portal one of these two ways.
    pub fn exit_status(mut self) -> std::process::ExitStatus {
        let status = self.process.wait().expect("the portal exits");
        let _ = std::fs::remove_dir_all(&self.data);
        status
    }

    /// Stops the process (if it still runs) and removes its data.
    #[allow(dead_code)]
    pub fn remove(mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// A data directory of the bench's own (a new one per replica).
fn data_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "{name}-bench-{}-{}",
        std::process::id(),
        free_port()
    ))
}

/// Adds the bench's account to the shared database at `database`, for its replicas.
#[allow(dead_code)]
pub fn add_account_to(database: &str) {
    let data = data_dir("accounts");
    add_account(&data, Some(database));
    let _ = std::fs::remove_dir_all(&data);
}

fn add_account(data: &Path, database: Option<&str>) {
    let mut add = Command::new(BIN)
        .args([
            "users",
            "add",
            ACCOUNT,
            "--group",
            "admins",
            "--password-stdin",
        ])
        .arg("--data-dir")
        .arg(data)
        .args(
            database
                .map(|url| ["--database-url", url])
                .into_iter()
                .flatten(),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("users add");
    {
        use std::io::Write;
        let stdin = add.stdin.as_mut().expect("stdin");
        writeln!(stdin, "{PASSWORD}").expect("password");
    }
    assert!(add.wait().expect("users add").success(), "users add failed");
}

/// Signs in with the form (a plain post, as the sign-in page makes) and answers the cookie.
async fn sign_in(host: &str) -> String {
    let body = format!("name={ACCOUNT}&password={PASSWORD}&next=%2Fautomation");
    let answer = exchange(
        host,
        format!(
            "POST /session HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
    .await;
    answer
        .lines()
        .find_map(|line| {
            // Header names are case-insensitive; the cookie's value is not.
            let (name, value) = line.split_once(':')?;
            let value = value.trim();
            (name.eq_ignore_ascii_case("set-cookie")
                && value.starts_with("runbook_portal_session="))
            .then(|| value.split(';').next().map(str::to_owned))
            .flatten()
        })
        .expect("signed in")
}

/// An emulator of the benches' own, serving on a loopback port until dropped.
pub async fn emulator() -> emulator::RunningEmulator {
    emulator::Emulator::new(emulator::EmulatorConfig::default())
        .expect("the emulator")
        .start_on_loopback()
        .await
        .expect("the emulator starts")
}

/// An SSM client of the emulator at `endpoint`, with its example credentials.
pub async fn ssm(endpoint: &str) -> aws_sdk_ssm::Client {
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "bench",
        ))
        .endpoint_url(endpoint)
        .load()
        .await;
    aws_sdk_ssm::Client::new(&config)
}

/// A new, empty database on the PostgreSQL server that `scripts/with-postgres` started for this
/// run (`PORTAL_TEST_POSTGRES`); `None` when there is none.
#[allow(dead_code)]
pub fn postgres_database(name: &str) -> Option<String> {
    let server = std::env::var("PORTAL_TEST_POSTGRES").ok()?;
    let database = format!("{name}_{}", std::process::id());
    let created = Command::new("psql")
        .args([
            server.as_str(),
            "-q",
            "-c",
            &format!("CREATE DATABASE {database}"),
        ])
        .status()
        .expect("psql runs");
    assert!(created.success(), "CREATE DATABASE {database} failed");
    let (base, _) = server.rsplit_once('/').expect("a database URL");
    Some(format!("{base}/{database}"))
}
