//! How cmd.exe and PowerShell read a pasted command line, modelled from their documented rules
//! for the tests (neither shell installs on the Linux machines the tests run on; bash needs no
//! model: the tests run it). Each model answers what the program receives, or why the line would
//! do something other than run one command with those arguments.

/// The command line cmd.exe hands to the program, or why it would not.
///
/// Rules (cmd.exe's phases, as the command line, not a batch file, applies them): `%VAR%` is
/// expanded before anything else, inside quotes too, and `!VAR!` after, with delayed expansion
/// on; a `"` toggles "inside quotes", where everything else is literal; outside, `^` makes the
/// next character literal (a `^` at the end of a line joins the next line, whose first
/// character it makes literal), `&` `|` `<` `>` end the command or redirect it, and `(` `)` open
/// and close blocks; a line break that no `^` escapes ends the command.
pub fn cmd_exe(text: &str) -> Result<String, String> {
    if let Some(c) = text.chars().find(|c| *c == '%' || *c == '!') {
        return Err(format!("cmd.exe expands variables at {c:?}"));
    }
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut quoted = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        i += 1;
        if c == '\n' || c == '\r' {
            return Err("a line break ends the command".into());
        }
        if quoted {
            quoted = c != '"';
            out.push(c);
            continue;
        }
        match c {
            '^' => {
                if chars.get(i) == Some(&'\n') {
                    i += 1;
                }
                if let Some(&next) = chars.get(i) {
                    out.push(next);
                    i += 1;
                }
            }
            '"' => {
                quoted = true;
                out.push(c);
            }
            '&' | '|' | '<' | '>' => return Err(format!("{c:?} outside quotes: another command")),
            '(' | ')' => return Err(format!("{c:?} outside quotes: a block")),
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// The arguments the Windows C runtime (and `CommandLineToArgvW`) makes of a command line: split
/// at spaces and tabs outside quotes; `"` toggles quoting (`""` inside quotes is one literal
/// quote); backslashes are literal unless they precede a `"`: then each pair is one backslash
/// and an odd one makes the quote literal.
pub fn c_runtime_argv(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\t') {
            i += 1;
        }
        if i == chars.len() {
            return args;
        }
        let mut arg = String::new();
        let mut quoted = false;
        while i < chars.len() {
            let c = chars[i];
            if !quoted && (c == ' ' || c == '\t') {
                break;
            }
            if c == '\\' {
                let run = chars[i..].iter().take_while(|c| **c == '\\').count();
                if chars.get(i + run) == Some(&'"') {
                    arg.push_str(&"\\".repeat(run / 2));
                    i += run;
                    if run % 2 == 1 {
                        arg.push('"');
                        i += 1;
                    }
                } else {
                    arg.push_str(&"\\".repeat(run));
                    i += run;
                }
                continue;
            }
            if c == '"' {
                if quoted && chars.get(i + 1) == Some(&'"') {
                    arg.push('"');
                    i += 2;
                } else {
                    quoted = !quoted;
                    i += 1;
                }
                continue;
            }
            arg.push(c);
            i += 1;
        }
        args.push(arg);
    }
}

/// A token of a PowerShell command line: a string literal's value, or anything else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Text(String),
    Other(String),
}

/// The characters PowerShell reads as quotes (its tokenizer's `IsSingleQuote`, `IsDoubleQuote`).
const SINGLE_QUOTES: [char; 5] = ['\'', '\u{2018}', '\u{2019}', '\u{201A}', '\u{201B}'];
const DOUBLE_QUOTES: [char; 4] = ['"', '\u{201C}', '\u{201D}', '\u{201E}'];

/// How PowerShell tokenizes `text`, for the subset of its syntax the commands here use, or why
/// the line would do more than call one cmdlet with literal values.
///
/// Rules: in a single-quoted string nothing is special but a quote, any of the five above, and
/// two together stand for the second; a double-quoted string (any of the four) expands `$` and
/// escapes with `` ` ``, so one holding either is refused (the commands here never need them);
/// `(…)` not after `@` is taken as a concatenation of single-quoted strings and `[char]N` codes
/// (one string token); outside strings a backtick before a line break continues the line, `$`
/// is a variable, `;` ends the statement unless inside `@{ }` or `@( )`, and anything not a
/// name, a number or the punctuation of hashtables and arrays is refused.
pub fn powershell(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut other = String::new();
    let mut depth = 0_usize;
    let mut i = 0;
    let flush = |other: &mut String, tokens: &mut Vec<Token>| {
        if !other.is_empty() {
            tokens.push(Token::Other(std::mem::take(other)));
        }
    };
    while i < chars.len() {
        let c = chars[i];
        if SINGLE_QUOTES.contains(&c) || DOUBLE_QUOTES.contains(&c) {
            flush(&mut other, &mut tokens);
            let (value, next) = string_at(&chars, i)?;
            tokens.push(Token::Text(value));
            i = next;
            continue;
        }
        i += 1;
        match c {
            ' ' | '\t' => flush(&mut other, &mut tokens),
            '`' if chars.get(i) == Some(&'\n') => {
                flush(&mut other, &mut tokens);
                i += 1;
            }
            '(' if !other.ends_with('@') => {
                flush(&mut other, &mut tokens);
                let (value, next) = concatenation_at(&chars, i)?;
                tokens.push(Token::Text(value));
                i = next;
            }
            '{' | '(' => {
                depth += 1;
                other.push(c);
            }
            '}' | ')' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| format!("{c:?} closes nothing"))?;
                other.push(c);
            }
            ';' if depth == 0 => return Err("';' ends the command".into()),
            c if c.is_ascii_alphanumeric() || "-_@=;,.".contains(c) => other.push(c),
            c => return Err(format!("{c:?} outside a string")),
        }
    }
    if depth != 0 {
        return Err("a bracket is not closed".into());
    }
    flush(&mut other, &mut tokens);
    Ok(tokens)
}

/// The string literal that opens at `chars[start]`, and where it ends.
fn string_at(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let single = SINGLE_QUOTES.contains(&chars[start]);
    let closes = if single {
        &SINGLE_QUOTES[..]
    } else {
        &DOUBLE_QUOTES[..]
    };
    let mut value = String::new();
    let mut i = start + 1;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err("a string is not closed".into());
        };
        i += 1;
        if closes.contains(&c) {
            match chars.get(i) {
                Some(next) if closes.contains(next) && single => {
                    value.push(*next);
                    i += 1;
                }
                Some(next) if closes.contains(next) => {
                    return Err("a doubled quote in a double-quoted string".into())
                }
                _ => return Ok((value, i)),
            }
        } else if !single && (c == '$' || c == '`') {
            return Err(format!(
                "{c:?} in a double-quoted string expands or escapes"
            ));
        } else {
            value.push(c);
        }
    }
}

/// The value of `'…'+[char]N+…)` from `chars[start]` (just after the `(`), and where it ends.
fn concatenation_at(chars: &[char], start: usize) -> Result<(String, usize), String> {
    let mut value = String::new();
    let mut i = start;
    loop {
        if chars.get(i).is_some_and(|c| SINGLE_QUOTES.contains(c)) {
            let (text, next) = string_at(chars, i)?;
            value.push_str(&text);
            i = next;
        } else if i > start && chars[i..].starts_with(&['[', 'c', 'h', 'a', 'r', ']']) {
            // After a string, `+` appends the character; first, it would add numbers.
            i += 6;
            let digits: String = chars[i..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .collect();
            i += digits.len();
            let code = digits.parse().map_err(|_| "[char] without a code")?;
            value.push(char::from_u32(code).ok_or("[char] of no character")?);
        } else {
            return Err("a bracket holds more than strings and [char] codes".into());
        }
        match chars.get(i) {
            Some('+') => i += 1,
            Some(')') => return Ok((value, i + 1)),
            _ => return Err("a bracket holds more than strings and [char] codes".into()),
        }
    }
}
