//! The service layer wired together in one call, in the style of crates.io's `TestApp`: an
//! embedded emulator on a fast clock, a database in a temporary directory, grants from a TOML
//! string and the [`Portal`] over them. Each test gets its own of everything, so tests run side
//! by side and leave nothing behind.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use accounts::{AuditQuery, AuditRecord, AuditTrail, Users};
use aws_sdk_ssm::types::{
    AutomationExecutionFilter, AutomationExecutionFilterKey, DocumentFormat, DocumentType,
};
use backend::Backend;
use domain::audit::{Action, Outcome};
use domain::wizard::WizardForm;
use domain::{ClientInfo, PortalError, SignedIn};
use emulator::{Emulator, EmulatorConfig, RunningEmulator};
use grants::{LiveGrants, SecretNames};
use portal::{Portal, Records, Started, Viewer};
use serde_json::{json, Value};
use tempfile::TempDir;

/// The automation service role of the emulator's seed (the sample grants' role).
pub const ROLE: &str = "arn:aws:iam::123456789012:role/AmazonSSMAutomationRole";
/// Another role of the seed, which no test grant names.
pub const READ_ONLY_ROLE: &str = "arn:aws:iam::123456789012:role/SSMAutomationReadOnlyRole";
/// Who the portal acts as on the emulator: the only approver AWS ever sees.
pub const PORTAL_ARN: &str = "arn:aws:sts::123456789012:assumed-role/Administrator/Admin";

/// Fast enough that one-second steps take 10 ms, slow enough that a run is seen waiting.
const TIME_SCALE: f64 = 100.0;
/// How long a test waits for the emulator (or a record written in the background).
const PATIENCE: Duration = Duration::from_secs(10);

/// The emulator's clock and faults for these tests.
fn emulator_config() -> EmulatorConfig {
    EmulatorConfig {
        time_scale: TIME_SCALE,
        // No fault unless a test puts one in force (`inject`).
        faults: Some(Vec::new()),
        ..EmulatorConfig::default()
    }
}

pub struct TestPortal {
    pub portal: Arc<Portal>,
    /// The emulator as AWS, to read what really happened (the portal hands out no client).
    pub aws: Arc<Backend>,
    /// The local accounts (an approved start is checked as its requester is now).
    pub users: Users,
    audit: AuditTrail,
    grants: Arc<LiveGrants>,
    grants_file: PathBuf,
    // Kept for the portal's lifetime: dropping them stops the emulator and removes the data.
    emulator: Option<RunningEmulator>,
    emulator_addr: std::net::SocketAddr,
    _data: TempDir,
}

impl TestPortal {
    /// A portal under `grants` (the grants file's TOML), wired as `server/src/serve.rs` does.
    pub async fn new(grants: &str) -> Self {
        Self::configured(grants, |portal| portal).await
    }

    /// As `new`, the portal then set up by `configure` (its `with_…` settings).
    pub async fn configured(grants: &str, configure: impl FnOnce(Portal) -> Portal) -> Self {
        let emulator = Emulator::new(emulator_config())
            .expect("the emulator's built-in seed loads")
            .start_on_loopback()
            .await
            .expect("the emulator listens on loopback");
        let backend = Arc::new(Backend::emulator(&emulator.endpoint_url(), "us-east-1").await);
        let data = tempfile::tempdir().expect("a temporary data directory");
        // From a file, not `LiveGrants::fixed`: a test changes the grants in force the way an
        // operator does, by editing the file and reloading it.
        let grants_file = data.path().join("grants.toml");
        std::fs::write(&grants_file, grants).expect("the grants file is written");
        let live = Arc::new(LiveGrants::load(&grants_file).expect("the test's grants are valid"));
        let pool = accounts::open(data.path())
            .await
            .expect("the database opens");
        let users = Users::new(&pool);
        let audit = AuditTrail::new(&pool);
        let portal = Portal::new(
            backend.clone(),
            live.clone(),
            Records::new(&pool),
            SecretNames::default(),
        );
        Self {
            portal: Arc::new(configure(portal)),
            aws: backend,
            users,
            audit,
            grants: live,
            grants_file,
            emulator_addr: emulator.addr,
            emulator: Some(emulator),
            _data: data,
        }
    }

    /// Stops the emulator and starts a new one where it was: AWS as a restarted emulator is,
    /// reachable again but knowing none of the runs before.
    pub async fn restart_emulator(&mut self) {
        // The old one stops when dropped; its port is free once its connections are closed.
        self.emulator = None;
        let fresh = Emulator::new(emulator_config()).expect("the emulator's built-in seed loads");
        let started = tokio::time::timeout(PATIENCE, async {
            loop {
                match fresh.clone().start_on(self.emulator_addr).await {
                    Ok(running) => return running,
                    Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
                }
            }
        })
        .await
        .expect("the emulator starts again on its port");
        self.emulator = Some(started);
    }

    /// Puts a fault rule in force on the emulator (its `/_emulator/faults` JSON): AWS misbehaving.
    pub async fn inject(&self, rule: Value) {
        let answer = self
            .ask_emulator("POST", "/_emulator/faults", &rule.to_string())
            .await;
        assert!(answer.starts_with("HTTP/1.1 201"), "{rule}: {answer}");
    }

    /// How many calls the emulator's faults have struck so far.
    pub async fn faults_struck(&self) -> u64 {
        let answer = self.ask_emulator("GET", "/_emulator/faults", "").await;
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        let listed: Value = serde_json::from_str(body).expect("the faults in force, as JSON");
        listed["faults"]
            .as_array()
            .map(|all| all.iter().filter_map(|f| f["injected"].as_u64()).sum())
            .unwrap_or_default()
    }

    /// How many AWS calls the emulator has answered, of every service.
    pub async fn aws_calls(&self) -> u64 {
        let answer = self.ask_emulator("GET", "/_emulator/metrics", "").await;
        answer
            .lines()
            .filter(|l| l.starts_with("emulator_requests_total{"))
            .filter_map(|l| l.rsplit(' ').next()?.trim().parse::<u64>().ok())
            .sum()
    }

    /// How many times the emulator has answered SSM's `operation`.
    pub async fn ssm_calls(&self, operation: &str) -> u64 {
        let answer = self.ask_emulator("GET", "/_emulator/metrics", "").await;
        let line = format!("emulator_requests_total{{service=\"ssm\",operation=\"{operation}\"}} ");
        answer
            .lines()
            .find_map(|l| l.strip_prefix(&line)?.trim().parse().ok())
            .unwrap_or_default()
    }

    /// One request to the emulator's own endpoints; the whole answer.
    async fn ask_emulator(&self, method: &str, path: &str, body: &str) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let host = self.emulator_addr.to_string();
        let mut stream = tokio::net::TcpStream::connect(&host)
            .await
            .expect("the emulator answers");
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .await
            .expect("the request is sent");
        let mut answer = String::new();
        stream
            .read_to_string(&mut answer)
            .await
            .expect("the emulator answers");
        answer
    }

    /// Replaces the grants in force, as an operator's edit of the file does.
    pub fn set_grants(&self, grants: &str) {
        std::fs::write(&self.grants_file, grants).expect("the grants file is written");
        self.grants.reload(false).expect("the new grants are valid");
    }

    /// `name`, in `groups`, signed in and asking now (their rights are the grants in force).
    pub fn viewer(&self, name: &str, groups: &[&str]) -> Viewer {
        self.admit(name, groups).expect("not held back")
    }

    /// `name`, in `groups`, asking now: admitted, or held back.
    pub fn admit(&self, name: &str, groups: &[&str]) -> Result<Viewer, PortalError> {
        self.portal.viewer(
            SignedIn {
                name: name.to_owned(),
                groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            },
            ClientInfo {
                address: "127.0.0.1".into(),
                user_agent: "rules test".into(),
            },
            "POST /rules-test",
        )
    }

    /// A member of `admins`.
    pub fn admin(&self) -> Viewer {
        self.viewer("root", &["admins"])
    }

    /// Creates an Automation runbook of the portal's own account from JSON `content`.
    pub async fn add_runbook(&self, name: &str, content: Value) {
        self.aws
            .ssm
            .create_document()
            .name(name)
            .document_type(DocumentType::Automation)
            .document_format(DocumentFormat::Json)
            .content(content.to_string())
            .send()
            .await
            .unwrap_or_else(|e| panic!("the runbook {name} is created: {e:?}"));
    }

    /// Adds a version of runbook `name` with JSON `content`; answers its number.
    pub async fn add_version(&self, name: &str, content: Value) -> String {
        self.aws
            .ssm
            .update_document()
            .name(name)
            .document_version("$LATEST")
            .document_format(DocumentFormat::Json)
            .content(content.to_string())
            .send()
            .await
            .unwrap_or_else(|e| panic!("a version of {name} is added: {e:?}"))
            .document_description
            .and_then(|d| d.document_version)
            .unwrap_or_default()
    }

    /// Makes `version` the default version of runbook `name`.
    pub async fn set_default_version(&self, name: &str, version: &str) {
        self.aws
            .ssm
            .update_document_default_version()
            .name(name)
            .document_version(version)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}'s default becomes {version}: {e:?}"));
    }

    /// A runbook acting as its `AutomationAssumeRole` parameter, with `parameters` besides it.
    pub async fn add_simple_runbook(&self, name: &str, parameters: Value, steps: Value) {
        self.add_runbook(name, content(parameters, steps)).await;
    }

    /// A runbook whose run waits at an `aws:pause` step until resumed or cancelled.
    pub async fn add_pausing_runbook(&self, name: &str) {
        self.add_simple_runbook(
            name,
            json!({ "Note": { "type": "String", "default": "none" } }),
            json!([
                { "name": "waitForResume", "action": "aws:pause", "inputs": {} },
                { "name": "settle", "action": "aws:sleep", "inputs": { "Duration": "PT1S" } },
            ]),
        )
        .await;
    }

    /// What `who` starts with the wizard's `pairs` (`p.<name>` for parameters) for `runbook`.
    pub async fn start(
        &self,
        who: &Viewer,
        runbook: &str,
        pairs: &[(&str, &str)],
    ) -> Result<Started, PortalError> {
        let form = WizardForm::from_pairs(runbook, pairs.iter().copied());
        self.portal.start(who, &form).await
    }

    /// Asserts that `who`'s start of `runbook` with `pairs` is refused for a reason that says
    /// `why`, that the refusal is in the audit trail, and that nothing of `runbook` started.
    pub async fn refused_start(
        &self,
        who: &Viewer,
        runbook: &str,
        pairs: &[(&str, &str)],
        why: &str,
    ) {
        let refused = forbidden(self.start(who, runbook, pairs).await);
        assert!(refused.contains(why), "{refused}");
        self.refusal(who.name(), why).await;
        assert_eq!(self.started_count(runbook).await, 0, "nothing started");
    }

    /// Starts `runbook` as `who` with the grant's role and `pairs`; answers the execution id.
    pub async fn run(&self, who: &Viewer, runbook: &str, pairs: &[(&str, &str)]) -> String {
        let mut pairs = pairs.to_vec();
        pairs.push(("p.AutomationAssumeRole", ROLE));
        match self.start(who, runbook, &pairs).await {
            Ok(Started::Execution(id)) => id,
            other => panic!("{} starts {runbook}: {other:?}", who.name()),
        }
    }

    /// Asks to start `runbook` as `who` under a four-eyes grant; answers the request's id.
    pub async fn request(&self, who: &Viewer, runbook: &str, pairs: &[(&str, &str)]) -> String {
        let mut pairs = pairs.to_vec();
        pairs.push(("p.AutomationAssumeRole", ROLE));
        match self.start(who, runbook, &pairs).await {
            Ok(Started::AwaitingApproval(id)) => id,
            other => panic!("{} asks to start {runbook}: {other:?}", who.name()),
        }
    }

    /// Starts a run of a pausing runbook as `who` and waits until it waits.
    pub async fn waiting_run(&self, who: &Viewer, runbook: &str) -> String {
        let id = self.run(who, runbook, &[]).await;
        self.wait_for(&id, &["Waiting"]).await;
        id
    }

    /// Execution `id` as AWS (the emulator) tells it, whatever the portal says.
    pub async fn execution(&self, id: &str) -> aws_sdk_ssm::types::AutomationExecution {
        self.aws
            .ssm
            .get_automation_execution()
            .automation_execution_id(id)
            .send()
            .await
            .unwrap_or_else(|e| panic!("execution {id} is read: {e:?}"))
            .automation_execution
            .unwrap_or_else(|| panic!("execution {id} exists"))
    }

    pub async fn status(&self, id: &str) -> String {
        self.execution(id)
            .await
            .automation_execution_status
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default()
    }

    /// Waits until execution `id` is in one of `statuses`; answers that status.
    pub async fn wait_for(&self, id: &str, statuses: &[&str]) -> String {
        let mut status = String::new();
        let waited = tokio::time::timeout(PATIENCE, async {
            loop {
                status = self.status(id).await;
                if statuses.contains(&status.as_str()) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(
            waited.is_ok(),
            "execution {id} is {status}, not one of {statuses:?}"
        );
        status
    }

    /// The executions of `runbook`, children included, as AWS lists them: (id, parent).
    pub async fn executions_of(&self, runbook: &str) -> Vec<(String, String)> {
        let filter = AutomationExecutionFilter::builder()
            .key(AutomationExecutionFilterKey::DocumentNamePrefix)
            .values(runbook)
            .build()
            .expect("a valid filter");
        let listed = self
            .aws
            .ssm
            .describe_automation_executions()
            .filters(filter)
            .max_results(50)
            .send()
            .await
            .expect("the executions are listed");
        listed
            .automation_execution_metadata_list()
            .iter()
            .filter(|e| e.document_name() == Some(runbook))
            .map(|e| {
                (
                    e.automation_execution_id().unwrap_or_default().to_owned(),
                    e.parent_automation_execution_id()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
            .collect()
    }

    /// How many runs of `runbook` were started (children not counted).
    pub async fn started_count(&self, runbook: &str) -> usize {
        self.executions_of(runbook)
            .await
            .iter()
            .filter(|(_, parent)| parent.is_empty())
            .count()
    }

    /// Waits until `parent` has `count` child executions; answers their ids.
    pub async fn children_of(&self, runbook: &str, parent: &str, count: usize) -> Vec<String> {
        let mut children = Vec::new();
        let waited = tokio::time::timeout(PATIENCE, async {
            loop {
                children = self
                    .executions_of(runbook)
                    .await
                    .into_iter()
                    .filter(|(_, p)| p == parent)
                    .map(|(id, _)| id)
                    .collect();
                if children.len() >= count {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
        .await;
        assert!(
            waited.is_ok(),
            "{parent} has {} children, not {count}",
            children.len()
        );
        children
    }

    /// The whole audit trail, newest first.
    pub async fn audit(&self) -> Vec<AuditRecord> {
        self.audit
            .list(&AuditQuery {
                limit: 10_000,
                ..AuditQuery::default()
            })
            .await
            .expect("the audit trail is read")
    }

    /// The `refused` record of `user` whose detail says `about`. Refusals are recorded in the
    /// background (the answer does not wait for the database), so this waits for it a while.
    pub async fn refusal(&self, user: &str, about: &str) -> AuditRecord {
        let found = tokio::time::timeout(PATIENCE, async {
            loop {
                let refused = self.audit().await.into_iter().find(|r| {
                    r.action == Action::Refused
                        && r.outcome == Outcome::Refused
                        && r.user == user
                        && r.detail.contains(about)
                });
                match refused {
                    Some(record) => return record,
                    None => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        })
        .await;
        let trail: Vec<String> = match &found {
            Ok(_) => Vec::new(),
            Err(_) => self
                .audit()
                .await
                .iter()
                .map(|r| format!("{} {} {}: {}", r.user, r.action, r.outcome, r.detail))
                .collect(),
        };
        found.unwrap_or_else(|_| {
            panic!("no refused record of {user} about {about:?} in the audit trail: {trail:#?}")
        })
    }
}

/// A runbook's content: it acts as its `AutomationAssumeRole` parameter, declared besides
/// `parameters`, and runs `steps`.
pub fn content(parameters: Value, steps: Value) -> Value {
    let mut declared = json!({ "AutomationAssumeRole": { "type": "String", "default": "" } });
    if let (Some(all), Some(more)) = (declared.as_object_mut(), parameters.as_object()) {
        all.extend(more.clone());
    }
    json!({
        "schemaVersion": "0.3",
        "assumeRole": "{{ AutomationAssumeRole }}",
        "parameters": declared,
        "mainSteps": steps,
    })
}

/// The text of a refusal (403); any other answer fails the test.
pub fn forbidden<T: std::fmt::Debug>(answer: Result<T, PortalError>) -> String {
    match answer {
        Err(PortalError::Forbidden(text)) => text,
        other => panic!("expected a refusal (Forbidden), got {other:?}"),
    }
}

/// The field errors of an invalid request (400); any other answer fails the test.
pub fn invalid<T: std::fmt::Debug>(answer: Result<T, PortalError>) -> Vec<domain::FieldError> {
    match answer {
        Err(PortalError::Invalid(errors)) => errors,
        other => panic!("expected a mistake (Invalid), got {other:?}"),
    }
}
