//! What one user may do: the grants that name them (or every right, for admins), and the check of
//! a start against them, grant by grant.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::file::Grants;
use crate::grant::{mode_label, Grant, Visibility, DEFAULT_EXECUTION_ROLE};

/// The group whose members may do everything, grants or not.
pub const ADMINS: &str = "admins";

/// The rights of one user. Sent to their browser, which shapes the wizard by them; the server
/// checks every request against them again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rights {
    pub admin: bool,
    /// The grants that name the user or one of their groups.
    pub grants: Vec<Grant>,
    /// May read the audit trail (named in the grants file's `[auditors]`).
    pub auditor: bool,
    /// The grants whose requests the user may approve (others' requests only).
    pub approves: Vec<String>,
    /// The grants whose runbooks' `aws:approve` steps the user may decide (server side only: the
    /// browser is told per execution).
    #[serde(skip)]
    pub decides_steps_of: Vec<Grant>,
}

/// A start as it would be sent to SSM, in the terms grants speak of.
#[derive(Debug, Clone)]
pub struct Start<'a> {
    pub runbook: &'a str,
    /// The version number that would run.
    pub version: &'a str,
    pub role: Option<&'a str>,
    /// The wizard's mode key (`simple`, `rate-control`, …).
    pub mode: &'a str,
    /// Every parameter's values as the automation would get them, defaults included (a target
    /// parameter's: the targeted values).
    pub parameters: &'a BTreeMap<String, Vec<String>>,
    /// The parameters the user gave (the rest take the runbook's defaults or a fixed value).
    pub given: &'a BTreeSet<String>,
    /// A parameter filled in by targets the portal cannot enumerate (tags, a resource group,
    /// all instances).
    pub open_target: Option<&'a str>,
    /// Every parameter this version of the runbook declares.
    pub declared: &'a [String],
    /// Where a multi-account and Region run goes.
    pub location: Option<Location<'a>>,
}

/// The accounts, Regions and execution role of a multi-account and Region run.
#[derive(Debug, Clone)]
pub struct Location<'a> {
    /// Account ids and organizational units.
    pub accounts: &'a [String],
    pub regions: &'a [String],
    /// The execution role's name; empty when the form names none (SSM's default then).
    pub execution_role: &'a str,
}

/// Why a start is refused, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refusal(pub String);

impl Rights {
    pub fn of(grants: &Grants, user: &str, groups: &[String]) -> Self {
        Self {
            admin: groups.iter().any(|g| g == ADMINS),
            grants: grants
                .grants
                .iter()
                .filter(|g| g.is_for(user, groups))
                .cloned()
                .collect(),
            auditor: grants.auditors.includes(user, groups),
            approves: grants
                .grants
                .iter()
                .filter(|g| g.approved_by(user, groups))
                .map(|g| g.name.clone())
                .collect(),
            decides_steps_of: grants
                .grants
                .iter()
                .filter(|g| g.step_approved_by(user, groups))
                .cloned()
                .collect(),
        }
    }

    pub fn may_audit(&self) -> bool {
        self.admin || self.auditor
    }

    /// Whether the user may approve or reject a request made under the grant named `grant`
    /// (the caller refuses a requester their own request).
    pub fn may_approve(&self, grant: &str) -> bool {
        self.admin || self.approves.iter().any(|g| g == grant)
    }

    /// The user's grants that cover `runbook`.
    pub fn for_runbook(&self, runbook: &str) -> Vec<&Grant> {
        self.grants.iter().filter(|g| g.covers(runbook)).collect()
    }

    /// The grant the wizard's form for `runbook` runs under: the one named `named`, else the
    /// first that covers it; none for an admin (who runs under no grant).
    pub fn run_under(&self, runbook: &str, named: &str) -> Option<&Grant> {
        if self.admin {
            return None;
        }
        let grants = self.for_runbook(runbook);
        grants
            .iter()
            .find(|g| g.name == named)
            .or(grants.first())
            .copied()
    }

    /// Whether the user may start `runbook` at all (in some way).
    pub fn may_run(&self, runbook: &str) -> bool {
        self.admin || !self.for_runbook(runbook).is_empty()
    }

    /// Whether `given`, a runbook as the user names it, could be one they may run once SSM
    /// resolves it. A name no grant could cover is refused before anyone asks AWS, so the
    /// answer is the same whether such a runbook exists or not.
    pub fn might_run(&self, given: &str) -> bool {
        self.admin || self.grants.iter().any(|g| g.might_cover(given))
    }

    /// Whether the user has any right at all (grants or admin).
    pub fn any(&self) -> bool {
        self.admin || !self.grants.is_empty()
    }

    /// Whether the user may see an execution of `runbook`, started by them or by someone else.
    /// Those who decide its approval steps see it too.
    pub fn may_see(&self, runbook: &str, started_by_them: bool) -> bool {
        self.admin
            || self
                .for_runbook(runbook)
                .into_iter()
                .any(|g| started_by_them || g.executions == Visibility::All)
            || self.may_decide_steps(runbook)
    }

    /// Whether the user may cancel, step, complete or resume an execution of `runbook`, started
    /// by them or by someone else. Seeing an execution is not enough.
    pub fn may_control(&self, runbook: &str, started_by_them: bool) -> bool {
        self.admin
            || self
                .for_runbook(runbook)
                .into_iter()
                .any(|g| started_by_them || g.controls() == Visibility::All)
    }

    /// Whether the user may approve or reject the `aws:approve` steps of executions of `runbook`
    /// (the caller refuses the execution's starter).
    pub fn may_decide_steps(&self, runbook: &str) -> bool {
        self.admin || self.decides_steps_of.iter().any(|g| g.covers(runbook))
    }

    /// The grant that allows the whole of `start`, or why none does: the refusal of the grant
    /// the user chose (`preferred`, by name), else of the first that covers the runbook.
    pub fn check(&self, start: &Start, preferred: Option<&str>) -> Result<Option<&Grant>, Refusal> {
        if self.admin {
            return Ok(None);
        }
        let mut refusals = Vec::new();
        for grant in self.for_runbook(start.runbook) {
            match check_one(grant, start) {
                Ok(()) => return Ok(Some(grant)),
                Err(refusal) => refusals.push((grant.name.as_str(), refusal)),
            }
        }
        let chosen = refusals
            .iter()
            .position(|(name, _)| Some(*name) == preferred)
            .unwrap_or(0);
        Err(if refusals.is_empty() {
            Refusal(format!(
                "You have no grant to run {}. Ask an administrator for one.",
                start.runbook
            ))
        } else {
            refusals.swap_remove(chosen).1
        })
    }
}

/// Every account, Region and the execution role of a multi-account run must be one the grant
/// names; a grant that names none allows no such run.
fn check_location(grant: &Grant, location: &Location) -> Result<(), String> {
    let Some(allowed) = &grant.multi_account else {
        return Err(
            "allows Multi-account and Region runs but names no accounts, Regions or \
             execution roles for them: ask an administrator to add multi_account = { accounts, \
             regions, execution_roles } to the grant"
                .into(),
        );
    };
    let listed = |patterns: &[String]| {
        if patterns.is_empty() {
            "none".to_owned()
        } else {
            patterns.join(", ")
        }
    };
    let outside = |values: &[String], patterns: &[String]| {
        values
            .iter()
            .find(|v| !crate::grant::matches_any(patterns, v))
            .cloned()
    };
    if let Some(account) = outside(location.accounts, &allowed.accounts) {
        return Err(format!(
            "does not allow runs in {account}: it allows the accounts {}",
            listed(&allowed.accounts)
        ));
    }
    if let Some(region) = outside(location.regions, &allowed.regions) {
        return Err(format!(
            "does not allow runs in the Region {region}: it allows {}",
            listed(&allowed.regions)
        ));
    }
    let role = match location.execution_role {
        "" => DEFAULT_EXECUTION_ROLE,
        named => named,
    };
    if !crate::grant::matches_any(&allowed.execution_roles, role) {
        return Err(format!(
            "does not allow the execution role {role}: it allows {}",
            listed(&allowed.execution_roles)
        ));
    }
    Ok(())
}

fn check_one(grant: &Grant, start: &Start) -> Result<(), Refusal> {
    let name = &grant.name;
    let refuse = |text: String| {
        Err(Refusal(format!(
            "Your grant “{name}” {text}. Nothing was started."
        )))
    };
    if let Some(version) = grant.version.as_deref().filter(|v| *v != start.version) {
        return refuse(format!(
            "allows version {version} of {} only, not version {}: run version {version}",
            start.runbook, start.version
        ));
    }
    match start.role {
        None | Some("") => {
            return refuse(format!(
                "runs {} only as a role: choose one of {}",
                start.runbook,
                grant.roles.join(", ")
            ))
        }
        Some(role) if !grant.allows_role(role) => {
            return refuse(format!(
                "does not allow the role {role}: choose one of {}",
                grant.roles.join(", ")
            ))
        }
        Some(_) => {}
    }
    if !grant.allows_mode(start.mode) {
        let allowed: Vec<&str> = grant.modes.iter().map(|m| mode_label(m)).collect();
        return refuse(format!(
            "does not allow {}: it allows {}",
            mode_label(start.mode),
            allowed.join(", ")
        ));
    }
    if let Some(location) = &start.location {
        check_location(grant, location).or_else(refuse)?;
    }
    for (parameter, rule) in &grant.parameters {
        // A rule the runbook cannot honour fails closed: the parameter was renamed in this
        // version, or the grants file spells it otherwise.
        if !start.declared.contains(parameter) {
            let spelled = start
                .declared
                .iter()
                .find(|d| d.eq_ignore_ascii_case(parameter))
                .map(|d| format!(" (it declares {d}: the grant must spell it so)"))
                .unwrap_or_default();
            return refuse(format!(
                "has a rule for the parameter {parameter}, which version {} of {} does not \
                 declare{spelled}, so the rule cannot be applied: ask an administrator to fix the \
                 grant",
                start.version, start.runbook
            ));
        }
        if start.open_target == Some(parameter.as_str()) {
            return refuse(format!(
                "limits {parameter}, and targets chosen by tag, resource group or all instances \
                 could reach any value of it: target by parameter values"
            ));
        }
        let values = start
            .parameters
            .get(parameter)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if let Some(fixed) = &rule.fixed {
            if values != [fixed.as_str()] || (rule.hidden && start.given.contains(parameter)) {
                // A hidden value stays on the server: a refusal does not tell it.
                return refuse(if rule.hidden {
                    format!("sets {parameter} itself: it cannot be given")
                } else {
                    format!("sets {parameter} to {fixed:?}: it cannot be changed")
                });
            }
        } else if rule.hidden && start.given.contains(parameter) {
            return refuse(format!(
                "leaves {parameter} at the runbook's default: it cannot be given"
            ));
        }
        if let Some(value) = values
            .iter()
            .find(|v| !rule.allowed.is_empty() && !rule.allowed.contains(v))
        {
            return refuse(format!(
                "does not allow {value:?} for {parameter}: choose one of {}",
                rule.allowed.join(", ")
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    const ROLE: &str = "arn:aws:iam::123456789012:role/Restart";

    fn grants() -> Grants {
        Grants::parse(
            Path::new("grants.toml"),
            r#"
            [[grant]]
            name = "Restart web"
            groups = ["web"]
            runbooks = ["Restart*"]
            version = "3"
            roles = ["arn:aws:iam::123456789012:role/Restart"]
            modes = ["simple", "manual"]
            executions = "all"
            [grant.parameters.InstanceId]
            allowed = ["i-1", "i-2"]
            [grant.parameters.WarmUp]
            fixed = "PT1M"
            hidden = true

            [[grant]]
            name = "Stop anything, alone"
            users = ["ann"]
            runbooks = ["Stop*"]
            roles = ["arn:aws:iam::123456789012:role/Stop*"]
            modes = ["rate-control"]
            approval = { groups = ["leads"] }
            "#,
        )
        .expect("valid grants")
    }

    fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), vec![(*v).to_owned()]))
            .collect()
    }

    static NONE_GIVEN: BTreeSet<String> = BTreeSet::new();

    fn declared() -> &'static [String] {
        static DECLARED: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        DECLARED.get_or_init(|| {
            ["InstanceId", "WarmUp", "AutomationAssumeRole"]
                .map(str::to_owned)
                .to_vec()
        })
    }

    fn start<'a>(
        runbook: &'a str,
        role: &'a str,
        mode: &'a str,
        parameters: &'a BTreeMap<String, Vec<String>>,
    ) -> Start<'a> {
        Start {
            runbook,
            version: "3",
            role: Some(role),
            mode,
            parameters,
            given: &NONE_GIVEN,
            open_target: None,
            declared: declared(),
            location: None,
        }
    }

    #[test]
    fn a_start_inside_one_grant_is_allowed_and_each_step_outside_refused() {
        let rights = Rights::of(&grants(), "bob", &["web".into()]);
        let good = params(&[("InstanceId", "i-1"), ("WarmUp", "PT1M")]);
        let allowed = rights.check(&start("RestartWeb", ROLE, "simple", &good), None);
        assert_eq!(
            allowed.expect("allowed").map(|g| g.name.as_str()),
            Some("Restart web")
        );

        let refused = |s: Start| rights.check(&s, None).expect_err("refused").0;
        assert!(
            refused(start("StopWeb", ROLE, "simple", &good)).contains("no grant to run StopWeb")
        );
        assert!(refused(start(
            "RestartWeb",
            "arn:aws:iam::123456789012:role/Admin",
            "simple",
            &good
        ))
        .contains("does not allow the role arn:aws:iam::123456789012:role/Admin"));
        assert!(refused(start("RestartWeb", ROLE, "rate-control", &good))
            .contains("does not allow Rate control: it allows Simple execution, Manual execution"));
        let other_instance = params(&[("InstanceId", "i-9"), ("WarmUp", "PT1M")]);
        assert!(
            refused(start("RestartWeb", ROLE, "simple", &other_instance))
                .contains("does not allow \"i-9\" for InstanceId: choose one of i-1, i-2")
        );
        let changed = params(&[("InstanceId", "i-1"), ("WarmUp", "PT9M")]);
        let changed = refused(start("RestartWeb", ROLE, "simple", &changed));
        assert!(
            changed.contains("sets WarmUp itself") && !changed.contains("PT1M"),
            "{changed}"
        );
        let mut old = start("RestartWeb", ROLE, "simple", &good);
        old.version = "2";
        assert!(refused(old).contains("allows version 3 of RestartWeb only"));
        let mut no_role = start("RestartWeb", ROLE, "simple", &good);
        no_role.role = None;
        assert!(refused(no_role).contains("only as a role"));
        let given = BTreeSet::from(["WarmUp".to_owned()]);
        let mut crafted = start("RestartWeb", ROLE, "simple", &good);
        crafted.given = &given;
        assert!(refused(crafted).contains("sets WarmUp itself"));
        let mut tagged = start("RestartWeb", ROLE, "simple", &good);
        tagged.open_target = Some("InstanceId");
        assert!(refused(tagged).contains("target by parameter values"));
    }

    #[test]
    fn rights_never_combine_across_grants() {
        // ann has both grants: the role of one and the mode of the other do not add up.
        let rights = Rights::of(&grants(), "ann", &["web".into()]);
        let good = params(&[("InstanceId", "i-1"), ("WarmUp", "PT1M")]);
        assert!(rights
            .check(&start("RestartWeb", ROLE, "rate-control", &good), None)
            .is_err());
        let stop = params(&[]);
        let stop_role = "arn:aws:iam::123456789012:role/StopOnly";
        assert!(rights
            .check(&start("StopWeb", stop_role, "rate-control", &stop), None)
            .is_ok());
        assert!(rights
            .check(&start("StopWeb", ROLE, "rate-control", &stop), None)
            .is_err());
    }

    #[test]
    fn admins_may_do_anything_and_strangers_nothing() {
        let admin = Rights::of(&grants(), "root", &[ADMINS.into()]);
        let any = params(&[("InstanceId", "i-9")]);
        assert!(admin
            .check(&start("Anything", "x", "multi-account", &any), None)
            .is_ok());
        assert!(admin.may_see("Anything", false));
        let stranger = Rights::of(&grants(), "eve", &["finance".into()]);
        assert!(!stranger.any() && !stranger.may_run("RestartWeb"));
        assert!(!stranger.may_see("RestartWeb", true));
        assert!(admin.may_audit() && !stranger.may_audit());
        assert!(admin.may_approve("Stop anything, alone") && !stranger.may_approve("Restart web"));
    }

    #[test]
    fn approvers_need_no_grant_of_their_own() {
        let lead = Rights::of(&grants(), "lee", &["leads".into()]);
        assert!(!lead.any() && !lead.may_run("StopWeb"));
        assert!(lead.may_approve("Stop anything, alone"));
        assert!(!lead.may_approve("Restart web"));
    }

    #[test]
    fn executions_are_seen_by_their_grant_visibility() {
        let ann = Rights::of(&grants(), "ann", &[]);
        assert!(ann.may_see("StopWeb", true) && !ann.may_see("StopWeb", false));
        let bob = Rights::of(&grants(), "bob", &["web".into()]);
        assert!(bob.may_see("RestartWeb", false) && !bob.may_see("StopWeb", true));
    }

    fn grant_file(text: &str) -> Grants {
        Grants::parse(Path::new("grants.toml"), text).expect("valid grants")
    }

    #[test]
    fn seeing_everyones_executions_is_not_controlling_them() {
        let grants = grant_file(
            r#"
            [[grant]]
            name = "Watch"
            groups = ["web"]
            runbooks = ["Restart*"]
            roles = ["arn:aws:iam::123456789012:role/R"]
            executions = "all"

            [[grant]]
            name = "Operate"
            groups = ["ops"]
            runbooks = ["Restart*"]
            roles = ["arn:aws:iam::123456789012:role/R"]
            executions = "all"
            control = "all"
            "#,
        );
        let bob = Rights::of(&grants, "bob", &["web".into()]);
        assert!(bob.may_see("RestartWeb", false));
        assert!(!bob.may_control("RestartWeb", false));
        assert!(bob.may_control("RestartWeb", true));
        assert!(!bob.may_control("StopWeb", true), "no grant, no control");
        let oscar = Rights::of(&grants, "oscar", &["ops".into()]);
        assert!(oscar.may_control("RestartWeb", false));
        let admin = Rights::of(&grants, "root", &[ADMINS.into()]);
        assert!(admin.may_control("Anything", false));
        let notices = grants.notices().join("\n");
        assert!(notices.contains("grant \"Watch\" shows everyone's executions but lets its users"));
        assert!(!notices.contains("grant \"Operate\" shows"));
    }

    #[test]
    fn a_name_pattern_never_admits_another_accounts_runbook() {
        let grants = grant_file(
            r#"
            [[grant]]
            name = "Team A by name"
            users = ["bob"]
            runbooks = ["TeamA-*"]
            roles = ["arn:aws:iam::123456789012:role/R"]

            [[grant]]
            name = "Team A shared"
            users = ["ann"]
            runbooks = ["arn:aws:ssm:*:111122223333:document/TeamA-*"]
            roles = ["arn:aws:iam::123456789012:role/R"]
            "#,
        );
        let shared = "arn:aws:ssm:us-east-1:111122223333:document/TeamA-StopTaggedInstances";
        let bob = Rights::of(&grants, "bob", &[]);
        assert!(bob.may_run("TeamA-Own"));
        assert!(!bob.may_run(shared));
        let ann = Rights::of(&grants, "ann", &[]);
        assert!(ann.may_run(shared));
        assert!(
            !ann.may_run("TeamA-StopTaggedInstances"),
            "the own account's is another runbook"
        );
        assert!(!ann.may_run("arn:aws:ssm:us-east-1:444455556666:document/TeamA-Stop"));
        // Before SSM resolves it, a bare name might be either account's; other names are not.
        assert!(ann.might_run("TeamA-StopTaggedInstances") && ann.might_run(shared));
        assert!(bob.might_run("TeamA-Own") && bob.might_run(shared));
        assert!(bob.might_run("arn:aws:ssm:us-east-1:123456789012:document/TeamA-Own"));
        assert!(!bob.might_run("AWS-CreateImage") && !ann.might_run("TeamB-Stop"));
        assert!(!ann.might_run("arn:aws:ssm:us-east-1:111122223333:document/TeamB-Stop"));
        let bad = Grants::parse(
            Path::new("grants.toml"),
            "[[grant]]\nname = \"A\"\nusers = [\"a\"]\nruns = 1\n",
        );
        assert!(bad.is_err());
        let wrong_arn = Grants::parse(
            Path::new("grants.toml"),
            "[[grant]]\nname = \"A\"\nusers = [\"a\"]\nrunbooks = [\"arn:aws:ssm:us-east-1:1111:document/X\"]\nroles = [\"arn:aws:iam::123456789012:role/R\"]\n",
        )
        .expect_err("not an ARN");
        assert!(
            wrong_arn.to_string().contains("is not a runbook ARN"),
            "{wrong_arn}"
        );
    }

    #[test]
    fn multi_account_runs_go_only_where_the_grant_names() {
        let grants = grant_file(
            r#"
            [[grant]]
            name = "Fleet"
            users = ["bob"]
            runbooks = ["Restart*"]
            roles = ["arn:aws:iam::123456789012:role/Restart"]
            modes = ["multi-account"]
            multi_account = { accounts = ["111122223333"], regions = ["us-*"], execution_roles = ["FleetRole"] }

            [[grant]]
            name = "Old file"
            users = ["ann"]
            runbooks = ["Restart*"]
            roles = ["arn:aws:iam::123456789012:role/Restart"]
            modes = ["multi-account"]
            "#,
        );
        let values = params(&[]);
        let accounts = |a: &[&str]| a.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        let check = |who: &str, acc: &[&str], regions: &[&str], role: &str| {
            let rights = Rights::of(&grants, who, &[]);
            let (acc, regions) = (accounts(acc), accounts(regions));
            let mut s = start("RestartWeb", ROLE, "multi-account", &values);
            s.location = Some(Location {
                accounts: &acc,
                regions: &regions,
                execution_role: role,
            });
            rights.check(&s, None).map(|_| ()).map_err(|r| r.0)
        };
        assert!(check("bob", &["111122223333"], &["us-east-1"], "FleetRole").is_ok());
        let elsewhere = check(
            "bob",
            &["111122223333", "444455556666"],
            &["us-east-1"],
            "FleetRole",
        );
        assert!(elsewhere
            .expect_err("refused")
            .contains("does not allow runs in 444455556666"));
        let region = check("bob", &["111122223333"], &["eu-west-1"], "FleetRole");
        assert!(region.expect_err("refused").contains("Region eu-west-1"));
        let default_role = check("bob", &["111122223333"], &["us-east-1"], "");
        assert!(default_role
            .expect_err("refused")
            .contains("execution role AWS-SystemsManager-AutomationExecutionRole"));
        let old = check("ann", &["111122223333"], &["us-east-1"], "FleetRole");
        assert!(old.expect_err("refused").contains("names no accounts"));
        assert!(grants
            .notices()
            .iter()
            .any(|n| n.contains("\"Old file\" allows multi-account")));
    }

    #[test]
    fn a_rule_the_runbook_cannot_honour_fails_closed() {
        let grants = grant_file(
            r#"
            [[grant]]
            name = "Mis-cased"
            users = ["bob"]
            runbooks = ["Restart*"]
            roles = ["arn:aws:iam::123456789012:role/Restart"]
            [grant.parameters.instanceid]
            allowed = ["i-1"]
            "#,
        );
        let rights = Rights::of(&grants, "bob", &[]);
        let values = params(&[("InstanceId", "i-9")]);
        let refused = rights
            .check(&start("RestartWeb", ROLE, "simple", &values), None)
            .expect_err("refused");
        assert!(
            refused.0.contains("rule for the parameter instanceid")
                && refused.0.contains("it declares InstanceId"),
            "{refused}"
        );
    }

    #[test]
    fn a_hidden_fixed_value_never_reaches_the_browser() {
        let rights = Rights::of(&grants(), "bob", &["web".into()]);
        let sent = serde_json::to_string(&rights).expect("serialises");
        assert!(!sent.contains("PT1M"), "{sent}");
        assert!(sent.contains("\"hidden\":true"));
        let shown = grant_file(
            "[[grant]]\nname = \"A\"\nusers = [\"bob\"]\nrunbooks = [\"X\"]\nroles = [\"arn:aws:iam::123456789012:role/R\"]\n[grant.parameters.Level]\nfixed = \"shown-value\"\n",
        );
        let sent = serde_json::to_string(&Rights::of(&shown, "bob", &[])).expect("serialises");
        assert!(
            sent.contains("shown-value"),
            "a visible fixed value is the form's: {sent}"
        );
    }

    #[test]
    fn step_approvers_are_named_or_default_to_the_grants_approvers() {
        let grants = grant_file(
            r#"
            [[grant]]
            name = "Named"
            users = ["bob"]
            runbooks = ["Review*"]
            roles = ["arn:aws:iam::123456789012:role/R"]
            step_approvers = { groups = ["reviewers"] }

            [[grant]]
            name = "Four eyes"
            users = ["bob"]
            runbooks = ["Prod*"]
            roles = ["arn:aws:iam::123456789012:role/R"]
            approval = { groups = ["leads"] }
            "#,
        );
        let reviewer = Rights::of(&grants, "rita", &["reviewers".into()]);
        assert!(reviewer.may_decide_steps("ReviewWeb") && !reviewer.may_decide_steps("ProdWeb"));
        assert!(
            reviewer.may_see("ReviewWeb", false),
            "a step approver sees what they decide"
        );
        assert!(!reviewer.may_control("ReviewWeb", false));
        let lead = Rights::of(&grants, "lee", &["leads".into()]);
        assert!(lead.may_decide_steps("ProdWeb"));
        let bob = Rights::of(&grants, "bob", &[]);
        assert!(!bob.may_decide_steps("ReviewWeb") && !bob.may_decide_steps("ProdWeb"));
    }
}
