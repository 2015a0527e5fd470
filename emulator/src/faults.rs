//! Faults on demand: AWS as its users meet it on a bad day. Rules pick calls by service and
//! operation (`*` and `?` patterns) and give them a throttling error, a 500 or 503, an expired
//! token, added latency, or a lost answer (the operation runs, its answer never arrives: what a
//! client retrying a start must survive). A rule applies to every matching call, to a share of them
//! (`probability`), to the calls beyond a rate (`per_second`, as AWS's API quotas do), or to the
//! next `count` of them.
//!
//! Off by default: the control (`/_emulator/faults`) answers only on an emulator started with
//! fault injection on (`runbook-portal emulator --fault-injection`, or `--faults FILE`).

use std::sync::Mutex;
use std::time::{Duration, Instant};

use http::StatusCode;
use serde::{Deserialize, Serialize};

use crate::AwsError;

/// What a rule does to a call it picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// The service's throttling error (SSM `ThrottlingException`, IAM/STS `Throttling`, EC2
    /// `RequestLimitExceeded`).
    Throttle,
    /// 500: the service's internal error.
    InternalError,
    /// 503: the service is unavailable.
    Unavailable,
    /// The caller's credentials have expired (`ExpiredTokenException` / `ExpiredToken`).
    ExpiredCredentials,
    /// The answer comes `millis` late (the call then goes on, or meets another rule's fault).
    Latency,
    /// The operation runs but its answer is lost: the connection breaks before it arrives.
    Drop,
}

/// One rule, as the control and the `--faults` file take it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// `ssm`, `iam`, `sts`, `ec2`, or a pattern (`*`: every service).
    #[serde(default = "every")]
    pub service: String,
    /// An operation name as the API spells it, or a pattern (`Describe*`, `*`).
    #[serde(default = "every")]
    pub operation: String,
    pub fault: FaultKind,
    /// Only the next this many matching calls; the rule is then spent and removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Let this many matching calls through per second (a burst of as many), fault the rest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub per_second: Option<f64>,
    /// The share of matching calls that meet the fault, from 0 to 1 [default: 1].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
    /// For `latency`: how many milliseconds the answer is delayed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub millis: Option<u64>,
}

fn every() -> String {
    "*".to_owned()
}

const SERVICES: [&str; 4] = ["ssm", "iam", "sts", "ec2"];
/// More than any test needs, and an hour of latency stalls nothing that matters for longer.
const MAX_MILLIS: u64 = 3_600_000;

impl FaultRule {
    /// Refuses a rule that could never apply or that says two things at once, with the reason.
    fn checked(self) -> Result<(Self, Pattern, Pattern), String> {
        let service = Pattern::new(&self.service)?;
        if !SERVICES.iter().any(|s| service.matches(s)) {
            return Err(format!(
                "service {:?} matches none of the emulator's services ({}): use one of them or a pattern such as \"*\"",
                self.service,
                SERVICES.join(", ")
            ));
        }
        let operation = Pattern::new(&self.operation)?;
        if let Some(p) = self.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("probability {p} is not between 0 and 1"));
            }
        }
        if let Some(rate) = self.per_second {
            if !(rate.is_finite() && rate > 0.0) {
                return Err(format!(
                    "per_second {rate} is not a positive number of calls per second"
                ));
            }
        }
        if self.count == Some(0) {
            return Err("count 0 would never apply: leave it out to apply to every call".into());
        }
        match (self.fault, self.millis) {
            (FaultKind::Latency, None) => {
                return Err("a latency fault needs millis: how long to delay the answer".into())
            }
            (FaultKind::Latency, Some(ms)) if ms > MAX_MILLIS => {
                return Err(format!("millis {ms} is more than an hour ({MAX_MILLIS})"))
            }
            (FaultKind::Latency, Some(_)) => {}
            (_, Some(_)) => return Err("millis applies to latency faults only".into()),
            (_, None) => {}
        }
        Ok((self, service, operation))
    }
}

/// A name pattern: `*` any run of characters, `?` one; matched whole, case-sensitively (as AWS
/// spells operations).
#[derive(Debug, Clone)]
struct Pattern(regex::Regex);

impl Pattern {
    fn new(text: &str) -> Result<Self, String> {
        if text.is_empty() {
            return Err("an empty pattern matches nothing: use \"*\" for every name".into());
        }
        let mut re = String::from("^");
        for c in text.chars() {
            match c {
                '*' => re.push_str(".*"),
                '?' => re.push('.'),
                c => re.push_str(&regex::escape(&c.to_string())),
            }
        }
        re.push('$');
        regex::Regex::new(&re)
            .map(Self)
            .map_err(|e| format!("pattern {text:?}: {e}"))
    }

    fn matches(&self, name: &str) -> bool {
        self.0.is_match(name)
    }
}

/// A rule in force, with what it has done so far.
#[derive(Debug, Clone, Serialize)]
pub struct ActiveFault {
    pub id: u64,
    #[serde(flatten)]
    pub rule: FaultRule,
    /// How many calls it has given its fault.
    pub injected: u64,
    #[serde(skip)]
    service: Option<Pattern>,
    #[serde(skip)]
    operation: Option<Pattern>,
    /// Calls the rate lets through right now, refilled at `per_second`.
    #[serde(skip)]
    allowance: f64,
    #[serde(skip)]
    refilled: Option<Instant>,
}

impl ActiveFault {
    fn matches(&self, service: &str, operation: &str) -> bool {
        self.service.as_ref().is_some_and(|p| p.matches(service))
            && self
                .operation
                .as_ref()
                .is_some_and(|p| p.matches(operation))
    }

    /// Whether this call meets the fault: within the rate it passes; otherwise by chance.
    fn picks(&mut self, now: Instant) -> bool {
        if let Some(rate) = self.rule.per_second {
            let since = self
                .refilled
                .map_or(0.0, |then| now.duration_since(then).as_secs_f64());
            self.allowance = (self.allowance + since * rate).min(rate.max(1.0));
            self.refilled = Some(now);
            if self.allowance >= 1.0 {
                self.allowance -= 1.0;
                return false;
            }
        }
        self.rule
            .probability
            .is_none_or(|p| rand::random::<f64>() < p)
    }
}

/// What the faults in force do to one call.
#[derive(Debug, Default, PartialEq)]
pub struct Verdict {
    /// Wait this long before answering.
    pub delay: Duration,
    /// Then fail with this error, or lose the answer (`Drop`).
    pub outcome: Option<FaultKind>,
}

/// The rules in force; no rule and no control unless fault injection is on.
#[derive(Debug)]
pub struct Faults {
    enabled: bool,
    state: Mutex<(u64, Vec<ActiveFault>)>,
}

impl Faults {
    /// Fault injection on (`enabled`) with these rules in force from the start.
    pub fn new(enabled: bool, rules: Vec<FaultRule>) -> Result<Self, String> {
        let faults = Self {
            enabled: enabled || !rules.is_empty(),
            state: Mutex::new((0, Vec::new())),
        };
        faults.add_all(rules)?;
        Ok(faults)
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    fn state(&self) -> std::sync::MutexGuard<'_, (u64, Vec<ActiveFault>)> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Puts every rule in force, or none when one of them is refused (the reason names which).
    pub fn add_all(&self, rules: Vec<FaultRule>) -> Result<Vec<u64>, String> {
        let checked = rules
            .into_iter()
            .enumerate()
            .map(|(i, rule)| rule.checked().map_err(|e| format!("rule {}: {e}", i + 1)))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(checked.into_iter().map(|c| self.put(c)).collect())
    }

    fn put(&self, (rule, service, operation): (FaultRule, Pattern, Pattern)) -> u64 {
        let mut state = self.state();
        state.0 += 1;
        let id = state.0;
        let allowance = rule.per_second.map_or(0.0, |rate| rate.max(1.0));
        state.1.push(ActiveFault {
            id,
            rule,
            injected: 0,
            service: Some(service),
            operation: Some(operation),
            allowance,
            refilled: None,
        });
        id
    }

    pub fn list(&self) -> Vec<ActiveFault> {
        self.state().1.clone()
    }

    /// Removes rule `id`; `false` when there is none.
    pub fn remove(&self, id: u64) -> bool {
        let mut state = self.state();
        let before = state.1.len();
        state.1.retain(|f| f.id != id);
        state.1.len() != before
    }

    pub fn clear(&self) {
        self.state().1.clear();
    }

    /// What happens to a call of `service`'s `operation`: the latencies of every rule that picks
    /// it add up; the first error or drop among them is its outcome. Spent rules are removed.
    pub fn judge(&self, service: &str, operation: &str) -> Verdict {
        let mut verdict = Verdict::default();
        if !self.enabled {
            return verdict;
        }
        let now = Instant::now();
        let mut state = self.state();
        for fault in state.1.iter_mut() {
            if !fault.matches(service, operation) {
                continue;
            }
            if fault.rule.fault != FaultKind::Latency && verdict.outcome.is_some() {
                continue;
            }
            if !fault.picks(now) {
                continue;
            }
            fault.injected += 1;
            if let Some(left) = fault.rule.count.as_mut() {
                *left -= 1;
            }
            match fault.rule.fault {
                FaultKind::Latency => {
                    verdict.delay += Duration::from_millis(fault.rule.millis.unwrap_or(0));
                }
                kind => verdict.outcome = Some(kind),
            }
        }
        state.1.retain(|f| f.rule.count != Some(0));
        verdict
    }
}

/// The error `service` answers for `fault`, as the real one words it.
pub fn error(service: &str, fault: FaultKind) -> AwsError {
    let json = service == "ssm";
    match fault {
        FaultKind::Throttle => match service {
            "ssm" => AwsError::bad_request("ThrottlingException", "Rate exceeded"),
            "ec2" => AwsError::new(
                "RequestLimitExceeded",
                StatusCode::SERVICE_UNAVAILABLE,
                "Request limit exceeded.",
            ),
            _ => AwsError::bad_request("Throttling", "Rate exceeded"),
        },
        FaultKind::InternalError => AwsError::new(
            match service {
                "ssm" => "InternalServerError",
                "iam" => "ServiceFailure",
                "ec2" => "InternalError",
                _ => "InternalFailure",
            },
            StatusCode::INTERNAL_SERVER_ERROR,
            "We encountered an internal error. Please try again.",
        ),
        FaultKind::Unavailable => AwsError::new(
            if service == "ec2" {
                "Unavailable"
            } else {
                "ServiceUnavailable"
            },
            StatusCode::SERVICE_UNAVAILABLE,
            "Service is unavailable. Please try again later.",
        ),
        FaultKind::ExpiredCredentials => AwsError::bad_request(
            if json {
                "ExpiredTokenException"
            } else {
                "ExpiredToken"
            },
            "The security token included in the request is expired",
        ),
        // Not errors: the server delays or drops instead.
        FaultKind::Latency | FaultKind::Drop => AwsError::internal("no error for this fault"),
    }
}

/// The rules of a `--faults` file: a YAML (or JSON) list of rules.
pub fn parse_file(text: &str) -> Result<Vec<FaultRule>, String> {
    serde_saphyr::from_str(text).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> FaultRule {
        serde_json::from_str(text).expect("a rule")
    }

    #[test]
    fn a_counted_rule_is_spent_after_its_calls_and_others_pass() {
        let faults = Faults::new(
            true,
            vec![rule(
                r#"{"service":"ssm","operation":"Describe*","fault":"throttle","count":2}"#,
            )],
        )
        .expect("valid");
        assert_eq!(faults.judge("ssm", "ListDocuments"), Verdict::default());
        assert_eq!(faults.judge("iam", "DescribeRoles"), Verdict::default());
        for _ in 0..2 {
            let verdict = faults.judge("ssm", "DescribeDocument");
            assert_eq!(verdict.outcome, Some(FaultKind::Throttle));
        }
        assert_eq!(faults.judge("ssm", "DescribeDocument"), Verdict::default());
        assert!(faults.list().is_empty());
    }

    #[test]
    fn a_rate_lets_its_calls_per_second_through_and_faults_the_rest() {
        let faults = Faults::new(
            true,
            vec![rule(
                r#"{"operation":"GetAutomationExecution","fault":"throttle","per_second":3}"#,
            )],
        )
        .expect("valid");
        let throttled = (0..20)
            .filter(|_| {
                faults
                    .judge("ssm", "GetAutomationExecution")
                    .outcome
                    .is_some()
            })
            .count();
        // A burst of three passes, and what the rate refills while the loop runs (nothing, unless
        // the machine stalls it for a third of a second or more).
        assert!((10..=17).contains(&throttled), "{throttled}");
        assert_eq!(faults.list()[0].injected, throttled as u64);
    }

    #[test]
    fn latencies_add_up_and_the_first_error_wins() {
        let faults = Faults::new(
            true,
            vec![
                rule(r#"{"fault":"latency","millis":200}"#),
                rule(r#"{"service":"sts","fault":"unavailable"}"#),
                rule(r#"{"fault":"internal_error"}"#),
                rule(r#"{"service":"s?s","fault":"latency","millis":50}"#),
            ],
        )
        .expect("valid");
        let verdict = faults.judge("sts", "GetCallerIdentity");
        assert_eq!(verdict.delay, Duration::from_millis(250));
        assert_eq!(verdict.outcome, Some(FaultKind::Unavailable));
        assert_eq!(
            faults.judge("ec2", "DescribeInstances").outcome,
            Some(FaultKind::InternalError)
        );
    }

    #[test]
    fn off_it_faults_nothing() {
        let faults = Faults::new(false, Vec::new()).expect("valid");
        assert!(!faults.enabled());
        assert_eq!(faults.judge("ssm", "ListDocuments"), Verdict::default());
    }

    #[test]
    fn rules_that_could_never_apply_are_refused_with_the_reason() {
        let refused = |text: &str| Faults::new(true, vec![rule(text)]).expect_err(text);
        assert!(refused(r#"{"service":"s3","fault":"throttle"}"#)
            .contains("none of the emulator's services"));
        assert!(refused(r#"{"fault":"latency"}"#).contains("needs millis"));
        assert!(refused(r#"{"fault":"drop","millis":5}"#).contains("latency faults only"));
        assert!(refused(r#"{"fault":"throttle","probability":1.5}"#).contains("between 0 and 1"));
        assert!(refused(r#"{"fault":"throttle","per_second":0}"#).contains("positive"));
        assert!(refused(r#"{"fault":"throttle","count":0}"#).contains("never apply"));
        assert!(refused(r#"{"operation":"","fault":"throttle"}"#).contains("empty pattern"));
        let unknown = serde_json::from_str::<FaultRule>(r#"{"fault":"flood"}"#)
            .expect_err("unknown fault")
            .to_string();
        assert!(unknown.contains("throttle"), "{unknown}");
    }

    #[test]
    fn a_faults_file_is_a_yaml_list_of_rules() {
        let rules = parse_file(
            "- { service: ssm, operation: StartAutomationExecution, fault: drop, count: 1 }\n\
             - service: ec2\n  fault: latency\n  millis: 300\n",
        )
        .expect("parsed");
        assert_eq!(rules.len(), 2);
        assert_eq!(rules[0].fault, FaultKind::Drop);
        assert_eq!(rules[1].millis, Some(300));
        assert!(parse_file("- { fault: throttle, every: 2 }").is_err());
    }
}
