//! Property tests of request parsing on the wire: whatever body arrives for any operation of any
//! service (bytes, JSON of any shape, objects with the operations' real member names holding any
//! value, form pairs of the query services), the answer is a success or an AWS error in the
//! protocol's framing: never a panic, a 5xx or a body that is not the protocol's.

use axum::body::Body;
use axum::Router;
use http::{Request, StatusCode};
use proptest::prelude::*;
use serde_json::{Map, Value};
use tower::ServiceExt;

use crate::services::{ec2, iam, sts};
use crate::{Emulator, EmulatorConfig};

const SSM_OPERATIONS: &[&str] = &[
    "ListDocuments",
    "DescribeDocument",
    "GetDocument",
    "ListDocumentVersions",
    "DescribeDocumentPermission",
    "CreateDocument",
    "UpdateDocument",
    "UpdateDocumentDefaultVersion",
    "DeleteDocument",
    "AddTagsToResource",
    "RemoveTagsFromResource",
    "ListTagsForResource",
    "StartAutomationExecution",
    "GetAutomationExecution",
    "DescribeAutomationExecutions",
    "DescribeAutomationStepExecutions",
    "StopAutomationExecution",
    "SendAutomationSignal",
    "NoSuchOperation",
];

/// Members of the SSM operations' inputs, so that generated objects reach the handlers' checks.
const SSM_MEMBERS: &[&str] = &[
    "Name",
    "DocumentName",
    "DocumentVersion",
    "VersionName",
    "Content",
    "DocumentFormat",
    "DocumentType",
    "Filters",
    "DocumentFilterList",
    "Key",
    "Values",
    "MaxResults",
    "NextToken",
    "PermissionType",
    "ResourceType",
    "ResourceId",
    "Tags",
    "TagKeys",
    "Value",
    "AutomationExecutionId",
    "Parameters",
    "Mode",
    "TargetParameterName",
    "Targets",
    "TargetLocations",
    "Accounts",
    "Regions",
    "MaxConcurrency",
    "MaxErrors",
    "ClientToken",
    "AlarmConfiguration",
    "Alarms",
    "SignalType",
    "Payload",
    "Type",
    "ReverseOrder",
    "StepExecutionId",
];

/// Values seen in real requests among the arbitrary ones: seeded runbooks, valid content.
const SSM_VALUES: &[&str] = &[
    "AWS-RestartEC2Instance",
    "AWS-StopEC2Instance",
    "$LATEST",
    "$DEFAULT",
    "1",
    "JSON",
    "YAML",
    "Automation",
    "Approve",
    "Resume",
    "Document",
    "{\"schemaVersion\":\"0.3\",\"mainSteps\":[{\"name\":\"s\",\"action\":\"aws:sleep\",\"inputs\":{\"Duration\":\"PT1S\"}}]}",
];

/// (service, actions, member names) of the query services.
fn query_services() -> [(
    &'static str,
    &'static str,
    Vec<&'static str>,
    Vec<&'static str>,
); 3] {
    [
        (
            "iam",
            iam::VERSION,
            vec![
                "ListRoles",
                "GetRole",
                "ListRolePolicies",
                "GetRolePolicy",
                "ListAttachedRolePolicies",
                "GetPolicy",
                "GetPolicyVersion",
                "NoSuchAction",
            ],
            vec![
                "RoleName",
                "PolicyName",
                "PolicyArn",
                "VersionId",
                "PathPrefix",
                "Marker",
                "MaxItems",
            ],
        ),
        (
            "sts",
            sts::VERSION,
            vec!["GetCallerIdentity", "AssumeRole", "GetSessionToken"],
            vec![
                "RoleArn",
                "RoleSessionName",
                "DurationSeconds",
                "Policy",
                "ExternalId",
            ],
        ),
        (
            "ec2",
            ec2::VERSION,
            vec![
                "DescribeInstances",
                "DescribeInstanceStatus",
                "StartInstances",
                "StopInstances",
                "TerminateInstances",
                "RebootInstances",
                "CreateImage",
                "DescribeImages",
                "CreateTags",
            ],
            vec![
                "InstanceId.1",
                "InstanceId.2",
                "ResourceId.1",
                "ImageId.1",
                "Filter.1.Name",
                "Filter.1.Value.1",
                "Tag.1.Key",
                "Tag.1.Value",
                "Name",
                "Force",
                "NoReboot",
                "IncludeAllInstances",
                "MaxResults",
                "NextToken",
                "Owner.1",
            ],
        ),
    ]
}

/// One emulator for every case (never dropped: a runtime cannot be dropped inside another).
fn emulator() -> &'static (Router, tokio::runtime::Runtime) {
    static EMULATOR: std::sync::OnceLock<(Router, tokio::runtime::Runtime)> =
        std::sync::OnceLock::new();
    EMULATOR.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let emulator = Emulator::new(EmulatorConfig::default()).expect("seeded");
        (emulator.router(), runtime)
    })
}

/// Sends one request; returns the status and body.
fn send(
    runtime: &tokio::runtime::Runtime,
    router: &Router,
    headers: &[(&str, &str)],
    body: Vec<u8>,
) -> (StatusCode, String) {
    let mut request = Request::post("/");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = request.body(Body::from(body)).expect("request");
    runtime.block_on(async {
        let response = router.clone().oneshot(request).await.expect("answered");
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), 4 << 20)
            .await
            .expect("body");
        (status, String::from_utf8_lossy(&bytes).into_owned())
    })
}

/// Any JSON value, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        proptest::sample::select(SSM_VALUES).prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((member(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn member() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(SSM_MEMBERS).prop_map(str::to_owned),
        1 => "[A-Za-z]{1,12}",
    ]
}

/// A body for an SSM operation: bytes, or JSON of any shape, mostly an object of real members.
fn ssm_body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 0..200),
        1 => json_value().prop_map(|v| v.to_string().into_bytes()),
        4 => prop::collection::vec((member(), json_value()), 0..8).prop_map(|pairs| {
            Value::Object(pairs.into_iter().collect::<Map<_, _>>())
                .to_string()
                .into_bytes()
        }),
    ]
}

/// An AWS error as JSON 1.1 frames it.
fn is_json_error(body: &str) -> bool {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("__type").and_then(Value::as_str).map(str::to_owned))
        .is_some_and(|t| !t.is_empty())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 768, ..ProptestConfig::default() })]

    #[test]
    fn any_ssm_body_gets_an_answer_in_json_1_1(
        operation in proptest::sample::select(SSM_OPERATIONS),
        body in ssm_body(),
    ) {
        let (router, runtime) = emulator();
        let target = format!("AmazonSSM.{operation}");
        let (status, text) = send(runtime, router, &[("x-amz-target", &target), ("content-type", "application/x-amz-json-1.1")], body);
        prop_assert!(status.is_success() || status.is_client_error(), "{operation}: {status} {text}");
        prop_assert!(serde_json::from_str::<Value>(&text).is_ok(), "{operation}: not JSON: {text}");
        if !status.is_success() {
            prop_assert!(is_json_error(&text), "{operation}: {status} {text}");
        }
    }

    #[test]
    fn any_query_request_gets_an_answer_in_xml(
        service in 0usize..3,
        action in any::<prop::sample::Index>(),
        pairs in prop::collection::vec((any::<prop::sample::Index>(), ".{0,30}"), 0..8),
        raw in prop::option::weighted(0.15, prop::collection::vec(any::<u8>(), 0..120)),
    ) {
        let (_, version, actions, members) = &query_services()[service];
        let action = action.get(actions);
        let body = match raw {
            Some(bytes) => bytes,
            None => {
                let mut form: Vec<(&str, String)> =
                    vec![("Action", (*action).to_owned()), ("Version", (*version).to_owned())];
                form.extend(pairs.iter().map(|(i, v)| (*i.get(members), v.clone())));
                serde_urlencoded::to_string(&form).expect("form").into_bytes()
            }
        };
        let (router, runtime) = emulator();
        let (status, text) = send(runtime, router, &[("content-type", "application/x-www-form-urlencoded")], body);
        prop_assert!(status.is_success() || status.is_client_error(), "{action}: {status} {text}");
        prop_assert!(text.starts_with("<?xml") || text.starts_with('<'), "{action}: not XML: {text}");
        if !status.is_success() {
            prop_assert!(text.contains("<Code>"), "{action}: {status} {text}");
        }
    }
}
