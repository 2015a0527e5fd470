//! What never changes about an execution and decides who sees it, kept in memory.

use std::collections::HashMap;
use std::sync::Mutex;

/// Executions whose facts are kept before the memory is cleared and read again as needed.
const FACTS_KEPT: usize = 100_000;

#[derive(Debug, Clone)]
pub(crate) struct ExecutionFacts {
    pub document: String,
    /// The parent execution's id, or empty.
    pub parent: String,
}

impl ExecutionFacts {
    pub fn new(document: &str, parent: &str) -> Self {
        Self {
            document: document.to_owned(),
            parent: parent.to_owned(),
        }
    }
}

/// The facts read so far, by execution id.
#[derive(Default)]
pub(crate) struct Facts {
    facts: Mutex<HashMap<String, ExecutionFacts>>,
}

impl Facts {
    pub fn known(&self, id: &str) -> Option<ExecutionFacts> {
        self.facts.lock().ok().and_then(|f| f.get(id).cloned())
    }

    /// Keeps what a read of an execution told of it.
    pub fn note(&self, id: &str, facts: ExecutionFacts) {
        if let Ok(mut known) = self.facts.lock() {
            if known.len() >= FACTS_KEPT {
                known.clear();
            }
            known.insert(id.to_owned(), facts);
        }
    }
}
