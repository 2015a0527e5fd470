//! The browser suite's authorisation matrix (end2end/tests/authorization_matrix.spec.ts) on the
//! service layer: every operation × a user without a grant, a user whose grant covers the
//! subject, and an admin; what each may receive, and a refusal in the audit trail for each "no".

use domain::approval::Decision;
use domain::audit::{AuditFilters, AuditPlace};
use domain::execution::Control;
use domain::executions::ExecutionFilters;
use domain::wizard::WizardForm;
use domain::PortalError;

use crate::support::{TestPortal, ROLE};

const GRANTS: &str = r#"
[[grant]]
name = "Web team"
groups = ["web"]
runbooks = ["Rules-Granted"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
modes = ["simple", "manual"]
executions = "all"

[[grant]]
name = "Production, approved by a lead"
groups = ["prod"]
runbooks = ["Rules-Prod"]
roles = ["arn:aws:iam::123456789012:role/AmazonSSMAutomationRole"]
approval = { groups = ["leads"] }
"#;

const SECRET: &str = "Rules-Secret";
const GRANTED: &str = "Rules-Granted";

const OK: &str = "ok";
const NO: &str = "forbidden";

fn kind<T>(answer: &Result<T, PortalError>) -> String {
    match answer {
        Ok(_) => OK.into(),
        Err(PortalError::Forbidden(_)) => NO.into(),
        Err(other) => format!("{other:?}"),
    }
}

/// Runs `$call` as each of `$people` (visitor, granted, admin, in that order) and notes every
/// answer that is not the expected one.
macro_rules! case {
    ($failures:ident, $people:expr, $label:expr, $expected:expr, |$who:ident| $call:expr) => {
        for ((name, $who), want) in $people.iter().zip($expected) {
            let got = kind(&$call.await);
            if got != want {
                $failures.push(format!("{} as {name}: {got}, expected {want}", $label));
            }
        }
    };
}

#[tokio::test]
async fn every_operation_as_a_visitor_a_granted_user_and_an_admin() {
    let t = TestPortal::new(GRANTS).await;
    for runbook in [SECRET, GRANTED, "Rules-Prod"] {
        t.add_pausing_runbook(runbook).await;
    }
    let visitor = t.viewer("vic", &["visitors"]);
    let granted = t.viewer("wes", &["web"]);
    let admin = t.admin();
    let people = [
        ("visitor", &visitor),
        ("granted", &granted),
        ("admin", &admin),
    ];

    // A run of a runbook no grant covers, one the web team's grant shows, one it shows but may
    // not control, and a request someone else waits on.
    let secret_run = t.waiting_run(&admin, SECRET).await;
    let web_run = t.waiting_run(&granted, GRANTED).await;
    let admin_run = t.waiting_run(&admin, GRANTED).await;
    let waiting = t
        .request(&t.viewer("pat", &["prod"]), "Rules-Prod", &[])
        .await;
    let secret_start = WizardForm::from_pairs(SECRET, [("p.AutomationAssumeRole", ROLE)]);

    let ops = &*t.portal;
    let (all, place) = (AuditFilters::default(), AuditPlace::default());
    let mut f = Vec::new();
    case! { f, people, "runbook(secret)",          [NO, NO, OK], |v| ops.runbook(v, SECRET, "") }
    case! { f, people, "runbook(granted)",         [NO, OK, OK], |v| ops.runbook(v, GRANTED, "") }
    case! { f, people, "roles(secret)",            [NO, NO, OK], |v| ops.roles(v, SECRET) }
    case! { f, people, "roles(granted)",           [NO, OK, OK], |v| ops.roles(v, GRANTED) }
    case! { f, people, "instances",                [NO, OK, OK], |v| ops.instances(v) }
    case! { f, people, "execution(secret run)",    [NO, NO, OK], |v| ops.execution(v, &secret_run) }
    case! { f, people, "execution(web run)",       [NO, OK, OK], |v| ops.execution(v, &web_run) }
    case! { f, people, "execution(admin's run)",   [NO, OK, OK], |v| ops.execution(v, &admin_run) }
    case! { f, people, "may_control(admin's run)", [NO, NO, OK], |v| ops.may_control(v, &admin_run) }
    case! { f, people, "approval(waiting)",        [NO, NO, OK], |v| ops.approval(v, &waiting) }
    case! { f, people, "audit_page",               [NO, NO, OK], |v| ops.audit_page(v, &all, place) }
    case! { f, people, "start(secret)",            [NO, NO, OK], |v| ops.start(v, &secret_start) }
    case! { f, people, "star_runbook(secret)",     [NO, NO, OK], |v| ops.star_runbook(v, SECRET, true) }
    case! { f, people, "star_runbook(granted)",    [NO, OK, OK], |v| ops.star_runbook(v, GRANTED, true) }
    // Admins go last: their cancel and rejection are real.
    let (cancel, reject) = (Control::Cancel, Decision::Reject);
    case! { f, people, "cancel(secret run)",       [NO, NO, OK], |v| ops.control(v, &secret_run, cancel, "", "") }
    case! { f, people, "cancel(admin's run)",      [NO, NO, OK], |v| ops.control(v, &admin_run, cancel, "", "") }
    case! { f, people, "reject(waiting)",          [NO, NO, OK], |v| ops.decide(v, &waiting, reject, "matrix") }

    // Lists answer everyone, with only what each may see.
    let filters = ExecutionFilters::default();
    let runs = |who| {
        let t = &t;
        let filters = &filters;
        async move {
            let page = t
                .portal
                .list_executions(who, filters)
                .await
                .expect("a list");
            page.rows.into_iter().map(|r| r.id).collect::<Vec<_>>()
        }
    };
    let (v, g, a) = (
        runs(&visitor).await,
        runs(&granted).await,
        runs(&admin).await,
    );
    assert!(v.is_empty(), "{v:?}");
    assert!(
        g.contains(&web_run) && g.contains(&admin_run) && !g.contains(&secret_run),
        "{g:?}"
    );
    assert!(a.contains(&web_run) && a.contains(&secret_run), "{a:?}");
    for who in [&visitor, &granted] {
        let catalog = t
            .portal
            .list_runbooks(who, "All", &[], SECRET, 1)
            .await
            .expect("a catalog");
        assert!(!catalog.runbooks.iter().any(|r| r.name == SECRET));
        let requests = t.portal.approvals(who, "").await.expect("a list");
        assert!(requests.requests.is_empty(), "{:?}", requests.requests);
    }
    let catalog = t
        .portal
        .list_runbooks(&admin, "All", &[], SECRET, 1)
        .await
        .expect("a catalog");
    assert!(catalog.runbooks.iter().any(|r| r.name == SECRET));
    assert!(t
        .portal
        .execution(&granted, &admin_run)
        .await
        .is_ok_and(|v| !v.may.control));

    assert_eq!(f, Vec::<String>::new());
    // Nobody but the admin did anything to the runs and the request.
    t.wait_for(&secret_run, &["Cancelling", "Cancelled"]).await;
    assert_eq!(t.status(&web_run).await, "Waiting");
    let decided = t
        .portal
        .approval(&admin, &waiting)
        .await
        .expect("read")
        .request;
    assert_eq!(
        (decided.status.as_str(), decided.decided_by.as_str()),
        ("rejected", "root")
    );

    // Every "no" above is in the audit trail, naming who was refused: 17 for the visitor,
    // 11 for the web team member.
    for (user, refusals) in [("vic", 17), ("wes", 11)] {
        let counted = refusals_of(&t, user, refusals).await;
        assert_eq!(counted, refusals, "refusals of {user} recorded");
    }
}

/// How many refusals of `user` the audit trail holds, once it holds `expected` (they are
/// written in the background) or a while has passed.
async fn refusals_of(t: &TestPortal, user: &str, expected: usize) -> usize {
    let count = || async {
        t.audit()
            .await
            .iter()
            .filter(|r| r.user == user && r.action.as_str() == "refused")
            .count()
    };
    for _ in 0..200 {
        if count().await >= expected {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    count().await
}
