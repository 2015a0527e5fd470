use aws_sdk_ssm::types::{DocumentFormat, DocumentKeyValuesFilter, DocumentType, Tag};
use aws_sdk_ssm::Client;

use crate::{code_and_message, TestEmulator};

fn filter(key: &str, values: &[&str]) -> DocumentKeyValuesFilter {
    DocumentKeyValuesFilter::builder()
        .key(key)
        .set_values(Some(values.iter().map(|v| (*v).to_owned()).collect()))
        .build()
}

async fn names(ssm: &Client, filters: Vec<DocumentKeyValuesFilter>) -> Vec<String> {
    let answer = ssm
        .list_documents()
        .set_filters(Some(filters))
        .send()
        .await
        .expect("ListDocuments answers");
    answer
        .document_identifiers()
        .iter()
        .filter_map(|d| d.name().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn list_documents_splits_owned_shared_and_amazon_runbooks() {
    let emulator = TestEmulator::start().await;
    let ssm = Client::new(&emulator.config);
    let automation = || filter("DocumentType", &["Automation"]);

    let owned = names(&ssm, vec![automation(), filter("Owner", &["Self"])]).await;
    assert_eq!(
        owned,
        [
            "Portal-BranchByPlatform",
            "Portal-PauseForReview",
            "Portal-RestartWithHealthCheck"
        ]
    );

    let shared = names(&ssm, vec![automation(), filter("Owner", &["Private"])]).await;
    assert_eq!(shared, ["TeamA-StopTaggedInstances"]);

    let amazon = names(&ssm, vec![automation(), filter("Owner", &["Amazon"])]).await;
    assert!(
        amazon.contains(&"AWS-RestartEC2Instance".to_owned()),
        "{amazon:?}"
    );
    assert!(amazon.iter().all(|n| n.starts_with("AWS-")), "{amazon:?}");

    let all = names(&ssm, vec![automation()]).await;
    assert_eq!(all.len(), owned.len() + shared.len() + amazon.len());

    let by_prefix = names(&ssm, vec![filter("Name", &["AWS-St"])]).await;
    assert_eq!(
        by_prefix,
        [
            "AWS-StartEC2Instance",
            "AWS-StopEC2Instance",
            "AWS-StopEC2InstanceWithApproval"
        ]
    );

    let tagged = names(&ssm, vec![filter("tag:Team", &["security", "data"])]).await;
    assert_eq!(tagged, ["Portal-PauseForReview"]);

    let identifiers = ssm
        .list_documents()
        .filters(filter("Owner", &["Private"]))
        .send()
        .await
        .expect("ListDocuments answers");
    let shared = &identifiers.document_identifiers()[0];
    assert_eq!(shared.owner(), Some("111122223333"));
    assert_eq!(shared.document_type(), Some(&DocumentType::Automation));
    assert_eq!(shared.schema_version(), Some("0.3"));
}

#[tokio::test]
async fn list_documents_pages_and_refuses_bad_tokens_and_keys() {
    let emulator = TestEmulator::start().await;
    let ssm = Client::new(&emulator.config);
    let first = ssm
        .list_documents()
        .max_results(4)
        .send()
        .await
        .expect("first page");
    assert_eq!(first.document_identifiers().len(), 4);
    let token = first.next_token().expect("more pages").to_owned();
    let mut seen: Vec<String> = first
        .document_identifiers()
        .iter()
        .filter_map(|d| d.name().map(str::to_owned))
        .collect();
    let mut next = Some(token);
    while let Some(token) = next {
        let page = ssm
            .list_documents()
            .max_results(4)
            .next_token(token)
            .send()
            .await
            .expect("next page");
        seen.extend(
            page.document_identifiers()
                .iter()
                .filter_map(|d| d.name().map(str::to_owned)),
        );
        next = page.next_token().map(str::to_owned);
    }
    let everything = names(&ssm, vec![]).await;
    assert_eq!(seen, everything);

    let err = ssm
        .list_documents()
        .next_token("made-up")
        .send()
        .await
        .expect_err("bad token");
    assert_eq!(code_and_message(&err).0, "InvalidNextToken");
    let err = ssm
        .list_documents()
        .filters(filter("Colour", &["red"]))
        .send()
        .await
        .expect_err("bad key");
    let (code, message) = code_and_message(&err);
    assert_eq!(code, "InvalidFilterKey");
    assert!(message.contains("Colour"), "{message}");
    let err = ssm
        .list_documents()
        .max_results(51)
        .send()
        .await
        .expect_err("too many");
    assert_eq!(code_and_message(&err).0, "ValidationException");
}

#[tokio::test]
async fn describe_document_gives_parameters_categories_and_versions() {
    let emulator = TestEmulator::start().await;
    let ssm = Client::new(&emulator.config);
    let answer = ssm
        .describe_document()
        .name("Portal-RestartWithHealthCheck")
        .send()
        .await
        .expect("described");
    let doc = answer.document().expect("a document");
    assert_eq!(
        doc.document_version(),
        Some("2"),
        "the default version is described"
    );
    assert_eq!(doc.default_version(), Some("2"));
    assert_eq!(doc.latest_version(), Some("3"));
    assert_eq!(doc.owner(), Some("123456789012"));
    assert_eq!(doc.document_format(), Some(&DocumentFormat::Yaml));
    assert_eq!(doc.category(), ["Instance management", "Troubleshooting"]);
    assert_eq!(
        doc.category_enum(),
        ["InstanceManagement", "Troubleshooting"]
    );
    let params: Vec<(&str, Option<&str>)> = doc
        .parameters()
        .iter()
        .map(|p| (p.name().unwrap_or_default(), p.default_value()))
        .collect();
    assert_eq!(
        params,
        [
            ("InstanceId", None),
            ("WarmUp", Some("PT1M")),
            ("AutomationAssumeRole", None)
        ]
    );
    assert_eq!(doc.hash().map(str::len), Some(64));

    let v1 = ssm
        .describe_document()
        .name("Portal-RestartWithHealthCheck")
        .document_version("1")
        .send()
        .await
        .expect("version 1");
    assert_eq!(v1.document().map(|d| d.parameters().len()), Some(2));

    let amazon = ssm
        .describe_document()
        .name("AWS-RestartEC2Instance")
        .send()
        .await
        .expect("amazon doc");
    let amazon = amazon.document().expect("doc");
    assert_eq!(amazon.owner(), Some("Amazon"));
    assert_eq!(amazon.description(), Some("Restart EC2 instances(s)"));
    assert_eq!(amazon.document_version(), Some("1"));

    let err = ssm
        .describe_document()
        .name("No-Such-Runbook")
        .send()
        .await
        .expect_err("unknown");
    assert_eq!(
        code_and_message(&err),
        (
            "InvalidDocument".into(),
            "The specified document does not exist.".into()
        )
    );
    let err = ssm
        .describe_document()
        .name("AWS-RestartEC2Instance")
        .document_version("7")
        .send()
        .await
        .expect_err("unknown version");
    assert_eq!(code_and_message(&err).0, "InvalidDocumentVersion");
}

#[tokio::test]
async fn a_shared_runbook_is_reached_by_its_arn_only() {
    let emulator = TestEmulator::start().await;
    let ssm = Client::new(&emulator.config);
    let err = ssm
        .describe_document()
        .name("TeamA-StopTaggedInstances")
        .send()
        .await
        .expect_err("not by name");
    assert_eq!(code_and_message(&err).0, "InvalidDocument");
    let arn = "arn:aws:ssm:us-east-1:111122223333:document/TeamA-StopTaggedInstances";
    let answer = ssm
        .describe_document()
        .name(arn)
        .send()
        .await
        .expect("by ARN");
    assert_eq!(
        answer.document().and_then(|d| d.owner()),
        Some("111122223333")
    );
    // Its executions name it by that ARN: a bare name is always the account's own or Amazon's.
    let started = ssm
        .start_automation_execution()
        .document_name(arn)
        .parameters("InstanceIds", vec!["i-0000000000000dead".into()])
        .send()
        .await
        .expect("started by ARN");
    let execution = ssm
        .get_automation_execution()
        .automation_execution_id(started.automation_execution_id().unwrap_or_default())
        .send()
        .await
        .expect("read");
    assert_eq!(
        execution
            .automation_execution()
            .and_then(|e| e.document_name()),
        Some(arn)
    );
}

#[tokio::test]
async fn get_document_converts_between_json_and_yaml() {
    let emulator = TestEmulator::start().await;
    let ssm = Client::new(&emulator.config);
    let yaml = ssm
        .get_document()
        .name("AWS-RestartEC2Instance")
        .document_format(DocumentFormat::Yaml)
        .send()
        .await
        .expect("as YAML");
    assert_eq!(yaml.document_format(), Some(&DocumentFormat::Yaml));
    let content = yaml.content().expect("content");
    assert!(
        content.contains("schemaVersion: '0.3'") || content.contains("schemaVersion: \"0.3\""),
        "{content}"
    );
    assert!(
        content.contains("action: aws:changeInstanceState"),
        "{content}"
    );

    let json = ssm
        .get_document()
        .name("Portal-BranchByPlatform")
        .send()
        .await
        .expect("as JSON");
    let tree: serde_json::Value =
        serde_json::from_str(json.content().expect("content")).expect("JSON content");
    assert_eq!(tree["mainSteps"][1]["action"], "aws:branch");
    assert_eq!(json.document_version(), Some("1"));

    let latest = ssm
        .get_document()
        .name("Portal-RestartWithHealthCheck")
        .document_version("$LATEST")
        .document_format(DocumentFormat::Yaml)
        .send()
        .await
        .expect("latest");
    assert_eq!(latest.document_version(), Some("3"));
    assert!(latest.content().is_some_and(|c| c.contains("aws:pause")));
}

#[tokio::test]
async fn document_versions_list_newest_first_with_the_default_marked() {
    let emulator = TestEmulator::start().await;
    let ssm = Client::new(&emulator.config);
    let answer = ssm
        .list_document_versions()
        .name("Portal-RestartWithHealthCheck")
        .send()
        .await
        .expect("versions");
    let versions: Vec<(&str, bool)> = answer
        .document_versions()
        .iter()
        .map(|v| {
            (
                v.document_version().unwrap_or_default(),
                v.is_default_version(),
            )
        })
        .collect();
    assert_eq!(versions, [("3", false), ("2", true), ("1", false)]);
    let err = ssm
        .list_document_versions()
        .name("Nope-Nope")
        .send()
        .await
        .expect_err("unknown");
    assert_eq!(code_and_message(&err).0, "InvalidDocument");
}

const RUNBOOK: &str = r#"{
  "schemaVersion": "0.3",
  "description": "Sleeps a little",
  "parameters": { "Seconds": { "type": "Integer", "default": 5 } },
  "mainSteps": [ { "name": "nap", "action": "aws:sleep", "inputs": { "Duration": "PT5S" } } ]
}"#;

#[tokio::test]
async fn create_update_default_and_delete_a_runbook() {
    let emulator = TestEmulator::start().await;
    let ssm = Client::new(&emulator.config);
    let created = ssm
        .create_document()
        .name("Team-Nap")
        .content(RUNBOOK)
        .document_type(DocumentType::Automation)
        .tags(
            Tag::builder()
                .key("Team")
                .value("ops")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("created");
    let description = created.document_description().expect("description");
    assert_eq!(description.document_version(), Some("1"));
    assert_eq!(description.parameters()[0].default_value(), Some("5"));

    let err = ssm
        .create_document()
        .name("Team-Nap")
        .content(RUNBOOK)
        .document_type(DocumentType::Automation)
        .send()
        .await
        .expect_err("duplicate");
    assert_eq!(code_and_message(&err).0, "DocumentAlreadyExists");

    let yaml = "schemaVersion: '0.3'\nmainSteps:\n- name: nap\n  action: aws:sleep\n  inputs: {Duration: PT9S}\n";
    let updated = ssm
        .update_document()
        .name("Team-Nap")
        .content(yaml)
        .document_format(DocumentFormat::Yaml)
        .document_version("$LATEST")
        .send()
        .await
        .expect("updated");
    let description = updated.document_description().expect("description");
    assert_eq!(
        (
            description.document_version(),
            description.default_version()
        ),
        (Some("2"), Some("1"))
    );

    let err = ssm
        .update_document()
        .name("Team-Nap")
        .content(yaml)
        .document_format(DocumentFormat::Yaml)
        .send()
        .await
        .expect_err("same content");
    assert_eq!(code_and_message(&err).0, "DuplicateDocumentContent");

    let default = ssm
        .update_document_default_version()
        .name("Team-Nap")
        .document_version("2")
        .send()
        .await
        .expect("default changed");
    assert_eq!(
        default.description().and_then(|d| d.default_version()),
        Some("2")
    );

    let err = ssm
        .delete_document()
        .name("Team-Nap")
        .document_version("2")
        .send()
        .await
        .expect_err("default");
    assert_eq!(code_and_message(&err).0, "InvalidDocumentOperation");
    ssm.delete_document()
        .name("Team-Nap")
        .document_version("1")
        .send()
        .await
        .expect("old version deleted");
    ssm.delete_document()
        .name("Team-Nap")
        .send()
        .await
        .expect("deleted");
    let err = ssm
        .describe_document()
        .name("Team-Nap")
        .send()
        .await
        .expect_err("gone");
    assert_eq!(code_and_message(&err).0, "InvalidDocument");

    let err = ssm
        .delete_document()
        .name("AWS-RestartEC2Instance")
        .send()
        .await
        .expect_err("Amazon's");
    assert_eq!(code_and_message(&err).0, "InvalidDocumentOperation");
}

#[tokio::test]
async fn invalid_runbook_content_is_refused_and_creates_nothing() {
    let emulator = TestEmulator::start().await;
    let ssm = Client::new(&emulator.config);
    let cases = [
        (
            r#"{"schemaVersion":"0.3","mainSteps":[{"name":"a","action":"aws:teleport","inputs":{}}]}"#,
            "aws:teleport",
        ),
        (
            r#"{"schemaVersion":"0.3","mainSteps":[{"name":"a","action":"aws:sleep","nextStep":"b","inputs":{}}]}"#,
            "b",
        ),
        (
            r#"{"schemaVersion":"0.3","mainSteps":[{"name":"a","action":"aws:branch","inputs":{"Choices":[{"NextStep":"a","Variable":"x","Matches":"y"}]}}]}"#,
            "Matches",
        ),
        ("{ not json", "not valid JSON"),
    ];
    for (content, mentions) in cases {
        let err = ssm
            .create_document()
            .name("Team-Broken")
            .content(content)
            .document_type(DocumentType::Automation)
            .send()
            .await
            .expect_err("invalid content is refused");
        let (code, message) = code_and_message(&err);
        assert_eq!(code, "InvalidDocumentContent", "{message}");
        assert!(
            message.contains(mentions),
            "{message} should mention {mentions}"
        );
    }
    let err = ssm
        .describe_document()
        .name("Team-Broken")
        .send()
        .await
        .expect_err("nothing was created");
    assert_eq!(code_and_message(&err).0, "InvalidDocument");

    let err = ssm
        .create_document()
        .name("AWS-Mine")
        .content(RUNBOOK)
        .document_type(DocumentType::Automation)
        .send()
        .await
        .expect_err("reserved prefix");
    assert_eq!(code_and_message(&err).0, "ValidationException");
    let huge = format!(
        r#"{{"schemaVersion":"0.3","description":"{}","mainSteps":[]}}"#,
        "x".repeat(70_000)
    );
    let err = ssm
        .create_document()
        .name("Team-Huge")
        .content(huge)
        .document_type(DocumentType::Automation)
        .send()
        .await
        .expect_err("oversized");
    assert_eq!(code_and_message(&err).0, "MaxDocumentSizeExceeded");
}

#[tokio::test]
async fn tags_and_sharing_of_documents() {
    let emulator = TestEmulator::start().await;
    let ssm = Client::new(&emulator.config);
    ssm.add_tags_to_resource()
        .resource_type(aws_sdk_ssm::types::ResourceTypeForTagging::Document)
        .resource_id("Portal-PauseForReview")
        .tags(
            Tag::builder()
                .key("Owner")
                .value("sec-team")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("tagged");
    let tags = ssm
        .list_tags_for_resource()
        .resource_type(aws_sdk_ssm::types::ResourceTypeForTagging::Document)
        .resource_id("Portal-PauseForReview")
        .send()
        .await
        .expect("listed");
    let pairs: Vec<(&str, &str)> = tags
        .tag_list()
        .iter()
        .map(|t| (t.key(), t.value()))
        .collect();
    assert_eq!(pairs, [("Owner", "sec-team"), ("Team", "security")]);

    let permission = ssm
        .describe_document_permission()
        .name("Portal-PauseForReview")
        .permission_type(aws_sdk_ssm::types::DocumentPermissionType::Share)
        .send()
        .await
        .expect("permissions");
    assert!(permission.account_ids().is_empty());
    let err = ssm
        .describe_document_permission()
        .name("AWS-RestartEC2Instance")
        .permission_type(aws_sdk_ssm::types::DocumentPermissionType::Share)
        .send()
        .await
        .expect_err("not the owner");
    assert_eq!(code_and_message(&err).0, "InvalidDocumentOperation");
}

#[tokio::test]
async fn a_least_privilege_principal_is_refused_what_its_policy_lacks() {
    let emulator = TestEmulator::start_as("AKIAPORTALSERVER0001").await;
    let ssm = Client::new(&emulator.config);
    ssm.list_documents().send().await.expect("may list");
    let err = ssm
        .create_document()
        .name("Team-Nap")
        .content(RUNBOOK)
        .document_type(DocumentType::Automation)
        .send()
        .await
        .expect_err("may not create");
    let (code, message) = code_and_message(&err);
    assert_eq!(code, "AccessDeniedException");
    assert_eq!(
        message,
        "User: arn:aws:iam::123456789012:user/PortalServer is not authorized to perform: ssm:CreateDocument on \
         resource: arn:aws:ssm:us-east-1:123456789012:document/Team-Nap because no identity-based policy allows \
         the ssm:CreateDocument action"
    );
}
