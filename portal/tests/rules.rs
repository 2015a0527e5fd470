//! The portal's authorisation rules, tested on the service layer in milliseconds: who may see,
//! control and decide what, what a grant admits, four eyes, and that every refusal is audited;
//! and what the portal promises when AWS misbehaves (faults injected in the emulator).
//! Each test runs against a [`support::TestPortal`] of its own (emulator, database, grants).

mod support;

#[path = "rules/approvals.rs"]
mod approvals;
#[path = "rules/audit.rs"]
mod audit;
#[path = "rules/catalog.rs"]
mod catalog;
#[path = "rules/checking.rs"]
mod checking;
#[path = "rules/controlling.rs"]
mod controlling;
#[path = "rules/matrix.rs"]
mod matrix;
#[path = "rules/seeing.rs"]
mod seeing;
#[path = "rules/starting.rs"]
mod starting;
#[path = "rules/step_decisions.rs"]
mod step_decisions;
#[path = "rules/under_faults.rs"]
mod under_faults;
