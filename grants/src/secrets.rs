//! Secret parameters: those whose names match the configured patterns. Their values are masked
//! wherever the portal shows, exports or logs them; only AWS gets them.

use wildmatch::WildMatch;

/// What is shown instead of a secret value.
pub const MASK: &str = "********";

/// The patterns used when none are configured.
pub const DEFAULT_SECRET_PATTERNS: [&str; 8] = [
    "*Password*",
    "*Passwd*",
    "*Secret*",
    "*Token*",
    "*Credential*",
    "*PrivateKey*",
    "*Private_Key*",
    "*ApiKey*",
];

/// Values shorter than this are not searched for in other text (a one-letter secret would mask
/// every occurrence of that letter); the parameter itself is still masked.
const SHORTEST_SCRUBBED: usize = 3;

/// Parameter-name patterns (`*` and `?`, any case) that mark a parameter's value as secret.
#[derive(Debug, Clone)]
pub struct SecretNames {
    patterns: Vec<String>,
    matchers: Vec<WildMatch>,
}

impl Default for SecretNames {
    fn default() -> Self {
        Self::new(DEFAULT_SECRET_PATTERNS.iter().map(|p| (*p).to_owned()))
            .unwrap_or_else(|_| unreachable!("the default patterns are valid"))
    }
}

impl SecretNames {
    /// Refuses an empty pattern (it would match nothing and hide a mistake).
    pub fn new(patterns: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let patterns: Vec<String> = patterns.into_iter().map(|p| p.trim().to_owned()).collect();
        if patterns.iter().any(String::is_empty) {
            return Err(
                "a secret parameter pattern is empty: give name patterns such as *Password*".into(),
            );
        }
        let matchers = patterns
            .iter()
            .map(|p| WildMatch::new(&p.to_lowercase()))
            .collect();
        Ok(Self { patterns, matchers })
    }

    pub fn patterns(&self) -> &[String] {
        &self.patterns
    }

    pub fn is_secret(&self, parameter: &str) -> bool {
        let name = parameter.to_lowercase();
        self.matchers.iter().any(|m| m.matches(&name))
    }

    /// The value as it may be shown: masked if the parameter is secret.
    pub fn shown(&self, name: &str, value: &str) -> String {
        if self.is_secret(name) {
            MASK.to_owned()
        } else {
            value.to_owned()
        }
    }

    /// A scrubber for the secret values among `parameters` (name → values).
    pub fn scrubber<'p>(
        &self,
        parameters: impl IntoIterator<Item = (&'p str, &'p [String])>,
    ) -> Scrubber {
        let mut values: Vec<String> = parameters
            .into_iter()
            .filter(|(name, _)| self.is_secret(name))
            .flat_map(|(_, values)| values.iter())
            .filter(|v| v.chars().count() >= SHORTEST_SCRUBBED)
            .cloned()
            .collect();
        // Longest first, so a secret that contains another is masked whole.
        values.sort_by_key(|v| std::cmp::Reverse(v.len()));
        values.dedup();
        Scrubber { values }
    }
}

/// Replaces known secret values wherever they appear in text (a step's inputs, outputs and
/// failure messages repeat the parameters they were given).
#[derive(Debug, Clone, Default)]
pub struct Scrubber {
    values: Vec<String>,
}

impl Scrubber {
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    pub fn scrub(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for value in &self.values {
            if text.contains(value.as_str()) {
                text = text.replace(value.as_str(), MASK);
            }
        }
        text
    }

    pub fn scrub_in_place(&self, text: &mut String) {
        if self.values.iter().any(|v| text.contains(v.as_str())) {
            *text = self.scrub(text);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_patterns_match_secret_names_in_any_case() {
        let names = SecretNames::default();
        for secret in [
            "DbPassword",
            "password",
            "ClientSecret",
            "GitHubToken",
            "Credentials",
            "SshPrivateKey",
            "private_key",
            "ApiKey",
        ] {
            assert!(names.is_secret(secret), "{secret}");
        }
        for plain in ["InstanceId", "KeyName", "AutomationAssumeRole", "Tokyo"] {
            assert!(!names.is_secret(plain), "{plain}");
        }
    }

    #[test]
    fn configured_patterns_replace_the_defaults() {
        let names = SecretNames::new(["Pin".to_owned(), "*Passphrase".to_owned()]).expect("valid");
        assert!(names.is_secret("pin"));
        assert!(names.is_secret("GpgPassphrase"));
        assert!(!names.is_secret("DbPassword"));
        assert!(SecretNames::new(["  ".to_owned()]).is_err());
    }

    #[test]
    fn secret_values_are_scrubbed_from_any_text_longest_first() {
        let names = SecretNames::default();
        let password = vec!["hunter2-long".to_owned()];
        let token = vec!["hunter2".to_owned()];
        let short = vec!["x".to_owned()];
        let plain = vec!["i-123".to_owned()];
        let scrubber = names.scrubber([
            ("Token", token.as_slice()),
            ("DbPassword", password.as_slice()),
            ("PinSecret", short.as_slice()),
            ("InstanceId", plain.as_slice()),
        ]);
        assert_eq!(
            scrubber.scrub("login hunter2-long then hunter2 on i-123 x"),
            format!("login {MASK} then {MASK} on i-123 x")
        );
        assert_eq!(names.shown("DbPassword", "v"), MASK);
        assert_eq!(names.shown("InstanceId", "v"), "v");
    }
}
