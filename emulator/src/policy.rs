//! IAM policy documents and their evaluation, in one place for every handler: explicit Deny wins,
//! then any Allow, else the implicit deny. Wildcards (`*`, `?`) in actions (case-insensitive) and
//! resources; the condition operators the seed's policies use.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A JSON policy document (identity or trust policy).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyDocument {
    #[serde(rename = "Version", default = "default_version")]
    pub version: String,
    #[serde(rename = "Statement", deserialize_with = "one_or_many::deserialize")]
    pub statements: Vec<Statement>,
}

fn default_version() -> String {
    "2012-10-17".to_owned()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Effect {
    Allow,
    Deny,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    #[serde(rename = "Sid", default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    #[serde(rename = "Effect")]
    pub effect: Effect,
    #[serde(rename = "Principal", default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<PrincipalMatch>,
    #[serde(
        rename = "Action",
        default,
        with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub actions: Vec<String>,
    #[serde(
        rename = "NotAction",
        default,
        with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub not_actions: Vec<String>,
    #[serde(
        rename = "Resource",
        default,
        with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub resources: Vec<String>,
    #[serde(
        rename = "NotResource",
        default,
        with = "one_or_many",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub not_resources: Vec<String>,
    /// Operator → context key → accepted values.
    #[serde(
        rename = "Condition",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub conditions: BTreeMap<String, BTreeMap<String, OneOrMany>>,
}

/// `Principal` in a trust policy: `"*"`, or `{"Service": …, "AWS": …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PrincipalMatch {
    Anyone(String),
    Named(BTreeMap<String, OneOrMany>),
}

/// A string or a list of strings, as policies allow either.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    pub fn values(&self) -> &[String] {
        match self {
            Self::One(value) => std::slice::from_ref(value),
            Self::Many(values) => values,
        }
    }
}

mod one_or_many {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either<T> {
        One(T),
        Many(Vec<T>),
    }

    pub fn deserialize<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
        d: D,
    ) -> Result<Vec<T>, D::Error> {
        Ok(match Either::deserialize(d)? {
            Either::One(one) => vec![one],
            Either::Many(many) => many,
        })
    }

    pub fn serialize<S: Serializer, T: Serialize>(values: &[T], s: S) -> Result<S::Ok, S::Error> {
        match values {
            [one] => one.serialize(s),
            many => many.serialize(s),
        }
    }
}

/// What is being asked: an action on a resource, by a principal, with context keys.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    /// The caller, for trust policies: (`Service` | `AWS`, identifier).
    pub principal: Option<(&'a str, &'a str)>,
    /// Condition keys such as `aws:SourceAccount`.
    pub context: BTreeMap<&'a str, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

impl Decision {
    pub fn is_allowed(self) -> bool {
        self == Self::Allow
    }
}

/// Evaluates `request` against every statement of every policy.
pub fn evaluate<'p>(
    policies: impl IntoIterator<Item = &'p PolicyDocument>,
    request: &Request<'_>,
) -> Decision {
    let mut allowed = false;
    for statement in policies.into_iter().flat_map(|p| &p.statements) {
        if statement.applies_to(request) {
            match statement.effect {
                Effect::Deny => return Decision::ExplicitDeny,
                Effect::Allow => allowed = true,
            }
        }
    }
    if allowed {
        Decision::Allow
    } else {
        Decision::ImplicitDeny
    }
}

impl Statement {
    fn applies_to(&self, request: &Request<'_>) -> bool {
        let action_matches = if self.not_actions.is_empty() {
            self.actions
                .iter()
                .any(|p| wildcard_match(p, request.action, true))
        } else {
            !self
                .not_actions
                .iter()
                .any(|p| wildcard_match(p, request.action, true))
        };
        // Trust policies name no resource: the role itself is the resource.
        let resource_matches = if !self.not_resources.is_empty() {
            !self
                .not_resources
                .iter()
                .any(|p| wildcard_match(p, request.resource, false))
        } else {
            self.resources.is_empty()
                || self
                    .resources
                    .iter()
                    .any(|p| wildcard_match(p, request.resource, false))
        };
        let principal_matches = match (&self.principal, request.principal) {
            (None, _) => true,
            (Some(PrincipalMatch::Anyone(star)), _) => star == "*",
            (Some(PrincipalMatch::Named(_)), None) => false,
            (Some(PrincipalMatch::Named(named)), Some((kind, id))) => {
                named.get(kind).is_some_and(|ids| {
                    ids.values()
                        .iter()
                        .any(|p| p == "*" || wildcard_match(p, id, false))
                })
            }
        };
        action_matches
            && resource_matches
            && principal_matches
            && self.conditions.iter().all(|(operator, keys)| {
                keys.iter()
                    .all(|(key, values)| condition_holds(operator, key, values.values(), request))
            })
    }
}

fn condition_holds(operator: &str, key: &str, expected: &[String], request: &Request<'_>) -> bool {
    let (operator, if_exists) = match operator.strip_suffix("IfExists") {
        Some(base) => (base, true),
        None => (operator, false),
    };
    let Some(actual) = request.context.get(key) else {
        return if_exists;
    };
    let any = |f: &dyn Fn(&str) -> bool| expected.iter().any(|e| f(e));
    match operator {
        "StringEquals" | "ArnEquals" => any(&|e| e == actual),
        "StringNotEquals" | "ArnNotEquals" => !any(&|e| e == actual),
        "StringEqualsIgnoreCase" => any(&|e| e.eq_ignore_ascii_case(actual)),
        "StringLike" | "ArnLike" => any(&|e| wildcard_match(e, actual, false)),
        "StringNotLike" | "ArnNotLike" => !any(&|e| wildcard_match(e, actual, false)),
        "Bool" => any(&|e| e.eq_ignore_ascii_case(actual)),
        // An operator the emulator does not know never grants anything.
        _ => false,
    }
}

/// IAM wildcard matching: `*` any run of characters, `?` any one character.
pub fn wildcard_match(pattern: &str, text: &str, ignore_case: bool) -> bool {
    let (pattern, text): (Vec<char>, Vec<char>) = if ignore_case {
        (
            pattern.to_lowercase().chars().collect(),
            text.to_lowercase().chars().collect(),
        )
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    // Iterative matching with backtracking to the last `*`.
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some('*') => {
                star = Some((p, t));
                p += 1;
            }
            Some(&c) if c == '?' || c == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(json: &str) -> PolicyDocument {
        serde_json::from_str(json).expect("valid policy")
    }

    fn request<'a>(action: &'a str, resource: &'a str) -> Request<'a> {
        Request {
            action,
            resource,
            ..Request::default()
        }
    }

    #[test]
    fn wildcards_match_as_iam_does() {
        assert!(wildcard_match(
            "ec2:Describe*",
            "ec2:DescribeInstances",
            true
        ));
        assert!(wildcard_match(
            "EC2:describe*",
            "ec2:DescribeInstances",
            true
        ));
        assert!(!wildcard_match("ec2:Describe*", "ec2:StopInstances", true));
        assert!(wildcard_match(
            "arn:aws:ec2:*:*:instance/i-?2*",
            "arn:aws:ec2:us-east-1:1:instance/i-123",
            false
        ));
        assert!(!wildcard_match(
            "arn:aws:iam::1:role/A",
            "arn:aws:iam::1:role/a",
            false
        ));
        assert!(wildcard_match("*", "", false));
        assert!(wildcard_match("a*b*c", "aXXbYYc", false));
        assert!(!wildcard_match("a*b*c", "aXXbYY", false));
    }

    #[test]
    fn explicit_deny_wins_over_allow() {
        let allow = policy(r#"{"Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}"#);
        let deny = policy(
            r#"{"Statement":[{"Effect":"Deny","Action":"ec2:TerminateInstances","Resource":"*"}]}"#,
        );
        let terminate = request(
            "ec2:TerminateInstances",
            "arn:aws:ec2:us-east-1:1:instance/i-1",
        );
        assert_eq!(
            evaluate([&allow, &deny], &terminate),
            Decision::ExplicitDeny
        );
        let stop = request("ec2:StopInstances", "arn:aws:ec2:us-east-1:1:instance/i-1");
        assert_eq!(evaluate([&allow, &deny], &stop), Decision::Allow);
        assert_eq!(evaluate([&deny], &stop), Decision::ImplicitDeny);
    }

    #[test]
    fn not_action_allows_everything_else() {
        let p = policy(r#"{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}"#);
        assert!(evaluate([&p], &request("ssm:GetDocument", "x")).is_allowed());
        assert!(!evaluate([&p], &request("iam:PassRole", "x")).is_allowed());
    }

    #[test]
    fn a_trust_policy_checks_the_service_principal_and_source_account() {
        let trust = policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ssm.amazonaws.com"]},
            "Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}"#,
        );
        let mut ssm = request("sts:AssumeRole", "arn:aws:iam::123456789012:role/R");
        ssm.principal = Some(("Service", "ssm.amazonaws.com"));
        ssm.context
            .insert("aws:SourceAccount", "123456789012".to_owned());
        assert!(evaluate([&trust], &ssm).is_allowed());

        ssm.context
            .insert("aws:SourceAccount", "111122223333".to_owned());
        assert!(!evaluate([&trust], &ssm).is_allowed());

        let mut ec2 = request("sts:AssumeRole", "arn:aws:iam::123456789012:role/R");
        ec2.principal = Some(("Service", "ec2.amazonaws.com"));
        ec2.context
            .insert("aws:SourceAccount", "123456789012".to_owned());
        assert!(!evaluate([&trust], &ec2).is_allowed());
    }

    #[test]
    fn an_absent_condition_key_fails_unless_if_exists() {
        let strict = policy(
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:SourceAccount":"1"}}}}"#,
        );
        let lenient = policy(
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEqualsIfExists":{"aws:SourceAccount":"1"}}}}"#,
        );
        let bare = request("sts:AssumeRole", "r");
        assert!(!evaluate([&strict], &bare).is_allowed());
        assert!(evaluate([&lenient], &bare).is_allowed());
    }

    #[test]
    fn an_unknown_condition_operator_grants_nothing() {
        let p = policy(
            r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}}}"#,
        );
        let mut r = request("ec2:StopInstances", "x");
        r.context
            .insert("aws:CurrentTime", "2030-01-01T00:00:00Z".to_owned());
        assert!(!evaluate([&p], &r).is_allowed());
    }
}
