//! Property tests of reading the grants file: any text (TOML fragments, every key the file knows
//! with any value) is read whole or refused whole with its reasons, never a panic; a file that
//! is read keeps every grant in its order.

use std::path::Path;

use proptest::prelude::*;

use super::{Grants, GrantsError};

const KEYS: &[&str] = &[
    "name",
    "users",
    "groups",
    "runbooks",
    "version",
    "roles",
    "modes",
    "executions",
    "control",
    "approval",
    "step_approvers",
    "multi_account",
    "accounts",
    "regions",
    "execution_roles",
    "members",
    "fixed",
    "hidden",
    "allowed",
    "unknown_key",
];

/// A TOML value of any kind, strings drawn from what grants hold (patterns, ARNs, modes).
fn value() -> impl Strategy<Value = String> {
    let text = prop_oneof![
        Just("*".to_owned()),
        Just("simple".to_owned()),
        Just("manual".to_owned()),
        Just("all".to_owned()),
        Just("own".to_owned()),
        Just("arn:aws:iam::123456789012:role/*".to_owned()),
        Just("arn:aws:ssm:*:*:document/*".to_owned()),
        Just("123456789012".to_owned()),
        "\\PC{0,12}",
    ];
    let quoted = text.prop_map(|t| format!("{:?}", t));
    prop_oneof![
        3 => quoted.clone(),
        2 => prop::collection::vec(quoted, 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
        1 => any::<bool>().prop_map(|b| b.to_string()),
        1 => any::<i64>().prop_map(|n| n.to_string()),
        1 => Just("{ members = [\"a\"] }".to_owned()),
        1 => "\\PC{0,6}",
    ]
}

fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => (proptest::sample::select(KEYS), value()).prop_map(|(k, v)| format!("{k} = {v}")),
        2 => Just("[[grant]]".to_owned()),
        1 => Just("[auditors]".to_owned()),
        1 => Just("[grant.parameters.InstanceId]".to_owned()),
        1 => Just("[grant.multi_account]".to_owned()),
        1 => "\\PC{0,20}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, ..ProptestConfig::default() })]

    #[test]
    fn any_file_is_read_whole_or_refused_whole_with_reasons(
        lines in prop::collection::vec(line(), 0..24),
    ) {
        let text = lines.join("\n");
        let path = Path::new("grants.toml");
        match Grants::parse(path, &text) {
            Ok(grants) => {
                // Every [[grant]] table is a grant, in order (none dropped or merged).
                let tables = lines.iter().filter(|l| l.as_str() == "[[grant]]").count();
                prop_assert_eq!(grants.grants.len(), tables, "{}", text);
            }
            Err(GrantsError::Syntax { message, .. }) => prop_assert!(!message.is_empty()),
            Err(GrantsError::Invalid { mistakes, .. }) => {
                prop_assert!(!mistakes.is_empty() && mistakes.iter().all(|m| !m.trim().is_empty()), "{:?}", mistakes)
            }
            Err(GrantsError::Read { .. }) => prop_assert!(false, "parse reads no file"),
        }
    }
}
