//! The AWS CLI and AWS Tools for PowerShell commands equivalent to a start request, in the forms
//! the AWS Systems Manager user guide prints them, quoted for each shell by its own rules
//! (`quoting`), so that a command built from a shared link is safe to paste.

mod quoting;
#[cfg(test)]
mod read_back;
#[cfg(test)]
mod shell_models;
#[cfg(test)]
mod tests;

pub use quoting::Refusal;

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

/// Whether a value must go as JSON: it holds a character the CLI's shorthand syntax gives a
/// meaning to (or one that reads better in JSON), whitespace (the shorthand trims it), or one
/// past U+FFFF (its patterns stop there).
fn needs_json(value: &str) -> bool {
    value.is_empty()
        || value.chars().any(|c| {
            c.is_control()
                || c.is_whitespace()
                || c > '\u{ffff}'
                || ",=\"'\\[]{}$`!%^&|<>()*?".contains(c)
        })
}

/// A map key the shorthand syntax reads: only `A-Z a-z 0-9 - _ . # / :`.
fn is_shorthand_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.#/:".contains(c))
}

fn json_list(values: &[String]) -> String {
    serde_json::to_string(values).unwrap_or_default()
}

/// One option of the AWS CLI command: its flag and the words after it, as the CLI must receive
/// them (before any shell quoting).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliOption {
    pub flag: &'static str,
    pub words: Vec<String>,
}

impl CliOption {
    /// The words `aws` receives for this option. A value that starts with `-` is joined to its
    /// flag (`--max-errors=-1`): argparse would take it for an option of its own.
    pub fn argv(&self) -> Vec<String> {
        match self.words.as_slice() {
            [word] if word.starts_with('-') => vec![format!("{}={word}", self.flag)],
            words => std::iter::once(self.flag.to_owned())
                .chain(words.iter().cloned())
                .collect(),
        }
    }
}

/// Prefixes that make the AWS CLI read a file or URL in place of an option's value: a shared
/// link must not make whoever pastes the command send a file of theirs to AWS.
const READ_BY_THE_CLI: [&str; 4] = ["file://", "fileb://", "http://", "https://"];

/// The options of the AWS CLI command for `request`, as words.
pub fn cli_options(request: &StartRequest) -> Result<Vec<CliOption>, Refusal> {
    let one = |flag: &'static str, word: &str| CliOption {
        flag,
        words: vec![word.to_owned()],
    };
    let mut options = vec![one("--document-name", &request.document_name)];
    if let Some(version) = &request.document_version {
        options.push(one("--document-version", version));
    }
    if request.interactive {
        options.push(one("--mode", "Interactive"));
    }
    if !request.parameters.is_empty() {
        let shorthand_ok = request
            .parameters
            .iter()
            .all(|(k, vs)| is_shorthand_key(k) && vs.iter().all(|v| !needs_json(v)));
        let word = if shorthand_ok {
            request
                .parameters
                .iter()
                .map(|(k, vs)| format!("{k}={}", vs.join(",")))
                .collect::<Vec<_>>()
                .join(",")
        } else {
            serde_json::to_string(&request.parameters).unwrap_or_default()
        };
        options.push(one("--parameters", &word));
    }
    if let Some(name) = &request.target_parameter_name {
        options.push(one("--target-parameter-name", name));
    }
    if let Some((key, values)) = &request.target {
        let shorthand_ok = !needs_json(key) && values.iter().all(|v| !needs_json(v) || v == "*");
        let word = if shorthand_ok && (!key.contains(':') || key.starts_with("tag:")) {
            format!("Key={key},Values={}", values.join(","))
        } else {
            format!(
                "[{{\"Key\":{},\"Values\":{}}}]",
                serde_json::to_string(key).unwrap_or_default(),
                json_list(values)
            )
        };
        options.push(one("--targets", &word));
    }
    if let Some(value) = &request.max_concurrency {
        options.push(one("--max-concurrency", value));
    }
    if let Some(value) = &request.max_errors {
        options.push(one("--max-errors", value));
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
        options.push(one("--target-locations", &text));
    }
    if !request.tags.is_empty() {
        let shorthand_ok = request
            .tags
            .iter()
            .all(|(k, v)| !needs_json(k) && !needs_json(v));
        let words = if shorthand_ok {
            request
                .tags
                .iter()
                .map(|(k, v)| format!("Key={k},Value={v}"))
                .collect()
        } else {
            let list: Vec<serde_json::Value> = request
                .tags
                .iter()
                .map(|(k, v)| serde_json::json!({"Key": k, "Value": v}))
                .collect();
            vec![serde_json::Value::Array(list).to_string()]
        };
        options.push(CliOption {
            flag: "--tags",
            words,
        });
    }
    if let Some(alarm) = &request.alarm {
        let text = serde_json::json!({"Alarms": [{"Name": alarm}]}).to_string();
        options.push(one("--alarm-configuration", &text));
    }
    let read_by_the_cli = options.iter().find(|o| {
        o.words.iter().any(|w| {
            READ_BY_THE_CLI
                .iter()
                .any(|p| w.get(..p.len()).is_some_and(|s| s.eq_ignore_ascii_case(p)))
        })
    });
    if let Some(option) = read_by_the_cli {
        return Err(Refusal::read_by_the_cli(option.flag));
    }
    Ok(options)
}

/// The AWS CLI command, one option per line, quoted for bash or cmd.exe.
fn aws_cli(request: &StartRequest, shell: Shell) -> Result<String, Refusal> {
    let continuation = if shell == Shell::Windows { " ^" } else { " \\" };
    let mut lines = vec!["aws ssm start-automation-execution".to_owned()];
    for option in cli_options(request)? {
        let words = option
            .argv()
            .iter()
            .map(|w| match shell {
                _ if w == option.flag => Ok(w.clone()),
                Shell::Windows => quoting::cmd(w, &format!("the {} value", option.flag)),
                _ => Ok(quoting::bash(w)),
            })
            .collect::<Result<Vec<_>, _>>()?;
        lines.push(format!("    {}", words.join(" ")));
    }
    Ok(lines.join(&format!("{continuation}\n")))
}

fn powershell_arguments(request: &StartRequest) -> Vec<(String, String)> {
    let ps = quoting::powershell;
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
        // A secret parameter the targets fill in: its values are the targets'.
        if request.target_parameter_name.as_deref() == Some(spec.name.as_str()) {
            if let Some((key, values)) = &mut request.target {
                if key == "ParameterValues" {
                    *values = vec![grants::MASK.to_owned()];
                }
            }
        }
    }
}

/// The start command for `shell`, one argument per line; for cmd.exe, when a value cannot be
/// written safely there, a `REM` line that says why and what to do instead.
pub fn start_command(request: &StartRequest, shell: Shell) -> String {
    quoted_start_command(request, shell).unwrap_or_else(|refusal| match shell {
        Shell::Windows => format!("REM {refusal}"),
        _ => format!("# {refusal}"),
    })
}

/// The start command for `shell`, or why it cannot be written safely for that shell.
pub fn quoted_start_command(request: &StartRequest, shell: Shell) -> Result<String, Refusal> {
    if shell != Shell::PowerShell {
        return aws_cli(request, shell);
    }
    let mut lines = vec!["Start-SSMAutomationExecution".to_owned()];
    lines.extend(
        powershell_arguments(request)
            .into_iter()
            .map(|(flag, value)| format!("    {flag} {value}")),
    );
    Ok(lines.join(" `\n"))
}

/// The command that lists this runbook's executions, to follow them from a terminal.
pub fn describe_command(document: &str, shell: Shell) -> String {
    let filter = format!("Key=DocumentNamePrefix,Values={document}");
    let quoted = match shell {
        Shell::PowerShell => {
            return format!(
                "Get-SSMAutomationExecutionList -Filter @{{Key=\"DocumentNamePrefix\";Values={}}}",
                quoting::powershell(document)
            )
        }
        Shell::Windows => match quoting::cmd(&filter, "the runbook name") {
            Ok(quoted) => quoted,
            Err(refusal) => return format!("REM {refusal}"),
        },
        Shell::Unix => quoting::bash(&filter),
    };
    format!("aws ssm describe-automation-executions --filters {quoted}")
}
