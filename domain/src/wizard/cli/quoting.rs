//! One argument, written so that each shell hands it to the command exactly as it is, whatever
//! it holds: the values come from a form's address, so anyone who shares a link chooses them, and
//! the person who pastes the command must not run anything else.
//!
//! A value of only letters, digits and `-_.:/=,@+*` and spaces means the same in every shell's
//! double quotes, and is written so, as the AWS user guide writes its examples. Anything else:
//! - bash and zsh: single quotes, in which nothing is special; a `'` is written `'\''`. A value
//!   with a control character, which a terminal would take as a key, in `$'…'` with escapes.
//! - PowerShell: single quotes, in which nothing is special but the quotes themselves, which
//!   PowerShell also reads in their typographic forms (‘ ’ ‚ ‛); each is doubled. A value with a
//!   control character is joined from such strings and `[char]` codes.
//! - cmd.exe: two parsers read the line. cmd.exe itself ends the command at `&`, `|`, `<`, `>`
//!   outside double quotes (and `"` toggles its idea of "inside"), and expands `%VAR%` (and
//!   `!VAR!` with delayed expansion) even inside quotes, with no escape that works on every
//!   command line. Then `aws.exe` splits the rest by the Windows C runtime's rules (`\"` is a
//!   literal quote, backslashes before a quote are doubled). So: a value with `%`, `!` or a line
//!   break is refused; one without a `"` goes in double quotes; one with `"` (JSON) is quoted for
//!   the C runtime and then every cmd.exe metacharacter, the quotes included, gets a `^`, so
//!   cmd.exe never sees a quote it would toggle on and passes everything through literally.

/// Why a command is not shown for a shell, and what to do instead, in words that are safe to
/// print in a comment line of that shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(String);

impl Refusal {
    /// `what` holds what cmd.exe would expand or split.
    pub fn for_cmd(what: &str) -> Self {
        Self(format!(
            "This command cannot be written safely for cmd.exe: {what} holds a percent sign, an \
             exclamation mark, a line break or another control character, which cmd.exe \
             expands or splits inside quotes too. Use the PowerShell command, or save the input as JSON and run \
             aws ssm start-automation-execution --cli-input-json file://start.json"
        ))
    }

    /// The AWS CLI would read the file or address `flag`'s value names.
    pub fn read_by_the_cli(flag: &str) -> Self {
        Self(format!(
            "This command is not shown: the {flag} value starts with file, fileb, http or https \
             and a colon, so the AWS CLI would read that file or address and send its content \
             instead. Check the value in the form."
        ))
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Characters that mean the same, inside double quotes, to bash, cmd.exe and PowerShell.
fn plain(text: &str) -> bool {
    !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:/=,@+* ".contains(c))
}

/// `text` as one bash (or zsh) word.
pub fn bash(text: &str) -> String {
    if plain(text) {
        return format!("\"{text}\"");
    }
    if !text.chars().any(char::is_control) {
        return format!("'{}'", text.replace('\'', r"'\''"));
    }
    // A control character pasted into a terminal acts as a key (a carriage return becomes a new
    // line, a DEL erases): ANSI-C quoting writes each as an escape, and `!` too, which history
    // expansion would read.
    let mut out = String::from("$'");
    for c in text.chars() {
        match c {
            '\\' => out.push_str(r"\\"),
            '\'' => out.push_str(r"\'"),
            c if c.is_control() || c == '!' => {
                let mut utf8 = [0; 4];
                for byte in c.encode_utf8(&mut utf8).bytes() {
                    out.push_str(&format!("\\x{byte:02X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// The characters PowerShell reads as a single quote.
const PS_SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];

/// `text` as one PowerShell string.
pub fn powershell(text: &str) -> String {
    if plain(text) {
        return format!("\"{text}\"");
    }
    if !text.chars().any(char::is_control) {
        return single_quoted(text);
    }
    // A control character pasted into a console acts as a key (a DEL erases, a carriage return
    // enters): the string is joined from literals and `[char]` codes instead (which Windows
    // PowerShell 5.1 reads too, unlike `` `u{…} ``).
    let mut parts = vec!["''".to_owned()];
    let mut run = String::new();
    for c in text.chars() {
        if c.is_control() {
            if !run.is_empty() {
                parts.push(single_quoted(&std::mem::take(&mut run)));
            }
            parts.push(format!("[char]{}", u32::from(c)));
        } else {
            run.push(c);
        }
    }
    if !run.is_empty() {
        parts.push(single_quoted(&run));
    }
    format!("({})", parts.join("+"))
}

/// A PowerShell single-quoted string: every kind of single quote doubled.
fn single_quoted(text: &str) -> String {
    let mut out = String::from("'");
    for c in text.chars() {
        if PS_SINGLE_QUOTES.contains(&c) {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

/// `text` as one argument of `aws.exe` typed at cmd.exe, or why it cannot be.
pub fn cmd(text: &str, what: &str) -> Result<String, Refusal> {
    if text.chars().any(|c| c == '%' || c == '!' || c.is_control()) {
        return Err(Refusal::for_cmd(what));
    }
    let quoted = c_runtime(text);
    if !text.contains('"') {
        // cmd.exe sees one quoted stretch: nothing in it is special to cmd.exe.
        return Ok(quoted);
    }
    let mut out = String::with_capacity(quoted.len() * 2);
    for c in quoted.chars() {
        if "()%!^\"<>&|".contains(c) {
            out.push('^');
        }
        out.push(c);
    }
    Ok(out)
}

/// `text` in double quotes as the Windows C runtime splits a command line: a quote as `\"`, and
/// the backslashes before a quote (or the closing one) doubled.
fn c_runtime(text: &str) -> String {
    let mut out = String::from("\"");
    let mut backslashes = 0;
    for c in text.chars() {
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
