//! The catalog's descriptions of runbooks, kept a while: the catalog shows one for every row.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What DescribeDocument says of a version, kept a while: the catalog shows it for every row.
#[derive(Clone)]
pub(crate) struct Description {
    pub description: String,
    pub categories: Vec<String>,
    pub default_version: String,
}

pub(crate) const DESCRIBED_FOR: Duration = Duration::from_secs(300);

/// Descriptions by (name, latest version), with when they were read.
#[derive(Default)]
pub(crate) struct Described(pub Mutex<HashMap<(String, String), (Instant, Description)>>);
