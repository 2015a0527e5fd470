//! Graceful shutdown under load: the portal with 1,000 open live-status streams gets SIGTERM;
//! prints how long until every stream was ended (each with its `retry:` hint) and until the
//! process exited. Prints figures; run with `make bench`.

use std::time::{Duration, Instant};

use aws_sdk_ssm::types::ExecutionMode;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

mod support;
use support::BenchPortal;

const STREAMS: usize = 1_000;

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
    let running = support::emulator().await;
    let emulator = running.endpoint_url();
    let portal = BenchPortal::start(&emulator, "shutdown").await;
    let (host, cookie) = (portal.host.clone(), portal.cookie.clone());

    // Waiting in Interactive mode: its streams stay open until something ends them.
    let id = support::ssm(&emulator)
        .await
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
        .args(["-TERM", &portal.process.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(signal.success());
    let mut told = 0;
    for stream in streams {
        told += usize::from(stream.await.unwrap_or(false));
    }
    let streams_ended = stopped.elapsed();
    let exit = tokio::task::spawn_blocking(move || portal.exit_status())
        .await
        .expect("join");
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
}
