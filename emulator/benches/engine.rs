//! The Automation engine under load, through the SDK: 1,000 concurrent executions of a five-step
//! runbook, then a rate-control run over 1,000 targets, on an accelerated clock. Prints steps per
//! second and the process's peak memory. Run with `make bench`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_sdk_ssm::types::{
    AutomationExecutionFilter, AutomationExecutionFilterKey, DocumentFormat, DocumentType, Target,
};
use aws_sdk_ssm::Client;
use emulator::{Emulator, EmulatorConfig, Limits};

const TIME_SCALE: f64 = 600.0;
const EXECUTIONS: usize = 1000;
const TARGETS: usize = 1000;

/// Five steps of four kinds: an API call whose output feeds the next steps, an assertion, a wait,
/// a branch and EC2 tags.
const RUNBOOK: &str = r#"
schemaVersion: '0.3'
parameters:
  InstanceId: { type: String, default: i-1234567890abcdef0 }
mainSteps:
  - name: describe
    action: aws:executeAwsApi
    inputs: { Service: ec2, Api: DescribeInstances, InstanceIds: [ '{{ InstanceId }}' ] }
    outputs:
      - { Name: state, Selector: '$.Reservations[0].Instances[0].State.Name', Type: String }
  - name: assertRunning
    action: aws:assertAwsResourceProperty
    inputs:
      Service: ec2
      Api: DescribeInstances
      InstanceIds: [ '{{ InstanceId }}' ]
      PropertySelector: $.Reservations[0].Instances[0].State.Name
      DesiredValues: [ running ]
  - name: settle
    action: aws:sleep
    inputs: { Duration: PT30S }
  - name: choose
    action: aws:branch
    inputs:
      Choices: [ { NextStep: tag, Variable: '{{ describe.state }}', StringEquals: running } ]
  - name: tag
    action: aws:createTags
    inputs:
      ResourceIds: [ '{{ InstanceId }}' ]
      Tags: [ { Key: Checked, Value: '{{ automation:EXECUTION_ID }}' } ]
"#;
const STEPS: usize = 5;

fn peak_memory_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// A seed whose instances are 1,000 running ones tagged Fleet=bench (the other files built in).
fn fleet_seed() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("engine-bench-seed-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a seed directory");
    let mut yaml = String::new();
    for i in 0..TARGETS {
        yaml.push_str(&format!(
            "- account: \"123456789012\"\n  region: us-east-1\n  instanceId: i-{:017x}\n  instanceType: t3.micro\n  imageId: ami-0abcdef1234567890\n  platform: Linux\n  state: running\n  launched: 2025-06-01T09:00:00Z\n  tags: {{ Name: bench-{i}, Fleet: bench }}\n",
            0xbe00_0000_u64 + i as u64
        ));
    }
    yaml.push_str("- account: \"123456789012\"\n  region: us-east-1\n  instanceId: i-1234567890abcdef0\n  instanceType: t3.micro\n  imageId: ami-0abcdef1234567890\n  platform: Linux\n  state: running\n  launched: 2025-06-01T09:00:00Z\n  tags: { Name: web-1 }\n");
    std::fs::write(dir.join("instances.yaml"), yaml).expect("instances.yaml");
    dir
}

async fn count_with_status(ssm: &Client, status: &str) -> usize {
    let mut count = 0;
    let mut token = None;
    loop {
        let page = ssm
            .describe_automation_executions()
            .filters(
                AutomationExecutionFilter::builder()
                    .key(AutomationExecutionFilterKey::ExecutionStatus)
                    .values(status)
                    .build()
                    .expect("filter"),
            )
            .set_next_token(token)
            .max_results(50)
            .send()
            .await
            .expect("DescribeAutomationExecutions");
        count += page.automation_execution_metadata_list().len();
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            return count;
        }
    }
}

async fn wait_until_none_running(ssm: &Client) {
    loop {
        let running =
            count_with_status(ssm, "InProgress").await + count_with_status(ssm, "Pending").await;
        if running == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::main]
async fn main() {
    let seed = fleet_seed();
    let running = Emulator::new(EmulatorConfig {
        time_scale: TIME_SCALE,
        seed_dir: Some(seed.clone()),
        // Room for all 1,000 at once (AWS's default quota would queue 900 of them).
        limits: Limits {
            running: EXECUTIONS + TARGETS,
            ..Limits::default()
        },
        ..EmulatorConfig::default()
    })
    .expect("the seed loads")
    .start_on_loopback()
    .await
    .expect("the emulator starts");
    let config = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new(
            "AKIAIOSFODNN7EXAMPLE",
            "secret",
            None,
            None,
            "bench",
        ))
        .endpoint_url(running.endpoint_url())
        .load()
        .await;
    let ssm = Client::new(&config);
    ssm.create_document()
        .name("Bench")
        .content(RUNBOOK)
        .document_format(DocumentFormat::Yaml)
        .document_type(DocumentType::Automation)
        .send()
        .await
        .expect("CreateDocument");
    let memory_before = peak_memory_kib();

    let began = Instant::now();
    let starts: Vec<_> = (0..EXECUTIONS)
        .map(|_| {
            let ssm = ssm.clone();
            tokio::spawn(async move {
                ssm.start_automation_execution()
                    .document_name("Bench")
                    .send()
                    .await
            })
        })
        .collect();
    for start in starts {
        start
            .await
            .expect("joined")
            .expect("StartAutomationExecution");
    }
    let started = began.elapsed();
    wait_until_none_running(&ssm).await;
    let elapsed = began.elapsed();
    let succeeded = count_with_status(&ssm, "Success").await;
    println!("concurrent executions: {EXECUTIONS} of a {STEPS}-step runbook, clock x{TIME_SCALE}");
    println!(
        "  started in {:.2} s ({:.0} starts/s)",
        started.as_secs_f64(),
        EXECUTIONS as f64 / started.as_secs_f64()
    );
    println!(
        "  all ended in {:.2} s; {succeeded} succeeded",
        elapsed.as_secs_f64()
    );
    println!(
        "  steps per second: {:.0}",
        (succeeded * STEPS) as f64 / elapsed.as_secs_f64()
    );
    println!(
        "  peak memory: {} KiB (before: {memory_before} KiB)",
        peak_memory_kib()
    );

    let began = Instant::now();
    let parent = ssm
        .start_automation_execution()
        .document_name("Bench")
        .target_parameter_name("InstanceId")
        .targets(Target::builder().key("tag:Fleet").values("bench").build())
        .max_concurrency("100%")
        .max_errors("10%")
        .send()
        .await
        .expect("StartAutomationExecution with targets")
        .automation_execution_id()
        .expect("an id")
        .to_owned();
    let done = loop {
        let execution = ssm
            .get_automation_execution()
            .automation_execution_id(&parent)
            .send()
            .await
            .expect("GetAutomationExecution")
            .automation_execution()
            .cloned()
            .expect("the parent");
        if execution.execution_end_time().is_some() {
            break execution;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let elapsed = began.elapsed();
    let children: HashMap<String, usize> =
        done.step_executions()
            .iter()
            .fold(HashMap::new(), |mut m, s| {
                *m.entry(
                    s.step_status()
                        .map(|x| x.as_str().to_owned())
                        .unwrap_or_default(),
                )
                .or_default() += 1;
                m
            });
    println!("rate control: {TARGETS} targets (tag:Fleet=bench), MaxConcurrency 100%, clock x{TIME_SCALE}");
    println!(
        "  parent {} in {:.2} s; children by status: {children:?}",
        done.automation_execution_status()
            .map(|s| s.as_str())
            .unwrap_or_default(),
        elapsed.as_secs_f64()
    );
    println!(
        "  steps per second (children's steps): {:.0}",
        (children.get("Success").copied().unwrap_or(0) * STEPS) as f64 / elapsed.as_secs_f64()
    );
    println!("  peak memory: {} KiB", peak_memory_kib());
    let _ = std::fs::remove_dir_all(seed);
}
