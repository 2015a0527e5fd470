use std::process::{Command, Stdio};

use super::shell_models::{c_runtime_argv, cmd_exe, powershell, Token};
use super::*;
use crate::runbook::ParameterSpec;
use crate::wizard::{Location, WizardForm};

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
        "aws ssm start-automation-execution \\\n    --document-name \"AWS-RestartEC2Instance\" \\\n    --parameters \"AutomationAssumeRole=arn:aws:iam::123456789012:role/AmazonSSMAutomationRole,InstanceId=i-1234567890abcdef0\""
    );
    assert_eq!(
        start_command(&request, Shell::Windows),
        "aws ssm start-automation-execution ^\n    --document-name \"AWS-RestartEC2Instance\" ^\n    --parameters \"AutomationAssumeRole=arn:aws:iam::123456789012:role/AmazonSSMAutomationRole,InstanceId=i-1234567890abcdef0\""
    );
    assert_eq!(
        start_command(&request, Shell::PowerShell),
        "Start-SSMAutomationExecution `\n    -DocumentName \"AWS-RestartEC2Instance\" `\n    -Parameter @{\"AutomationAssumeRole\"=\"arn:aws:iam::123456789012:role/AmazonSSMAutomationRole\";\"InstanceId\"=\"i-1234567890abcdef0\"}"
    );
    assert_eq!(
        describe_command("AWS-RestartEC2Instance", Shell::Unix),
        "aws ssm describe-automation-executions --filters \"Key=DocumentNamePrefix,Values=AWS-RestartEC2Instance\""
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
        windows.contains(
            r#"--parameters ^"{\^"InstanceId\^":[\^"it's $HOME, \\\^"quoted\\\^"\^"]}^""#
        ),
        "{windows}"
    );
    let powershell = start_command(&request, Shell::PowerShell);
    assert!(
        powershell.contains(r#"-Parameter @{"InstanceId"='it''s $HOME, "quoted"'}"#),
        "{powershell}"
    );
    assert!(
        powershell.contains("-DocumentVersion '$LATEST'"),
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
    assert!(
        unix.contains(
            r#"--target-locations '[{"Accounts":["123456789012"],"Regions":["us-east-1","us-west-2"]}]'"#
        ),
        "{unix}"
    );
    assert!(start_command(&request, Shell::PowerShell).contains(
        "-TargetLocation @{Accounts=@(\"123456789012\");Regions=@(\"us-east-1\",\"us-west-2\")}"
    ));
}

/// Values a shared link can carry: every shell's quotes, expansions, separators and escapes.
const CORPUS: &[&str] = &[
    "i-1234567890abcdef0",
    "",
    " ",
    "two words",
    "it's",
    "'",
    "''",
    "a'b'c",
    "\"",
    "\"\"",
    "say \"hi\"",
    "\\",
    "a\\",
    "a\\\\",
    "a\\\"b",
    "\\\\\"",
    "C:\\Program Files\\",
    "$HOME",
    "${HOME}",
    "$(touch canary-dollar)",
    "`touch canary-backtick`",
    "; touch canary-semicolon",
    "&& touch canary-and",
    "|| touch canary-or",
    "| touch canary-pipe",
    "> canary-redirect",
    "< /etc/passwd",
    "a & calc",
    "x\" & calc & \"",
    "\" & calc & \"",
    "^",
    "a^b^",
    "^\"",
    "(x)",
    ")",
    "%PATH%",
    "%",
    "100%",
    "!x!",
    "!",
    "!!",
    "*",
    "?",
    "[a]",
    "{a,b}",
    "~",
    "~root",
    "#comment",
    "a\nb",
    "a\r\nb",
    "line\n; touch canary-newline",
    "\t",
    "\u{201C}double\u{201D}",
    "\u{201E}low",
    "\u{2018}single\u{2019}",
    "\u{2019}",
    "\u{201A}",
    "\u{201B}",
    "x\u{2019}; touch canary-typographic; \u{2018}",
    "'; Remove-Item canary; '",
    "\u{201D}; Remove-Item canary; \u{201C}",
    "`",
    "`$x",
    "$null",
    "@{x=1}",
    "@(1)",
    "\u{2013}Force",
    "--debug",
    "-x",
    "key=value,other=x",
    "Key=a,Values=b",
    "é ünïcode 日本語",
    "\u{7f}",
];

/// A request with `value` in every place a link can put text.
fn everywhere(value: &str) -> StartRequest {
    StartRequest {
        document_name: value.to_owned(),
        document_version: Some(value.to_owned()),
        interactive: true,
        parameters: [
            (
                "InstanceId".to_owned(),
                vec![value.to_owned(), "i-2".to_owned()],
            ),
            // After InstanceId whatever the value, so every command has the same shape.
            (format!("Z{value}"), vec![value.to_owned()]),
        ]
        .into_iter()
        .collect(),
        target_parameter_name: Some(value.to_owned()),
        target: Some((format!("tag:{value}"), vec![value.to_owned()])),
        max_concurrency: Some(value.to_owned()),
        max_errors: Some(value.to_owned()),
        location: Some(Location {
            accounts: vec![value.to_owned()],
            regions: vec!["us-east-1".to_owned()],
            max_concurrency: Some(value.to_owned()),
            max_errors: None,
            execution_role_name: Some(value.to_owned()),
        }),
        tags: vec![(value.to_owned(), value.to_owned())],
        alarm: Some(value.to_owned()),
    }
}

/// A request with `value` as a parameter's only value (the CLI's shorthand where it allows).
fn parameter(value: &str) -> StartRequest {
    parameter_named("InstanceId", value)
}

/// A request with `value` as the only value of the parameter `name`, and of a tag.
pub(super) fn parameter_named(name: &str, value: &str) -> StartRequest {
    StartRequest {
        document_name: "AWS-RestartEC2Instance".to_owned(),
        parameters: [(name.to_owned(), vec![value.to_owned()])]
            .into_iter()
            .collect(),
        tags: vec![("Team".to_owned(), value.to_owned())],
        document_version: None,
        interactive: false,
        target_parameter_name: None,
        target: None,
        max_concurrency: None,
        max_errors: None,
        location: None,
        alarm: None,
    }
}

fn requests() -> Vec<(String, StartRequest)> {
    CORPUS
        .iter()
        .flat_map(|v| {
            [
                (v.to_string(), everywhere(v)),
                (v.to_string(), parameter(v)),
            ]
        })
        .collect()
}

/// The words the AWS CLI must receive after `aws`.
pub(super) fn expected_argv(request: &StartRequest) -> Vec<String> {
    let mut argv = vec!["ssm".to_owned(), "start-automation-execution".to_owned()];
    for option in cli_options(request).expect("written") {
        argv.extend(option.argv());
    }
    argv
}

#[test]
fn the_words_carry_the_values_exactly() {
    for (value, request) in requests() {
        let options = cli_options(&request).expect("written");
        let word = |flag: &str| {
            options
                .iter()
                .find(|o| o.flag == flag)
                .map(|o| o.words.clone())
                .expect(flag)
        };
        let parameters = &word("--parameters")[0];
        let read: std::collections::BTreeMap<String, Vec<String>> = if parameters.starts_with('{') {
            serde_json::from_str(parameters).expect("JSON")
        } else {
            // The shorthand is chosen only for values without `,` or `=`.
            let (key, values) = parameters.split_once('=').expect("shorthand");
            [(
                key.to_owned(),
                values.split(',').map(str::to_owned).collect(),
            )]
            .into_iter()
            .collect()
        };
        if request.parameters.len() == 1 {
            assert_eq!(read, request.parameters, "{value:?}");
        }
        if let Some(version) = &request.document_version {
            assert_eq!(word("--document-version"), vec![version.clone()]);
        }
    }
}

/// A pasted command holds no control character but the line breaks between its options: a
/// terminal would take one as a key (Enter, Backspace…).
fn no_keys(command: &str) -> bool {
    let lines: Vec<&str> = command.split('\n').collect();
    !command.chars().any(|c| c.is_control() && c != '\n')
        && lines[..lines.len() - 1]
            .iter()
            .all(|l| l.ends_with(" \\") || l.ends_with(" `"))
}

/// What bash hands `aws` for `command`: run for real, `aws` being a function that prints its
/// arguments; interactively too, as a pasted line is read (history expansion on).
fn bash_argv(command: &str, interactive: bool, dir: &std::path::Path) -> Vec<String> {
    let script = format!("set -H\naws() {{ printf '%s\\0' \"$@\"; }}\n{command}\n");
    let mut bash = Command::new("bash");
    bash.args(["--norc", "--noprofile"]);
    if interactive {
        bash.arg("-i");
    }
    let mut child = bash
        .current_dir(dir)
        .env("HOME", dir)
        .env("HISTFILE", "/dev/null")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("bash runs");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("script written");
    let out = child.wait_with_output().expect("bash ends");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let mut argv: Vec<String> = text.split('\0').map(str::to_owned).collect();
    argv.pop(); // after the last NUL
    argv
}

#[test]
fn bash_hands_the_aws_cli_every_value_intact() {
    let dir = std::env::temp_dir().join(format!("cli-bash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (value, request) in requests() {
        let command = quoted_start_command(&request, Shell::Unix).expect("bash quotes anything");
        assert!(no_keys(&command), "{value:?}:\n{command}");
        let expected = expected_argv(&request);
        assert_eq!(
            bash_argv(&command, false, &dir),
            expected,
            "{value:?}:\n{command}"
        );
        assert_eq!(
            bash_argv(&command, true, &dir),
            expected,
            "{value:?}:\n{command}"
        );
        let describe = describe_command(&value, Shell::Unix);
        assert_eq!(
            bash_argv(&describe, false, &dir),
            [
                "ssm",
                "describe-automation-executions",
                "--filters",
                format!("Key=DocumentNamePrefix,Values={value}").as_str()
            ],
            "{describe}"
        );
    }
    // Nothing ran but `aws`: no file was made.
    let made: Vec<_> = std::fs::read_dir(&dir).expect("dir").collect();
    assert!(made.is_empty(), "{made:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn cmd_exe_hands_the_aws_cli_every_value_intact_or_the_line_is_refused() {
    for (value, request) in requests() {
        match quoted_start_command(&request, Shell::Windows) {
            Ok(command) => {
                let line =
                    cmd_exe(&command).unwrap_or_else(|e| panic!("{value:?}: {e}\n{command}"));
                let mut argv = c_runtime_argv(&line);
                assert_eq!(argv.remove(0), "aws");
                assert_eq!(argv, expected_argv(&request), "{value:?}:\n{command}");
            }
            Err(refusal) => {
                assert!(
                    value.contains(['%', '!']) || value.chars().any(char::is_control),
                    "{value:?} refused: {refusal}"
                );
                // The line shown instead is a harmless comment that says what to do.
                let shown = start_command(&request, Shell::Windows);
                assert!(shown.starts_with("REM This command cannot be written safely for cmd.exe"));
                assert!(shown.contains("Use the PowerShell command"), "{shown}");
                assert!(shown.contains("--cli-input-json file://"), "{shown}");
                assert!(!shown.contains(['%', '!', '&', '|', '<', '>', '^', '(', ')', '"', '\n']));
            }
        }
        let describe = describe_command(&value, Shell::Windows);
        if !describe.starts_with("REM ") {
            let mut argv = c_runtime_argv(&cmd_exe(&describe).expect("one command"));
            assert_eq!(
                argv.split_off(1),
                [
                    "ssm",
                    "describe-automation-executions",
                    "--filters",
                    format!("Key=DocumentNamePrefix,Values={value}").as_str()
                ]
            );
        }
    }
}

#[test]
fn powershell_reads_every_value_as_one_literal_string() {
    const BENIGN: &str = "benign";
    for (value, request) in requests() {
        let benign = if request.document_name == value {
            everywhere(BENIGN)
        } else {
            parameter(BENIGN)
        };
        let command = quoted_start_command(&request, Shell::PowerShell).expect("written");
        assert!(no_keys(&command), "{value:?}:\n{command}");
        let tokens = powershell(&command).unwrap_or_else(|e| panic!("{value:?}: {e}\n{command}"));
        let shape = powershell(&quoted_start_command(&benign, Shell::PowerShell).expect("written"))
            .expect("benign");
        // The same command as with a harmless value, the value in place of it, whole.
        let expected: Vec<Token> = shape
            .into_iter()
            .map(|t| match t {
                Token::Text(text) => Token::Text(text.replace(BENIGN, &value)),
                other => other,
            })
            .collect();
        assert_eq!(tokens, expected, "{value:?}:\n{command}");
    }
}

#[test]
fn the_shell_models_see_the_old_breakouts() {
    // The old Windows line for `x & calc`: cmd.exe's quotes end at the JSON's `\"`.
    let old_cmd =
        r#"aws ssm start-automation-execution --parameters "{\"InstanceId\":[\"x & calc\"]}""#;
    assert!(cmd_exe(old_cmd).is_err_and(|e| e.contains("another command")));
    assert!(cmd_exe("aws ssm x --parameters \"%PATH%\"").is_err());
    assert!(
        cmd_exe("aws ^\n    ssm \"a & b\" ^& c").is_ok_and(|l| l == "aws     ssm \"a & b\" & c")
    );
    assert_eq!(
        c_runtime_argv(r#"aws "a b" "{\"k\":\"v\\\"}" x\\y "\\""#),
        ["aws", "a b", r#"{"k":"v\"}"#, r"x\\y", "\\"]
    );
    // The old PowerShell string for a typographic quote: it closes the string.
    let old_ps = "Start-SSMAutomationExecution -DocumentName \"x\u{201D}; calc; \u{201C}\"";
    assert!(powershell(old_ps).is_err());
    assert!(powershell("Start-X -Tag 'it''s'; calc").is_err());
    assert_eq!(
        powershell("Start-X (''+[char]13+'x'+[char]10)"),
        Ok(vec![
            Token::Other("Start-X".into()),
            Token::Text("\rx\n".into())
        ])
    );
    assert!(powershell("Start-X ([char]13+'x')").is_err());
    assert!(powershell("Start-X (''+(calc))").is_err());
    assert_eq!(quoting::bash("a\r\nb!'"), r"$'a\x0D\x0Ab\x21\''");
    assert_eq!(quoting::powershell("\u{7f}it's"), "(''+[char]127+'it''s')");
    assert!(powershell("Start-X -Tag \"`$HOME\"").is_err());
    assert_eq!(
        powershell("Start-X `\n    -Tag @{Key='a\u{2019}\u{2019}b'}").expect("tokens"),
        [
            Token::Other("Start-X".into()),
            Token::Other("-Tag".into()),
            Token::Other("@{Key=".into()),
            Token::Text("a\u{2019}b".into()),
            Token::Other("}".into()),
        ]
    );
}

#[test]
fn a_value_the_aws_cli_would_read_as_a_file_is_not_written() {
    let mut request = parameter("i-1234567890abcdef0");
    request.document_version = Some("file:///home/me/.aws/credentials".into());
    for shell in [Shell::Unix, Shell::Windows] {
        let shown = start_command(&request, shell);
        assert!(
            shown.contains("the --document-version value starts with file, fileb, http or https"),
            "{shown}"
        );
        assert!(!shown.contains("credentials"));
    }
    // PowerShell's cmdlets read no files.
    assert!(start_command(&request, Shell::PowerShell).contains("-DocumentVersion \"file://"));
    // Inside the shorthand or JSON the CLI reads no files: those are written.
    request.document_version = None;
    request.tags = vec![("Link".into(), "https://example.com/".into())];
    assert!(quoted_start_command(&request, Shell::Unix).is_ok());
}

#[test]
fn a_secret_parameter_the_targets_fill_in_is_masked_there_too() {
    let mut request = restart_request(&[
        ("mode", "rate-control"),
        ("target-parameter", "InstanceId"),
        ("p.InstanceId", "i-secret-one\ni-secret-two"),
    ]);
    let secret = ParameterSpec {
        name: "InstanceId".into(),
        kind: "String".into(),
        secret: true,
        ..ParameterSpec::default()
    };
    mask_secrets(&mut request, &[secret]);
    let unix = start_command(&request, Shell::Unix);
    assert!(!unix.contains("i-secret"), "{unix}");
    assert!(unix.contains(grants::MASK), "{unix}");
}
