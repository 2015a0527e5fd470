//! Malformed and hostile requests get AWS's error and leave the emulator answering.

use crate::{raw_request, TestEmulator};

async fn ssm(emulator: &TestEmulator, operation: &str, body: &str) -> String {
    raw_request(
        &format!("{}/", emulator.running.endpoint_url()),
        "POST",
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", &format!("AmazonSSM.{operation}")),
        ],
        body,
    )
    .await
}

#[tokio::test]
async fn malformed_json_is_a_serialization_exception() {
    let emulator = TestEmulator::start().await;
    let answer = ssm(&emulator, "DescribeDocument", "{\"Name\": ").await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(
        answer.contains("\"__type\":\"SerializationException\""),
        "{answer}"
    );
    assert!(
        answer.to_lowercase().contains("x-amzn-requestid"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_missing_required_member_is_a_validation_exception() {
    let emulator = TestEmulator::start().await;
    let answer = ssm(&emulator, "DescribeDocument", "{}").await;
    assert!(
        answer.contains("\"__type\":\"ValidationException\""),
        "{answer}"
    );
    assert!(answer.contains("Value null at 'name'"), "{answer}");
}

#[tokio::test]
async fn a_wrong_type_and_an_unknown_target_are_refused() {
    let emulator = TestEmulator::start().await;
    let answer = ssm(&emulator, "ListDocuments", "{\"MaxResults\": \"many\"}").await;
    assert!(answer.contains("SerializationException"), "{answer}");
    let answer = raw_request(
        &format!("{}/", emulator.running.endpoint_url()),
        "POST",
        &[("X-Amz-Target", "AmazonWhatever.Thing")],
        "{}",
    )
    .await;
    assert!(answer.contains("UnknownOperationException"), "{answer}");
}

#[tokio::test]
async fn malformed_query_bodies_and_missing_parameters_are_refused_in_xml() {
    let emulator = TestEmulator::start().await;
    let url = format!("{}/", emulator.running.endpoint_url());
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let answer = raw_request(&url, "POST", &form, "Action=GetRole&Version=2010-05-08").await;
    assert!(
        answer.contains("<Code>MissingParameter</Code>") && answer.contains("RoleName"),
        "{answer}"
    );
    let answer = raw_request(
        &url,
        "POST",
        &form,
        "Version=2016-11-15&Action=DescribeInstances&MaxResults=3",
    )
    .await;
    assert!(
        answer.contains("<Response><Errors><Error><Code>ValidationError</Code>"),
        "{answer}"
    );
    let answer = raw_request(&url, "POST", &form, "Version=2099-01-01&Action=Nothing").await;
    assert!(answer.contains("UnknownService"), "{answer}");
}

#[tokio::test]
async fn the_emulator_keeps_answering_after_abuse() {
    let emulator = TestEmulator::start().await;
    let huge = format!("{{\"Name\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let answer = ssm(&emulator, "DescribeDocument", &huge).await;
    assert!(
        answer.starts_with("HTTP/1.1 413"),
        "{}",
        &answer[..answer.len().min(200)]
    );
    for body in ["", "null", "[]", "{\"Name\": null}", "\u{0}\u{1}"] {
        let answer = ssm(&emulator, "DescribeDocument", body).await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{body:?}: {answer}");
    }
    let sts = aws_sdk_sts::Client::new(&emulator.config);
    sts.get_caller_identity()
        .send()
        .await
        .expect("still answering");
}
