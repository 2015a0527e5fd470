//! The audit trail: a start is recorded with its outcome and execution, every refusal with who
//! was refused, and the trail itself is for admins and auditors only.

use domain::audit::{AuditFilters, AuditPlace};

use domain::PortalError;

use crate::support::{forbidden, TestPortal};

const GRANTS: &str = r#"
[auditors]
groups = ["auditors"]

[[grant]]
name = "Own runs"
users = ["olive"]
runbooks = ["Rules-Pause"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
"#;

#[tokio::test]
async fn a_start_leaves_a_succeeded_start_record_with_the_execution_id() {
    let t = TestPortal::new(GRANTS).await;
    t.add_pausing_runbook("Rules-Pause").await;
    let id = t
        .run(&t.viewer("olive", &["web"]), "Rules-Pause", &[])
        .await;
    let trail = t.audit().await;
    let start = trail
        .iter()
        .find(|r| r.action.as_str() == "start")
        .expect("the start is recorded");
    assert_eq!(start.outcome.as_str(), "succeeded");
    assert_eq!(start.execution_id, id);
    assert_eq!(
        (start.user.as_str(), start.groups.as_slice()),
        ("olive", ["web".to_owned()].as_slice())
    );
    assert_eq!(start.runbook, "Rules-Pause");
    assert_eq!(start.role, crate::support::ROLE);
    assert_eq!(start.client_address, "127.0.0.1");
    // The request id the execution is tagged with, to find one from the other.
    assert!(!start.request_id.is_empty());
    let tags = t
        .aws
        .ssm
        .list_tags_for_resource()
        .resource_type(aws_sdk_ssm::types::ResourceTypeForTagging::Automation)
        .resource_id(&id)
        .send()
        .await
        .expect("the execution's tags")
        .tag_list
        .unwrap_or_default();
    assert!(
        tags.iter()
            .any(|tag| tag.key == "portal:request" && tag.value == start.request_id),
        "{tags:?}"
    );
}

#[tokio::test]
async fn the_audit_trail_is_refused_to_non_auditors() {
    let t = TestPortal::new(GRANTS).await;
    let olive = t.viewer("olive", &[]);
    let filters = AuditFilters::default();
    let refused = forbidden(
        t.portal
            .audit_page(&olive, &filters, AuditPlace::default())
            .await,
    );
    assert!(
        refused.contains("You may not read the audit trail"),
        "{refused}"
    );
    assert!(
        t.portal.audit_trail(&olive).is_err(),
        "the CSV export's reader too"
    );
    let record = t.refusal("olive", "You may not read the audit trail").await;
    assert_eq!(record.client_address, "127.0.0.1");

    for reader in [t.viewer("audrey", &["auditors"]), t.admin()] {
        let page = t
            .portal
            .audit_page(&reader, &filters, AuditPlace::default())
            .await
            .expect("auditors and admins read it");
        assert!(
            page.rows.iter().any(|r| r.user == "olive"),
            "{:?}",
            page.rows
        );
    }
}

#[tokio::test]
async fn a_user_refused_past_the_limit_is_held_back_and_every_refusal_is_recorded() {
    let hour = std::time::Duration::from_secs(3600);
    let t = TestPortal::configured(GRANTS, |p| p.with_refusal_limit(3, hour)).await;
    let vic = t.viewer("vic", &[]);
    for n in 0..3 {
        forbidden(t.portal.runbook(&vic, &format!("Forbidden-{n}"), "").await);
    }
    // Held back: answered without being looked at, whatever is asked, for the rest of the hour.
    for _ in 0..5 {
        match t.admit("vic", &[]) {
            Err(PortalError::TooMany(text)) => {
                assert!(
                    text.contains("Too many of your requests were refused"),
                    "{text}"
                );
                assert!(text.contains("wait 3"), "{text}");
            }
            other => panic!("expected vic held back, got {other:?}"),
        }
    }
    assert_eq!(PortalError::TooMany(String::new()).status(), 429);
    // Others are heard.
    t.viewer("olive", &[]);
    // Every refusal is in the trail, one by one, and the holding back once.
    t.refusal("vic", "held back").await;
    for n in 0..3 {
        t.refusal("vic", &format!("Forbidden-{n}")).await;
    }
    let refused = t
        .audit()
        .await
        .into_iter()
        .filter(|r| r.user == "vic" && r.action.as_str() == "refused")
        .count();
    assert_eq!(refused, 4);
}
