//! The AWS CLI command read back by the AWS CLI itself: for any request, the words the command
//! hands `aws` (`cli_options`; that each shell hands them over intact is `tests`'s business),
//! parsed by the AWS CLI's own argument and shorthand parsers in process
//! (`aws_cli_reads.py`), make the API call the request describes, value for value. Needs
//! python3 with awscli (`scripts/setup --test`).

use std::io::Write;
use std::process::{Command, Stdio};

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::tests::{expected_argv, parameter_named};
use super::{cli_options, Refusal};
use crate::wizard::{Location, StartRequest};

const READER: &str = include_str!("aws_cli_reads.py");

/// Words that mean something to the CLI's parsers or to argparse, and ordinary values.
const TRICKY: &[&str] = &[
    "i-1234567890abcdef0",
    "AWS-RestartEC2Instance",
    "$LATEST",
    "2",
    "10%",
    "-1",
    "-x",
    "--help",
    "a,b",
    "k=v",
    "Key=a,Values=b",
    "[a]",
    "{\"a\":1}",
    "'q'",
    "\"q\"",
    "a b",
    "@file",
    "tag:Env",
    "arn:aws:iam::123456789012:role/R",
    "file://x",
    "",
    " ",
    "日本",
];

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(TRICKY).prop_map(str::to_owned),
        2 => "[a-zA-Z0-9:/._@%$-]{1,10}",
        1 => "\\PC{0,10}",
    ]
}

fn values() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(text(), 1..3)
}

fn request() -> impl Strategy<Value = StartRequest> {
    let location = (
        values(),
        values(),
        prop::option::of(text()),
        prop::option::of(text()),
        prop::option::of(text()),
    )
        .prop_map(
            |(accounts, regions, max_concurrency, max_errors, role)| Location {
                accounts,
                regions,
                max_concurrency,
                max_errors,
                execution_role_name: role,
            },
        );
    let target = prop_oneof![
        text().prop_map(|k| format!("tag:{k}")),
        Just("ParameterValues".to_owned()),
        Just("ResourceGroup".to_owned()),
        Just("AWS::EC2::Instance".to_owned()),
    ];
    (
        (text(), prop::option::of(text()), any::<bool>()),
        prop::collection::btree_map(text(), values(), 0..3),
        (
            prop::option::of(text()),
            prop::option::of((target, values())),
            prop::option::of(text()),
            prop::option::of(text()),
        ),
        prop::option::of(location),
        prop::collection::vec((text(), text()), 0..3),
        prop::option::of(text()),
    )
        .prop_map(
            |(
                (name, version, interactive),
                parameters,
                (tpn, target, mc, me),
                location,
                tags,
                alarm,
            )| {
                StartRequest {
                    document_name: name,
                    document_version: version,
                    interactive,
                    parameters,
                    target_parameter_name: tpn,
                    target,
                    max_concurrency: mc,
                    max_errors: me,
                    location,
                    tags,
                    alarm,
                }
            },
        )
}

/// The StartAutomationExecution parameters `request` stands for, as the CLI builds them.
fn api_call(request: &StartRequest) -> Value {
    let mut call = Map::new();
    let mut put = |key: &str, value: Value| {
        call.insert(key.to_owned(), value);
    };
    put("DocumentName", json!(request.document_name));
    if let Some(v) = &request.document_version {
        put("DocumentVersion", json!(v));
    }
    if request.interactive {
        put("Mode", json!("Interactive"));
    }
    if !request.parameters.is_empty() {
        put("Parameters", json!(request.parameters));
    }
    if let Some(v) = &request.target_parameter_name {
        put("TargetParameterName", json!(v));
    }
    if let Some((key, values)) = &request.target {
        put("Targets", json!([{"Key": key, "Values": values}]));
    }
    if let Some(v) = &request.max_concurrency {
        put("MaxConcurrency", json!(v));
    }
    if let Some(v) = &request.max_errors {
        put("MaxErrors", json!(v));
    }
    if let Some(l) = &request.location {
        let mut location = Map::new();
        location.insert("Accounts".into(), json!(l.accounts));
        location.insert("Regions".into(), json!(l.regions));
        if let Some(v) = &l.max_concurrency {
            location.insert("TargetLocationMaxConcurrency".into(), json!(v));
        }
        if let Some(v) = &l.max_errors {
            location.insert("TargetLocationMaxErrors".into(), json!(v));
        }
        if let Some(v) = &l.execution_role_name {
            location.insert("ExecutionRoleName".into(), json!(v));
        }
        put("TargetLocations", json!([location]));
    }
    if !request.tags.is_empty() {
        let tags: Vec<Value> = request
            .tags
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect();
        put("Tags", Value::Array(tags));
    }
    if let Some(alarm) = &request.alarm {
        put("AlarmConfiguration", json!({"Alarms": [{"Name": alarm}]}));
    }
    Value::Object(call)
}

/// What the AWS CLI builds from each argv, in one run of it.
fn aws_cli_reads(argvs: &[Vec<String>]) -> Vec<Value> {
    let mut child = Command::new("python3")
        .args(["-c", READER])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/setup --test installs it with awscli)");
    let mut input = String::new();
    for argv in argvs {
        input.push_str(&serde_json::to_string(argv).expect("json"));
        input.push('\n');
    }
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("written");
    let out = child.wait_with_output().expect("ends");
    assert!(
        out.status.success(),
        "the AWS CLI reader failed: is awscli installed (scripts/setup --test)?"
    );
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

proptest! {
    // Each case is a batch read by one run of the CLI (its start-up is the cost).
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn the_aws_cli_reads_back_the_request_it_was_written_from(
        requests in prop::collection::vec(request(), 1..48),
    ) {
        let mut written = Vec::new();
        for request in &requests {
            match cli_options(request) {
                Ok(_) => written.push((request, expected_argv(request))),
                // Refused only for a value the CLI would read as a file or URL.
                Err(refusal) => prop_assert!(refusal == Refusal::read_by_the_cli(refusal_flag(&refusal))),
            }
        }
        let argvs: Vec<Vec<String>> = written.iter().map(|(_, argv)| argv.clone()).collect();
        for ((request, argv), read) in written.iter().zip(aws_cli_reads(&argvs)) {
            prop_assert_eq!(
                read.get("parameters"),
                Some(&api_call(request)),
                "argv {:?}\nCLI: {}",
                argv,
                read
            );
        }
    }
}

/// What the property found, kept: a value past U+FFFF or with a no-break space, and a
/// parameter name outside `[A-Za-z0-9-_.#/:]`, once went as shorthand the CLI could not read;
/// a value starting with `-` was taken by argparse for an option.
#[test]
fn the_values_the_aws_cli_once_misread_now_reach_it() {
    let request = parameter_named;
    let requests = [
        request("InstanceId", "\u{101a0}"),
        request("InstanceId", "a\u{a0}"),
        request("InstanceId", "\u{3000}b"),
        request("日本", "i-1"),
        request("Instance Id", "i-1"),
        request("-k", "-v"),
        StartRequest {
            document_version: Some("-x".to_owned()),
            max_errors: Some("-1".to_owned()),
            ..request("InstanceId", "i-1")
        },
    ];
    let argvs: Vec<Vec<String>> = requests.iter().map(expected_argv).collect();
    for ((request, argv), read) in requests.iter().zip(&argvs).zip(aws_cli_reads(&argvs)) {
        assert_eq!(
            read.get("parameters"),
            Some(&api_call(request)),
            "{argv:?}: {read}"
        );
    }
}

fn refusal_flag(refusal: &Refusal) -> &'static str {
    [
        "--document-name",
        "--document-version",
        "--parameters",
        "--target-parameter-name",
        "--targets",
        "--max-concurrency",
        "--max-errors",
        "--target-locations",
        "--tags",
        "--alarm-configuration",
    ]
    .into_iter()
    .find(|f| Refusal::read_by_the_cli(f) == *refusal)
    .unwrap_or("none")
}
