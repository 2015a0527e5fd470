//! A query request as handlers read it: its flattened parameters, typed inputs built from them,
//! and the dialect (awsQuery or EC2's) that names its lists. Apart from the answer's framing
//! (`query`) so that boto3's view of the protocol (`boto`), which that framing uses, can build
//! requests without depending on it.

use std::collections::BTreeMap;

use crate::AwsError;

/// A query-protocol request's flattened parameters.
#[derive(Debug, Clone, Default)]
pub struct QueryParams(BTreeMap<String, String>);

impl QueryParams {
    pub fn parse(body: &[u8]) -> Result<Self, AwsError> {
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|e| {
            AwsError::bad_request(
                "MalformedQueryString",
                format!("The request body is not form-encoded: {e}"),
            )
        })?;
        Ok(Self(pairs.into_iter().collect()))
    }

    /// Parameters built in-process (the Automation engine calling a service).
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        Self(pairs.into_iter().collect())
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    pub fn required(&self, name: &str) -> Result<&str, AwsError> {
        self.get(name)
            .ok_or_else(|| AwsError::missing_parameter(name))
    }

    /// The values of a list parameter, flattened as `Name.N` (EC2) or `Name.member.N` (awsQuery),
    /// in index order.
    pub fn list(&self, name: &str) -> Vec<String> {
        let mut indexed: Vec<(u32, &String)> = self
            .0
            .iter()
            .filter_map(|(key, value)| {
                let rest = key.strip_prefix(name)?.strip_prefix('.')?;
                let rest = rest.strip_prefix("member.").unwrap_or(rest);
                Some((rest.parse().ok()?, value))
            })
            .collect();
        indexed.sort_by_key(|(i, _)| *i);
        indexed.into_iter().map(|(_, v)| v.clone()).collect()
    }
}

impl QueryParams {
    /// An optional whole-number parameter within `range`.
    pub fn number(
        &self,
        name: &str,
        range: std::ops::RangeInclusive<i64>,
    ) -> Result<Option<i64>, AwsError> {
        let Some(text) = self.get(name) else {
            return Ok(None);
        };
        match text.parse::<i64>() {
            Ok(n) if range.contains(&n) => Ok(Some(n)),
            _ => Err(AwsError::bad_request(
                "ValidationError",
                format!(
                    "1 validation error detected: Value '{text}' at '{name}' failed to satisfy constraint: \
                     Member must have value between {} and {}",
                    range.start(),
                    range.end()
                ),
            )),
        }
    }

    /// An optional boolean parameter (`true` / `false`).
    pub fn boolean(&self, name: &str) -> Result<Option<bool>, AwsError> {
        match self.get(name) {
            None => Ok(None),
            Some(t) if t.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(t) if t.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(t) => Err(AwsError::bad_request(
                "InvalidParameterValue",
                format!(
                    "Value ({t}) for parameter {name} is invalid. Expected: 'true' or 'false'."
                ),
            )),
        }
    }

    /// Structures flattened as `Name.N.Field` (EC2) or `Name.member.N.Field`: one map per index.
    pub fn structures(&self, name: &str) -> Vec<std::collections::BTreeMap<String, String>> {
        let mut by_index: std::collections::BTreeMap<
            u32,
            std::collections::BTreeMap<String, String>,
        > = std::collections::BTreeMap::new();
        for (key, value) in &self.0 {
            let Some(rest) = key.strip_prefix(name).and_then(|r| r.strip_prefix('.')) else {
                continue;
            };
            let rest = rest.strip_prefix("member.").unwrap_or(rest);
            let Some((index, field)) = rest.split_once('.') else {
                continue;
            };
            if let Ok(index) = index.parse() {
                by_index
                    .entry(index)
                    .or_default()
                    .insert(field.to_owned(), value.clone());
            }
        }
        by_index.into_values().collect()
    }
}

/// An operation's typed input, read from the flattened parameters.
pub trait FromQuery: Sized {
    fn from_query(params: &QueryParams) -> Result<Self, AwsError>;
}

/// Operations without input fields.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoInput;

impl FromQuery for NoInput {
    fn from_query(_: &QueryParams) -> Result<Self, AwsError> {
        Ok(Self)
    }
}

/// How a service frames its XML answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// IAM and STS: `<OpResponse><OpResult>…</OpResult><ResponseMetadata>…`, lists of `<member>`.
    Query { namespace: &'static str },
    /// EC2: `<OpResponse><requestId>…</requestId>…`, lists of `<item>`.
    Ec2 { namespace: &'static str },
}
