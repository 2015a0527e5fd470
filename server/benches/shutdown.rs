//! Graceful shutdown under load: the portal with 1,000 open live-status streams gets SIGTERM;
//! prints how long until every stream was ended (each with its `retry:` hint) and until the
//! process exited. Prints figures; run with `make bench`.

use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_sdk_ssm::types::ExecutionMode;
use emulator::{Emulator, EmulatorConfig};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

const STREAMS: usize = 1_000;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A one-shot request; the whole answer.
async fn exchange(host: &str, request: String) -> String {
    let Ok(mut stream) = TcpStream::connect(host).await else {
        return String::new();
    };
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    let _ = tokio::io::AsyncReadExt::read_to_string(&mut stream, &mut answer).await;
    answer
}

/// Signs in with the form and answers the session cookie.
async fn sign_in(host: &str, name: &str, password: &str) -> String {
    let body = format!("name={name}&password={password}&next=%2Fautomation");
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
            let (name, value) = line.split_once(':')?;
            let value = value.trim();
            (name.eq_ignore_ascii_case("set-cookie")
                && value.starts_with("runbook_portal_session="))
            .then(|| value.split(';').next().map(str::to_owned))
            .flatten()
        })
        .expect("signed in")
}

/// Opens a stream; the task ends when the portal ends it, answering whether a `retry:` came.
async fn open_stream(host: &str, path: &str, cookie: &str) -> tokio::task::JoinHandle<bool> {
    let mut stream = TcpStream::connect(host).await.expect("connect");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut lines = BufReader::new(stream).lines();
    let status = lines.next_line().await.ok().flatten().unwrap_or_default();
    assert!(status.contains(" 200 "), "{path}: {status}");
    tokio::spawn(async move {
        let mut told = false;
        while let Ok(Some(line)) = lines.next_line().await {
            told |= line.starts_with("retry:");
        }
        told
    })
}

#[tokio::main]
async fn main() {
    let running = Emulator::new(EmulatorConfig::default())
        .expect("the emulator")
        .start_on_loopback()
        .await
        .expect("the emulator starts");
    let emulator = running.endpoint_url();
    let port = free_port();
    let host = format!("127.0.0.1:{port}");
    let data = std::env::temp_dir().join(format!("shutdown-bench-{}", std::process::id()));
    let password = "shutdown bench password";
    let mut add = std::process::Command::new(env!("CARGO_BIN_EXE_runbook-portal"))
        .args([
            "users",
            "add",
            "bench",
            "--group",
            "admins",
            "--password-stdin",
        ])
        .arg("--data-dir")
        .arg(&data)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("users add");
    {
        use std::io::Write;
        let stdin = add.stdin.as_mut().expect("stdin");
        writeln!(stdin, "{password}").expect("password");
    }
    assert!(add.wait().expect("users add").success());
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_runbook-portal"))
        .args(["serve", "--listen", &host, "--emulator-url", &emulator])
        .arg("--data-dir")
        .arg(&data)
        .env("RUST_LOG", "warn")
        .spawn()
        .expect("the portal starts");
    for _ in 0..200 {
        let answer = exchange(
            &host,
            format!("GET /readyz HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
        .await;
        if answer.starts_with("HTTP/1.1 200") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cookie = sign_in(&host, "bench", &password.replace(' ', "+")).await;

    // Waiting in Interactive mode: its streams stay open until something ends them.
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            None,
            None,
            "bench",
        ))
        .endpoint_url(&emulator)
        .load()
        .await;
    let id = aws_sdk_ssm::Client::new(&config)
        .start_automation_execution()
        .document_name("AWS-RestartEC2Instance")
        .mode(ExecutionMode::Interactive)
        .parameters("InstanceId", vec!["i-1234567890abcdef0".into()])
        .send()
        .await
        .expect("StartAutomationExecution")
        .automation_execution_id
        .unwrap_or_default();
    let path = format!("/api/executions/{id}/events");
    let mut streams = Vec::with_capacity(STREAMS);
    for _ in 0..STREAMS {
        streams.push(open_stream(&host, &path, &cookie).await);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;

    let stopped = Instant::now();
    let signal = std::process::Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(signal.success());
    let mut told = 0;
    for stream in streams {
        told += usize::from(stream.await.unwrap_or(false));
    }
    let streams_ended = stopped.elapsed();
    let exit = tokio::task::spawn_blocking(move || server.wait())
        .await
        .expect("join")
        .expect("the portal exits");
    let exited = stopped.elapsed();
    println!("graceful shutdown with {STREAMS} open live-status streams (SIGTERM, grace 10 s):");
    println!(
        "  every stream ended after {:.0} ms ({told} of {STREAMS} told to reconnect)",
        streams_ended.as_secs_f64() * 1000.0
    );
    println!(
        "  the process exited after {:.0} ms ({exit})",
        exited.as_secs_f64() * 1000.0
    );
    let _ = std::fs::remove_dir_all(&data);
}
