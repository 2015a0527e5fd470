//! The AWS CLI and AWS Tools for PowerShell commands equivalent to a start request, in the forms
//! the AWS Systems Manager user guide prints them, quoted for each shell.

use super::request::StartRequest;
use crate::runbook::ParameterSpec;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shell {
    /// bash / zsh, `\` continuation.
    Unix,
    /// cmd.exe, `^` continuation.
    Windows,
    PowerShell,
}

impl Shell {
    pub const ALL: [Shell; 3] = [Shell::Unix, Shell::Windows, Shell::PowerShell];

    pub fn label(self) -> &'static str {
        match self {
            Shell::Unix => "Linux & macOS",
            Shell::Windows => "Windows",
            Shell::PowerShell => "PowerShell",
        }
    }

    pub fn key(self) -> &'static str {
        match self {
            Shell::Unix => "unix",
            Shell::Windows => "windows",
            Shell::PowerShell => "powershell",
        }
    }
}

/// Characters the CLI's shorthand syntax gives a meaning to, or a shell would expand inside
/// double quotes: a value with any of them goes as JSON instead.
fn needs_json(value: &str) -> bool {
    value.is_empty()
        || value
            .chars()
            .any(|c| ",=\"'\\[]{}$`!%^&|<>()*? \t\n\r".contains(c))
}

/// `text` in double quotes for bash or cmd (safe: it has none of `needs_json`'s characters).
fn quoted(text: &str) -> String {
    format!("\"{text}\"")
}

/// `text` in single quotes for bash.
fn single_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// JSON for cmd: in double quotes, escaped as the Windows argument parser reads them (a quote as
/// `\"`, and the backslashes before a quote doubled).
fn cmd_json(json: &str) -> String {
    let mut out = String::from("\"");
    let mut backslashes = 0;
    for c in json.chars() {
        match c {
            '\\' => backslashes += 1,
            '"' => {
                out.push_str(&"\\".repeat(backslashes * 2 + 1));
                out.push('"');
                backslashes = 0;
            }
            other => {
                out.push_str(&"\\".repeat(backslashes));
                out.push(other);
                backslashes = 0;
            }
        }
    }
    out.push_str(&"\\".repeat(backslashes * 2));
    out.push('"');
    out
}

/// A PowerShell double-quoted string.
fn ps(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        if matches!(c, '`' | '"' | '$') {
            out.push('`');
        }
        out.push(c);
    }
    out.push('"');
    out
}

fn json_list(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_default()
}

/// One argument of the CLI command: its flag and its value as the shell sees it.
fn cli_arguments(request: &StartRequest, shell: Shell) -> Vec<(String, String)> {
    let q = |text: &str| quoted(text);
    let json = |text: String| match shell {
        Shell::Windows => cmd_json(&text),
        _ => single_quoted(&text),
    };
    let mut args = vec![("--document-name".to_owned(), q(&request.document_name))];
    if let Some(version) = &request.document_version {
        // `$` is special in bash double quotes.
        let value = match shell {
            Shell::Unix if version.starts_with('$') => single_quoted(version),
            _ => q(version),
        };
        args.push(("--document-version".into(), value));
    }
    if request.interactive {
        args.push(("--mode".into(), q("Interactive")));
    }
    if !request.parameters.is_empty() {
        let shorthand_ok = request
            .parameters
            .iter()
            .all(|(k, vs)| !needs_json(k) && vs.iter().all(|v| !needs_json(v)));
        let value = if shorthand_ok {
            request
                .parameters
                .iter()
                .map(|(k, vs)| q(&format!("{k}={}", vs.join(","))))
                .collect::<Vec<_>>()
                .join(",")
        } else {
            json(serde_json::to_string(&request.parameters).unwrap_or_default())
        };
        args.push(("--parameters".into(), value));
    }
    if let Some(name) = &request.target_parameter_name {
        args.push(("--target-parameter-name".into(), q(name)));
    }
    if let Some((key, values)) = &request.target {
        let shorthand_ok = !needs_json(key) && values.iter().all(|v| !needs_json(v) || v == "*");
        let value = if shorthand_ok && (!key.contains(':') || key.starts_with("tag:")) {
            q(&format!("Key={key},Values={}", values.join(",")))
        } else {
            json(format!(
                "[{{\"Key\":{},\"Values\":{}}}]",
                serde_json::to_string(key).unwrap_or_default(),
                json_list(values)
            ))
        };
        args.push(("--targets".into(), value));
    }
    if let Some(value) = &request.max_concurrency {
        args.push(("--max-concurrency".into(), q(value)));
    }
    if let Some(value) = &request.max_errors {
        args.push(("--max-errors".into(), q(value)));
    }
    if let Some(location) = &request.location {
        let mut object = serde_json::Map::new();
        object.insert("Accounts".into(), location.accounts.clone().into());
        object.insert("Regions".into(), location.regions.clone().into());
        if let Some(v) = &location.max_concurrency {
            object.insert("TargetLocationMaxConcurrency".into(), v.clone().into());
        }
        if let Some(v) = &location.max_errors {
            object.insert("TargetLocationMaxErrors".into(), v.clone().into());
        }
        if let Some(v) = &location.execution_role_name {
            object.insert("ExecutionRoleName".into(), v.clone().into());
        }
        let text = serde_json::Value::Array(vec![serde_json::Value::Object(object)]).to_string();
        args.push(("--target-locations".into(), json(text)));
    }
    if !request.tags.is_empty() {
        let shorthand_ok = request
            .tags
            .iter()
            .all(|(k, v)| !needs_json(k) && !needs_json(v));
        if shorthand_ok {
            let tags: Vec<String> = request
                .tags
                .iter()
                .map(|(k, v)| q(&format!("Key={k},Value={v}")))
                .collect();
            args.push(("--tags".into(), tags.join(" ")));
        } else {
            let list: Vec<serde_json::Value> = request
                .tags
                .iter()
                .map(|(k, v)| serde_json::json!({"Key": k, "Value": v}))
                .collect();
            args.push((
                "--tags".into(),
                json(serde_json::Value::Array(list).to_string()),
            ));
        }
    }
    if let Some(alarm) = &request.alarm {
        let text = serde_json::json!({"Alarms": [{"Name": alarm}]}).to_string();
        args.push(("--alarm-configuration".into(), json(text)));
    }
    args
}

fn powershell_arguments(request: &StartRequest) -> Vec<(String, String)> {
    let hashtable_value = |values: &[String]| {
        if values.len() == 1 {
            ps(&values[0])
        } else {
            format!(
                "@({})",
                values.iter().map(|v| ps(v)).collect::<Vec<_>>().join(",")
            )
        }
    };
    let mut args = vec![("-DocumentName".to_owned(), ps(&request.document_name))];
    if let Some(version) = &request.document_version {
        args.push(("-DocumentVersion".into(), ps(version)));
    }
    if request.interactive {
        args.push(("-Mode".into(), ps("Interactive")));
    }
    if !request.parameters.is_empty() {
        let pairs: Vec<String> = request
            .parameters
            .iter()
            .map(|(k, vs)| format!("{}={}", ps(k), hashtable_value(vs)))
            .collect();
        args.push(("-Parameter".into(), format!("@{{{}}}", pairs.join(";"))));
    }
    if let Some(name) = &request.target_parameter_name {
        args.push(("-TargetParameterName".into(), ps(name)));
    }
    if let Some((key, values)) = &request.target {
        args.push((
            "-Target".into(),
            format!(
                "@{{Key={};Values=@({})}}",
                ps(key),
                values.iter().map(|v| ps(v)).collect::<Vec<_>>().join(",")
            ),
        ));
    }
    if let Some(value) = &request.max_concurrency {
        args.push(("-MaxConcurrency".into(), ps(value)));
    }
    if let Some(value) = &request.max_errors {
        args.push(("-MaxError".into(), ps(value)));
    }
    if let Some(location) = &request.location {
        let list = |v: &[String]| v.iter().map(|x| ps(x)).collect::<Vec<_>>().join(",");
        let mut fields = vec![
            format!("Accounts=@({})", list(&location.accounts)),
            format!("Regions=@({})", list(&location.regions)),
        ];
        if let Some(v) = &location.max_concurrency {
            fields.push(format!("TargetLocationMaxConcurrency={}", ps(v)));
        }
        if let Some(v) = &location.max_errors {
            fields.push(format!("TargetLocationMaxErrors={}", ps(v)));
        }
        if let Some(v) = &location.execution_role_name {
            fields.push(format!("ExecutionRoleName={}", ps(v)));
        }
        args.push((
            "-TargetLocation".into(),
            format!("@{{{}}}", fields.join(";")),
        ));
    }
    if !request.tags.is_empty() {
        let tags: Vec<String> = request
            .tags
            .iter()
            .map(|(k, v)| format!("@{{Key={};Value={}}}", ps(k), ps(v)))
            .collect();
        args.push(("-Tag".into(), tags.join(",")));
    }
    if let Some(alarm) = &request.alarm {
        args.push((
            "-AlarmConfiguration_Alarm".into(),
            format!("@{{Name={}}}", ps(alarm)),
        ));
    }
    args
}

/// Puts `********` in place of the values of secret parameters: a command on screen or in a
/// request for approval never shows them (whoever runs it puts their own in).
pub fn mask_secrets(request: &mut StartRequest, specs: &[ParameterSpec]) {
    for spec in specs.iter().filter(|s| s.secret) {
        if let Some(values) = request.parameters.get_mut(&spec.name) {
            *values = vec![grants::MASK.to_owned()];
        }
    }
}

/// The start command for `shell`, one argument per line.
pub fn start_command(request: &StartRequest, shell: Shell) -> String {
    let (head, args, continuation) = match shell {
        Shell::Unix => (
            "aws ssm start-automation-execution",
            cli_arguments(request, shell),
            " \\",
        ),
        Shell::Windows => (
            "aws ssm start-automation-execution",
            cli_arguments(request, shell),
            " ^",
        ),
        Shell::PowerShell => (
            "Start-SSMAutomationExecution",
            powershell_arguments(request),
            " `",
        ),
    };
    let mut lines = vec![head.to_owned()];
    lines.extend(
        args.into_iter()
            .map(|(flag, value)| format!("    {flag} {value}")),
    );
    lines.join(&format!("{continuation}\n"))
}

/// The command that lists this runbook's executions, to follow them from a terminal.
pub fn describe_command(document: &str, shell: Shell) -> String {
    match shell {
        Shell::PowerShell => format!(
            "Get-SSMAutomationExecutionList -Filter @{{Key=\"DocumentNamePrefix\";Values={}}}",
            ps(document)
        ),
        _ => format!(
            "aws ssm describe-automation-executions --filters \"Key=DocumentNamePrefix,Values={document}\""
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runbook::ParameterSpec;
    use crate::wizard::WizardForm;

    fn restart_request(pairs: &[(&str, &str)]) -> StartRequest {
        let specs = vec![
            ParameterSpec {
                name: "InstanceId".into(),
                kind: "String".into(),
                ..ParameterSpec::default()
            },
            ParameterSpec {
                name: "AutomationAssumeRole".into(),
                kind: "String".into(),
                default: Some(String::new()),
                ..ParameterSpec::default()
            },
        ];
        WizardForm::from_pairs("AWS-RestartEC2Instance", pairs.iter().copied())
            .request(&specs)
            .expect("valid")
    }

    #[test]
    fn the_guides_example_in_each_shell() {
        let request = restart_request(&[
            ("p.InstanceId", "i-1234567890abcdef0"),
            (
                "p.AutomationAssumeRole",
                "arn:aws:iam::123456789012:role/AmazonSSMAutomationRole",
            ),
        ]);
        assert_eq!(
            start_command(&request, Shell::Unix),
            "aws ssm start-automation-execution \\\n    --document-name \"AWS-RestartEC2Instance\" \\\n    --parameters \"AutomationAssumeRole=arn:aws:iam::123456789012:role/AmazonSSMAutomationRole\",\"InstanceId=i-1234567890abcdef0\""
        );
        assert_eq!(
            start_command(&request, Shell::Windows),
            "aws ssm start-automation-execution ^\n    --document-name \"AWS-RestartEC2Instance\" ^\n    --parameters \"AutomationAssumeRole=arn:aws:iam::123456789012:role/AmazonSSMAutomationRole\",\"InstanceId=i-1234567890abcdef0\""
        );
        assert_eq!(
            start_command(&request, Shell::PowerShell),
            "Start-SSMAutomationExecution `\n    -DocumentName \"AWS-RestartEC2Instance\" `\n    -Parameter @{\"AutomationAssumeRole\"=\"arn:aws:iam::123456789012:role/AmazonSSMAutomationRole\";\"InstanceId\"=\"i-1234567890abcdef0\"}"
        );
    }

    #[test]
    fn awkward_values_go_as_json_quoted_for_the_shell() {
        let request = restart_request(&[
            ("p.InstanceId", "it's $HOME, \"quoted\""),
            ("version", "$LATEST"),
            ("mode", "manual"),
        ]);
        let unix = start_command(&request, Shell::Unix);
        assert!(unix.contains("--document-version '$LATEST'"), "{unix}");
        assert!(unix.contains("--mode \"Interactive\""));
        assert!(
            unix.contains(r#"--parameters '{"InstanceId":["it'\''s $HOME, \"quoted\""]}'"#),
            "{unix}"
        );
        let windows = start_command(&request, Shell::Windows);
        assert!(
            windows.contains(r#"--parameters "{\"InstanceId\":[\"it's $HOME, \\\"quoted\\\"\"]}""#),
            "{windows}"
        );
        let powershell = start_command(&request, Shell::PowerShell);
        assert!(
            powershell.contains(r#"-Parameter @{"InstanceId"="it's `$HOME, `"quoted`""}"#),
            "{powershell}"
        );
    }

    #[test]
    fn rate_control_and_locations_are_included() {
        let request = restart_request(&[
            ("mode", "multi-account"),
            ("target-parameter", "InstanceId"),
            ("targets", "tags"),
            ("tag-key", "Team"),
            ("tag-value", "web"),
            ("concurrency", "10"),
            ("errors", "1"),
            ("accounts", "123456789012"),
            ("regions", "us-east-1 us-west-2"),
        ]);
        let unix = start_command(&request, Shell::Unix);
        assert!(unix.contains("--target-parameter-name \"InstanceId\""));
        assert!(unix.contains("--targets \"Key=tag:Team,Values=web\""));
        assert!(unix.contains("--max-concurrency \"10\" \\\n    --max-errors \"1\""));
        assert!(unix.contains(r#"--target-locations '[{"Accounts":["123456789012"],"Regions":["us-east-1","us-west-2"]}]'"#), "{unix}");
        assert!(start_command(&request, Shell::PowerShell)
            .contains("-TargetLocation @{Accounts=@(\"123456789012\");Regions=@(\"us-east-1\",\"us-west-2\")}"));
    }
}
