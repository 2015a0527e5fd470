//! Live status under load: the portal's SSM calls with 1 and with 500 SSE viewers of the same 20
//! running executions (one watcher per execution, so the ratio should stay near 1), the same 500
//! viewers spread over two replicas on PostgreSQL (at most 2×: each replica watches what its own
//! viewers follow), the delay from a step's end in the emulator to its event at a viewer, and the
//! portal's memory holding 10,000 idle streams; these with a poll budget above what 20 executions
//! need, then the same 500 viewers under the default budget (10 polls a second). Prints figures;
//! run with `make bench` (which runs it under scripts/with-postgres for the replicas).

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use aws_sdk_ssm::types::{DocumentFormat, DocumentType, ExecutionMode};
use aws_sdk_ssm::Client;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::sync::mpsc;

mod support;
use support::{http_get, BenchPortal};

const WATCHED: usize = 20;
const VIEWERS: usize = 500;
const IDLE_STREAMS: usize = 10_000;
const WINDOW: Duration = Duration::from_secs(30);
const WARM_UP: Duration = Duration::from_secs(3);
/// A poll budget that 20 executions polled every second never reach.
const UNBUDGETED: [&str; 2] = ["--aws-poll-rate", "1000"];

/// Forty 2-second sleeps: running for the whole measurement, a step ending every 2 s.
fn runbook() -> String {
    let mut yaml = String::from("schemaVersion: '0.3'\nmainSteps:\n");
    for i in 0..40 {
        yaml.push_str(&format!(
            "  - {{ name: sleep{i}, action: 'aws:sleep', inputs: {{ Duration: PT2S }} }}\n"
        ));
    }
    yaml
}

fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// SSM requests the emulator has answered so far.
async fn ssm_calls(emulator: &str) -> u64 {
    let text = http_get(emulator, "/_emulator/metrics").await;
    text.lines()
        .filter(|l| l.starts_with("emulator_requests_total{service=\"ssm\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
        .sum()
}

/// Opens an SSE stream and hands each `event: step` data line to `sink` (when given) with the
/// time it arrived; heartbeats and other events are read and dropped.
async fn open_stream(
    portal: &BenchPortal,
    path: String,
    sink: Option<mpsc::UnboundedSender<(String, f64)>>,
) -> tokio::task::JoinHandle<()> {
    let host = portal.host.clone();
    let mut stream = TcpStream::connect(&host)
        .await
        .expect("connect to the portal");
    let request = format!(
        "GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\nCookie: {}\r\n\r\n",
        portal.cookie
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut lines = BufReader::new(stream).lines();
    let status = lines.next_line().await.ok().flatten().unwrap_or_default();
    assert!(status.contains(" 200 "), "{path}: {status}");
    tokio::spawn(async move {
        let mut event = String::new();
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(name) = line.strip_prefix("event: ") {
                event = name.to_owned();
            } else if let Some(data) = line.strip_prefix("data: ") {
                if let (Some(sink), "step") = (&sink, event.as_str()) {
                    let _ = sink.send((data.to_owned(), now()));
                }
            }
        }
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// Starts 20 executions spread over one second, so their steps end at every phase of the
/// watchers' one-second polls (as for viewers who arrive at any time).
async fn start_all(ssm: &Client, document: &str, mode: ExecutionMode) -> Vec<String> {
    let mut ids = Vec::new();
    for _ in 0..WATCHED {
        tokio::time::sleep(Duration::from_millis(1000 / WATCHED as u64)).await;
        let started = ssm
            .start_automation_execution()
            .document_name(document)
            .mode(mode.clone())
            .send()
            .await
            .expect("StartAutomationExecution");
        ids.push(started.automation_execution_id.unwrap_or_default());
    }
    ids
}

struct Phase {
    calls_per_minute: f64,
    latencies: Vec<f64>,
}

impl Phase {
    fn report(&self, what: &str) {
        println!(
            "  {what}: {:.1} SSM calls/min; step end → event: p50 {:.0} ms, p95 {:.0} ms ({} steps)",
            self.calls_per_minute,
            percentile(&self.latencies, 0.5) * 1000.0,
            percentile(&self.latencies, 0.95) * 1000.0,
            self.latencies.len()
        );
    }
}

/// `viewers` list streams over the 20 executions, plus a probe following each execution's own
/// stream for step latencies, spread evenly over `portals`; SSM calls counted over the window.
async fn phase(portals: &[BenchPortal], emulator: &str, ids: &[String], viewers: usize) -> Phase {
    let list = format!("/api/executions/events?ids={}", ids.join(","));
    let mut tasks = Vec::new();
    for i in 0..viewers {
        tasks.push(open_stream(&portals[i % portals.len()], list.clone(), None).await);
    }
    let (sink, mut samples) = mpsc::unbounded_channel();
    for (i, id) in ids.iter().enumerate() {
        tasks.push(
            open_stream(
                &portals[i % portals.len()],
                format!("/api/executions/{id}/events"),
                Some(sink.clone()),
            )
            .await,
        );
    }
    tokio::time::sleep(WARM_UP).await;
    while samples.try_recv().is_ok() {}
    let before = ssm_calls(emulator).await;
    let started = Instant::now();
    tokio::time::sleep(WINDOW).await;
    let calls = ssm_calls(emulator).await - before;
    let minutes = started.elapsed().as_secs_f64() / 60.0;
    let mut latencies = Vec::new();
    while let Ok((data, arrived)) = samples.try_recv() {
        let step: serde_json::Value = serde_json::from_str(&data).unwrap_or_default();
        let ended = step["ended_at"].as_f64().unwrap_or(0.0);
        if step["status"] == "Success" && ended > 0.0 {
            latencies.push(arrived - ended);
        }
    }
    for task in tasks {
        task.abort();
    }
    latencies.sort_by(f64::total_cmp);
    Phase {
        calls_per_minute: calls as f64 / minutes,
        latencies,
    }
}

#[tokio::main]
async fn main() {
    let running = support::emulator().await;
    let emulator = running.endpoint_url();
    let portal = BenchPortal::start_with(&emulator, "live", &UNBUDGETED).await;
    let ssm = support::ssm(&emulator).await;
    ssm.create_document()
        .name("LiveBench")
        .document_type(DocumentType::Automation)
        .document_format(DocumentFormat::Yaml)
        .content(runbook())
        .send()
        .await
        .expect("CreateDocument");
    println!(
        "live status: {WATCHED} running executions (a step ends every 2 s in each), window {} s",
        WINDOW.as_secs()
    );
    let ids = start_all(&ssm, "LiveBench", ExecutionMode::Auto).await;
    let portal = [portal];
    let one = phase(&portal, &emulator, &ids, 1).await;
    // A fresh set, so both windows see executions at the same stage.
    let ids = start_all(&ssm, "LiveBench", ExecutionMode::Auto).await;
    let many = phase(&portal, &emulator, &ids, VIEWERS).await;
    let [portal] = portal;
    one.report("1 viewer, 1 replica");
    many.report(&format!("{VIEWERS} viewers, 1 replica"));
    println!(
        "  ratio of SSM calls, {VIEWERS} viewers to 1: {:.3} (target ≤ 1.05)",
        many.calls_per_minute / one.calls_per_minute
    );
    replicas(&ssm, &emulator, &many).await;

    // The default budget: 20 running executions would take 20 polls a second; 10 are allowed.
    let budgeted = [BenchPortal::start(&emulator, "live-budget").await];
    let ids = start_all(&ssm, "LiveBench", ExecutionMode::Auto).await;
    let held = phase(&budgeted, &emulator, &ids, VIEWERS).await;
    held.report(&format!("{VIEWERS} viewers, default budget (10 polls/s)"));
    let [budgeted] = budgeted;
    budgeted.remove();

    // Idle streams: executions waiting in Manual mode, 500 viewers each.
    let ids = start_all(&ssm, "LiveBench", ExecutionMode::Interactive).await;
    tokio::time::sleep(Duration::from_secs(6)).await;
    let pid = portal.process.id();
    let before = rss_kib(pid);
    let mut idle = Vec::with_capacity(IDLE_STREAMS);
    let opened = Instant::now();
    for i in 0..IDLE_STREAMS {
        let id = &ids[i % ids.len()];
        idle.push(open_stream(&portal, format!("/api/executions/{id}/events"), None).await);
    }
    let took = opened.elapsed();
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = rss_kib(pid);
    println!(
        "  {IDLE_STREAMS} idle streams (opened in {:.1} s): portal RSS {before} KiB → {after} KiB, {:.1} KiB per stream",
        took.as_secs_f64(),
        (after.saturating_sub(before)) as f64 / IDLE_STREAMS as f64
    );
    for task in idle {
        task.abort();
    }
    portal.remove();
}

/// The same 500 viewers over two replicas on one PostgreSQL database, against one replica's calls.
async fn replicas(ssm: &Client, emulator: &str, one_replica: &Phase) {
    let Some(database) = support::postgres_database("live_bench") else {
        println!("  two replicas: skipped (no PostgreSQL: run under scripts/with-postgres)");
        return;
    };
    support::add_account_to(&database);
    let pair = [
        BenchPortal::replica(emulator, "live-a", &database, &UNBUDGETED).await,
        BenchPortal::replica(emulator, "live-b", &database, &UNBUDGETED).await,
    ];
    let ids = start_all(ssm, "LiveBench", ExecutionMode::Auto).await;
    let two = phase(&pair, emulator, &ids, VIEWERS).await;
    two.report(&format!("{VIEWERS} viewers, 2 replicas"));
    println!(
        "  ratio of SSM calls, 2 replicas to 1 for the same viewers: {:.3} (target ≤ 2)",
        two.calls_per_minute / one_replica.calls_per_minute
    );
    for replica in pair {
        replica.remove();
    }
}
