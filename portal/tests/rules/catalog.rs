//! The catalog, the runbook's page and the role picker show only what the viewer's grants cover.

use domain::PortalError;

use crate::support::{forbidden, TestPortal, READ_ONLY_ROLE, ROLE};

const GRANTS: &str = r#"
[[grant]]
name = "Stops and restarts"
users = ["sam"]
runbooks = ["Portal-RestartWithHealthCheck", "AWS-Stop*", "TeamA-*"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]

[[grant]]
name = "Team A by ARN"
users = ["ann"]
runbooks = ["arn:aws:ssm:*:111122223333:document/TeamA-*"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
"#;

const SHARED: &str = "TeamA-StopTaggedInstances";

async fn names(t: &TestPortal, who: &portal::Viewer) -> Vec<String> {
    t.portal
        .list_runbooks(who, "All", &[], "", 1)
        .await
        .expect("the catalog")
        .runbooks
        .into_iter()
        .map(|r| r.name)
        .collect()
}

#[tokio::test]
async fn the_catalog_lists_only_granted_runbooks() {
    let t = TestPortal::new(GRANTS).await;
    assert_eq!(
        names(&t, &t.viewer("sam", &[])).await,
        [
            "AWS-StopEC2Instance",
            "AWS-StopEC2InstanceWithApproval",
            "Portal-RestartWithHealthCheck"
        ]
    );
    assert!(names(&t, &t.viewer("vic", &[])).await.is_empty());
    let all = names(&t, &t.admin()).await;
    assert!(
        all.iter().any(|n| n == "AWS-CreateImage") && all.len() > 3,
        "{all:?}"
    );
}

#[tokio::test]
async fn a_runbook_is_described_only_to_those_granted_it() {
    let t = TestPortal::new(GRANTS).await;
    let sam = t.viewer("sam", &[]);
    let details = t
        .portal
        .runbook(&sam, "Portal-RestartWithHealthCheck", "")
        .await
        .expect("granted");
    assert_eq!(details.version, "2");
    let refused = forbidden(t.portal.runbook(&sam, "AWS-CreateImage", "").await);
    assert!(
        refused.contains("You have no grant to run AWS-CreateImage"),
        "{refused}"
    );
    t.refusal("sam", "AWS-CreateImage").await;
    forbidden(
        t.portal
            .runbook(&t.viewer("vic", &[]), "Portal-RestartWithHealthCheck", "")
            .await,
    );
    t.refusal("vic", "Portal-RestartWithHealthCheck").await;
    t.portal
        .runbook(&t.admin(), "AWS-CreateImage", "")
        .await
        .expect("admins read every runbook");
}

#[tokio::test]
async fn a_name_outside_the_viewers_grants_is_refused_the_same_whether_it_exists_or_not() {
    let t = TestPortal::new(GRANTS).await;
    let sam = t.viewer("sam", &[]);
    let absent = "Portal-NoSuchRunbook";
    // Every AWS call from here on is counted (a 1 ms delay): none is made for such a name.
    t.inject(serde_json::json!({ "fault": "latency", "millis": 1 }))
        .await;
    let asked = t.faults_struck().await;
    let for_existing = forbidden(t.portal.runbook(&sam, "AWS-CreateImage", "").await);
    let for_absent = forbidden(t.portal.runbook(&sam, absent, "").await);
    assert_eq!(for_existing.replace("AWS-CreateImage", absent), for_absent);
    let start = |document: &str| domain::wizard::WizardForm {
        document: document.into(),
        ..Default::default()
    };
    let for_existing = forbidden(t.portal.start(&sam, &start("AWS-CreateImage")).await);
    let for_absent = forbidden(t.portal.start(&sam, &start(absent)).await);
    assert_eq!(for_existing.replace("AWS-CreateImage", absent), for_absent);
    assert_eq!(
        t.faults_struck().await,
        asked,
        "AWS was asked about a name no grant covers"
    );
    // A name the viewer's grant could cover is theirs to ask about: it is simply not there.
    let missing = t.portal.runbook(&sam, "AWS-StopNothing", "").await;
    assert!(
        matches!(missing, Err(PortalError::NotFound(_))),
        "{missing:?}"
    );
}

#[tokio::test]
async fn a_name_covered_only_once_resolved_tells_nothing_of_runbooks_outside_the_grants() {
    let t = TestPortal::new(GRANTS).await;
    // Ann's grant names Team A's runbooks by ARN: a bare name might be one of them.
    let ann = t.viewer("ann", &[]);
    let refused = forbidden(t.portal.runbook(&ann, "TeamA-Nowhere", "").await);
    assert!(
        refused.contains("You have no grant to run TeamA-Nowhere."),
        "{refused}"
    );
    // By the ARN her grant names, a missing one is hers to know about.
    let named = "arn:aws:ssm:us-east-1:111122223333:document/TeamA-Nowhere";
    let missing = t.portal.runbook(&ann, named, "").await;
    assert!(
        matches!(missing, Err(PortalError::NotFound(_))),
        "{missing:?}"
    );
    // Sam's grant names Team A's runbooks by name: any account's ARN of that name is refused
    // alike, shared with the portal or not.
    let sam = t.viewer("sam", &[]);
    let shared = format!("arn:aws:ssm:us-east-1:111122223333:document/{SHARED}");
    let unshared = format!("arn:aws:ssm:us-east-1:999999999999:document/{SHARED}");
    let for_shared = forbidden(t.portal.runbook(&sam, &shared, "").await);
    let for_unshared = forbidden(t.portal.runbook(&sam, &unshared, "").await);
    assert_eq!(for_shared.replace(&shared, &unshared), for_unshared);
}

#[tokio::test]
async fn a_name_pattern_does_not_admit_another_accounts_runbook() {
    let t = TestPortal::new(GRANTS).await;
    let sam = t.viewer("sam", &[]);
    let refused = forbidden(t.portal.runbook(&sam, SHARED, "").await);
    assert!(
        refused.contains(&format!(
            "arn:aws:ssm:us-east-1:111122223333:document/{SHARED}"
        )),
        "{refused}"
    );
    assert!(!names(&t, &sam).await.iter().any(|n| n == SHARED));
    let ann = t.viewer("ann", &[]);
    t.portal
        .runbook(&ann, SHARED, "")
        .await
        .expect("granted by its ARN");
    assert_eq!(names(&t, &ann).await, [SHARED]);
}

#[tokio::test]
async fn a_star_is_its_owners_own_and_only_on_a_runbook_they_may_see() {
    let t = TestPortal::new(GRANTS).await;
    let sam = t.viewer("sam", &[]);
    let starred = "Portal-RestartWithHealthCheck";
    t.portal
        .star_runbook(&sam, starred, true)
        .await
        .expect("a granted runbook");
    assert_eq!(
        names(&t, &sam).await,
        [
            starred,
            "AWS-StopEC2Instance",
            "AWS-StopEC2InstanceWithApproval"
        ]
    );
    // Nobody else's catalog is ordered by Sam's star.
    let others = names(&t, &t.admin()).await;
    assert_ne!(others.first().map(String::as_str), Some(starred));
    // A runbook outside the grants is refused (and audited); a name the grants match that
    // names no runbook is not found.
    let refused = forbidden(t.portal.star_runbook(&sam, "AWS-CreateImage", true).await);
    assert!(
        refused.contains("You have no grant to run AWS-CreateImage"),
        "{refused}"
    );
    t.refusal("sam", "AWS-CreateImage").await;
    let missing = t
        .portal
        .star_runbook(&sam, "AWS-StopNoSuchRunbook", true)
        .await;
    assert!(
        matches!(missing, Err(domain::PortalError::NotFound(_))),
        "{missing:?}"
    );
    assert_eq!(
        t.portal.starred_runbooks(&sam).await.expect("read"),
        std::collections::BTreeSet::from([starred.to_owned()])
    );
    // Unstarred, it goes back to its place by name.
    t.portal
        .star_runbook(&sam, starred, false)
        .await
        .expect("unstarred");
    assert_eq!(
        names(&t, &sam).await.last().map(String::as_str),
        Some(starred)
    );
}

#[tokio::test]
async fn the_role_picker_offers_only_the_grants_roles() {
    let t = TestPortal::new(GRANTS).await;
    let sam = t.viewer("sam", &[]);
    let roles: Vec<String> = t
        .portal
        .roles(&sam, "Portal-RestartWithHealthCheck")
        .await
        .expect("his grant's roles")
        .into_iter()
        .map(|r| r.arn)
        .collect();
    assert_eq!(roles, [ROLE]);
    let refused = forbidden(t.portal.roles(&sam, "AWS-CreateImage").await);
    assert!(refused.contains("no role to run it as"), "{refused}");
    t.refusal("sam", "no role to run it as").await;
    let every: Vec<String> = t
        .portal
        .roles(&t.admin(), "AWS-CreateImage")
        .await
        .expect("every role for admins")
        .into_iter()
        .map(|r| r.arn)
        .collect();
    assert!(every.iter().any(|r| r == READ_ONLY_ROLE), "{every:?}");
}

#[tokio::test]
async fn instances_are_listed_only_to_someone_with_a_grant() {
    let t = TestPortal::new(GRANTS).await;
    let listed = t
        .portal
        .instances(&t.viewer("sam", &[]))
        .await
        .expect("with a grant");
    assert!(listed.iter().any(|i| i.name == "web-1"), "{listed:?}");
    forbidden(t.portal.instances(&t.viewer("vic", &[])).await);
    t.refusal("vic", "no instances").await;
}

/// What the runbook's form reads for `who`: the runbook, its roles, the instances.
async fn view_form(t: &TestPortal, who: &portal::Viewer, runbook: &str) -> String {
    let details = t.portal.runbook(who, runbook, "").await.expect("granted");
    t.portal.roles(who, runbook).await.expect("roles");
    t.portal.instances(who).await.expect("instances");
    details.version
}

#[tokio::test]
async fn the_form_costs_two_aws_calls_once_warm_and_shows_a_new_default_at_once() {
    let t = TestPortal::new(GRANTS).await;
    let sam = t.viewer("sam", &[]);
    let runbook = "Portal-RestartWithHealthCheck";
    assert_eq!(view_form(&t, &sam, runbook).await, "2");
    let before = t.aws_calls().await;
    assert_eq!(view_form(&t, &sam, runbook).await, "2");
    // The version's description and list of versions: the content, roles and instances are kept.
    assert_eq!(t.aws_calls().await - before, 2);
    // A version made the default is what the next view shows, with its own content.
    t.set_default_version(runbook, "3").await;
    assert_eq!(view_form(&t, &sam, runbook).await, "3");
    let details = t.portal.runbook(&sam, runbook, "").await.expect("granted");
    assert!(
        details.content_json.contains("aws:pause"),
        "version 3's content"
    );
    let older = t
        .portal
        .runbook(&sam, runbook, "1")
        .await
        .expect("version 1");
    assert_eq!(older.version, "1");
    assert!(
        !older.content_json.contains("aws:pause"),
        "version 1's content"
    );
}

#[tokio::test]
async fn a_runbook_made_again_under_its_name_shows_its_new_content() {
    let t = TestPortal::new("").await;
    let admin = t.admin();
    let steps = |action: &str| serde_json::json!([{ "name": "only", "action": action, "inputs": { "Duration": "PT1S" } }]);
    t.add_simple_runbook("Remade", serde_json::json!({}), steps("aws:sleep"))
        .await;
    let first = t.portal.runbook(&admin, "Remade", "1").await.expect("read");
    assert!(first.content_json.contains("aws:sleep"));
    t.aws
        .ssm
        .delete_document()
        .name("Remade")
        .send()
        .await
        .expect("deleted");
    t.add_simple_runbook("Remade", serde_json::json!({}), steps("aws:pause"))
        .await;
    // Version 1 again, with other content: not the kept one.
    let again = t.portal.runbook(&admin, "Remade", "1").await.expect("read");
    assert!(
        again.content_json.contains("aws:pause"),
        "{}",
        again.content_json
    );
}
