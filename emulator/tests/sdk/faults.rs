//! Fault injection, as the official SDK meets it: its retries, its error codes, a lost answer.

use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_sdk_ssm::types::{DocumentFormat, DocumentType};
use emulator::EmulatorConfig;

use crate::{code_and_message, raw_get, raw_request, TestEmulator};

async fn with_faults() -> TestEmulator {
    TestEmulator::start_configured(
        "AKIAIOSFODNN7EXAMPLE",
        EmulatorConfig {
            faults: Some(Vec::new()),
            ..EmulatorConfig::default()
        },
    )
    .await
}

/// Puts `rules` (JSON) in force; answers the control's whole answer.
async fn inject(emulator: &TestEmulator, rules: &str) -> String {
    let url = format!("{}/_emulator/faults", emulator.running.endpoint_url());
    raw_request(&url, "POST", &[("Content-Type", "application/json")], rules).await
}

/// An SSM client that makes one attempt per call: each fault shows.
async fn ssm_once(emulator: &TestEmulator) -> aws_sdk_ssm::Client {
    let config = aws_sdk_ssm::config::Builder::from(&emulator.config)
        .retry_config(RetryConfig::disabled())
        .build();
    aws_sdk_ssm::Client::from_conf(config)
}

#[tokio::test]
async fn off_by_default_the_control_answers_404_with_how_to_turn_it_on() {
    let emulator = TestEmulator::start().await;
    let answer = raw_get(&format!(
        "{}/_emulator/faults",
        emulator.running.endpoint_url()
    ))
    .await;
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(answer.contains("--fault-injection"), "{answer}");
    let posted = inject(&emulator, r#"{"fault":"throttle"}"#).await;
    assert!(posted.starts_with("HTTP/1.1 404"), "{posted}");
    // And nothing is faulted.
    let ssm = ssm_once(&emulator).await;
    ssm.list_documents().send().await.expect("no fault");
}

#[tokio::test]
async fn throttling_for_two_calls_is_ridden_out_by_the_sdk_retries_but_five_are_not() {
    let emulator = with_faults().await;
    let answer = inject(
        &emulator,
        r#"{"service":"ssm","operation":"Describe*","fault":"throttle","count":2}"#,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    // The SDK's standard retries (three attempts) back off and succeed on the third.
    let ssm = aws_sdk_ssm::Client::new(&emulator.config);
    ssm.describe_document()
        .name("AWS-RestartEC2Instance")
        .send()
        .await
        .expect("retried through two throttles");
    let listed = raw_get(&format!(
        "{}/_emulator/faults",
        emulator.running.endpoint_url()
    ))
    .await;
    assert!(listed.contains(r#""faults":[]"#), "spent: {listed}");

    inject(
        &emulator,
        r#"{"service":"ssm","operation":"DescribeDocument","fault":"throttle","count":5}"#,
    )
    .await;
    let err = ssm
        .describe_document()
        .name("AWS-RestartEC2Instance")
        .send()
        .await
        .expect_err("three attempts, all throttled");
    assert_eq!(
        code_and_message(&err),
        ("ThrottlingException".into(), "Rate exceeded".into())
    );
    // Other operations are not picked.
    ssm.list_documents().send().await.expect("not throttled");
}

#[tokio::test]
async fn a_rate_quota_throttles_the_calls_beyond_it() {
    let emulator = with_faults().await;
    inject(
        &emulator,
        r#"{"operation":"DescribeAutomationExecutions","fault":"throttle","per_second":2}"#,
    )
    .await;
    let ssm = ssm_once(&emulator).await;
    let mut throttled = 0;
    for _ in 0..10 {
        match ssm.describe_automation_executions().send().await {
            Ok(_) => {}
            Err(err) => {
                assert_eq!(code_and_message(&err).0, "ThrottlingException");
                throttled += 1;
            }
        }
    }
    // A burst of two passes, and what refills while the ten calls run (two a second).
    assert!((4..=8).contains(&throttled), "{throttled} of 10 throttled");
}

#[tokio::test]
async fn each_service_answers_a_fault_in_its_own_words() {
    let emulator = with_faults().await;
    let answer = inject(
        &emulator,
        r#"[{"service":"sts","fault":"unavailable"},
            {"service":"iam","operation":"ListRoles","fault":"expired_credentials"},
            {"service":"ec2","fault":"internal_error"}]"#,
    )
    .await;
    assert!(answer.contains(r#""ids":[1,2,3]"#), "{answer}");
    let once = RetryConfig::disabled();
    let sts = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::config::Builder::from(&emulator.config)
            .retry_config(once.clone())
            .build(),
    );
    let err = sts.get_caller_identity().send().await.expect_err("503");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(503));
    assert_eq!(
        err.as_service_error().and_then(|e| e.meta().code()),
        Some("ServiceUnavailable")
    );
    let iam = aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::config::Builder::from(&emulator.config)
            .retry_config(once.clone())
            .build(),
    );
    let err = iam.list_roles().send().await.expect_err("expired");
    assert_eq!(
        err.as_service_error().and_then(|e| e.meta().code()),
        Some("ExpiredToken")
    );
    iam.get_role()
        .role_name("AmazonSSMAutomationRole")
        .send()
        .await
        .expect("another operation");
    let ec2 = aws_sdk_ec2::Client::from_conf(
        aws_sdk_ec2::config::Builder::from(&emulator.config)
            .retry_config(once)
            .build(),
    );
    let err = ec2.describe_instances().send().await.expect_err("500");
    assert_eq!(err.raw_response().map(|r| r.status().as_u16()), Some(500));
    assert_eq!(
        err.as_service_error().and_then(|e| e.meta().code()),
        Some("InternalError")
    );

    // Cleared, everything answers again.
    let cleared = raw_request(
        &format!("{}/_emulator/faults", emulator.running.endpoint_url()),
        "DELETE",
        &[],
        "",
    )
    .await;
    assert!(cleared.starts_with("HTTP/1.1 204"), "{cleared}");
    sts.get_caller_identity().send().await.expect("cleared");
}

#[tokio::test]
async fn latency_delays_the_answer() {
    let emulator = with_faults().await;
    inject(
        &emulator,
        r#"{"service":"ssm","operation":"ListDocuments","fault":"latency","millis":400}"#,
    )
    .await;
    let ssm = ssm_once(&emulator).await;
    let sent = Instant::now();
    ssm.list_documents().send().await.expect("late, not failed");
    assert!(sent.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn a_lost_answer_to_a_start_is_retried_with_its_client_token_and_runs_once() {
    let emulator = with_faults().await;
    let ssm = ssm_once(&emulator).await;
    ssm.create_document()
        .name("LostAnswer")
        .document_type(DocumentType::Automation)
        .document_format(DocumentFormat::Yaml)
        .content("schemaVersion: '0.3'\nmainSteps:\n  - { name: wait, action: 'aws:sleep', inputs: { Duration: PT1S } }\n")
        .send()
        .await
        .expect("CreateDocument");
    inject(
        &emulator,
        r#"{"operation":"StartAutomationExecution","fault":"drop","count":1}"#,
    )
    .await;
    let token = "0a4c3f5e-7b1d-4e2a-9c8f-6d5e4f3a2b1c";
    let start = || {
        ssm.start_automation_execution()
            .document_name("LostAnswer")
            .client_token(token)
            .send()
    };
    let lost = start().await.expect_err("the answer never arrives");
    assert!(
        lost.as_service_error().is_none(),
        "not an AWS error: {lost:?}"
    );
    // It ran all the same; the retry with the same token answers that execution.
    let started = start().await.expect("the retry");
    let listed = ssm
        .describe_automation_executions()
        .send()
        .await
        .expect("listed");
    let runs: Vec<_> = listed
        .automation_execution_metadata_list()
        .iter()
        .filter(|e| e.document_name() == Some("LostAnswer"))
        .collect();
    assert_eq!(runs.len(), 1, "one run, not two");
    assert_eq!(
        runs[0].automation_execution_id(),
        started.automation_execution_id()
    );
}

#[tokio::test]
async fn bad_rules_are_refused_with_the_reason_and_none_of_a_list_is_kept() {
    let emulator = with_faults().await;
    let answer = inject(
        &emulator,
        r#"[{"fault":"throttle"}, {"service":"s3","fault":"throttle"}]"#,
    )
    .await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains("rule 2: service \\\"s3\\\" matches none"),
        "{answer}"
    );
    let answer = inject(&emulator, r#"{"fault":"meltdown"}"#).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("unknown variant"), "{answer}");
    let listed = raw_get(&format!(
        "{}/_emulator/faults",
        emulator.running.endpoint_url()
    ))
    .await;
    assert!(listed.contains(r#""faults":[]"#), "{listed}");
    let url = format!("{}/_emulator/faults", emulator.running.endpoint_url());
    let as_text = raw_request(
        &url,
        "POST",
        &[("Content-Type", "text/plain")],
        r#"{"fault":"drop"}"#,
    )
    .await;
    assert!(as_text.starts_with("HTTP/1.1 415"), "{as_text}");
    let gone = raw_request(
        &format!("{}/_emulator/faults/7", emulator.running.endpoint_url()),
        "DELETE",
        &[],
        "",
    )
    .await;
    assert!(gone.starts_with("HTTP/1.1 404"), "{gone}");
}
