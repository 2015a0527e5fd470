//! Rights as values. Each is made only by its check in `access` (the constructors are private
//! to this crate), and names the one execution it was checked for.

/// The right to read and follow one execution.
#[derive(Debug, Clone)]
pub struct Visible {
    id: String,
}

/// The right to cancel, step, complete or resume one execution.
#[derive(Debug)]
pub struct Controllable {
    id: String,
}

/// The right to approve or reject one execution's `aws:approve` step.
#[derive(Debug)]
pub struct StepDecidable {
    id: String,
}

macro_rules! right {
    ($right:ident) => {
        impl $right {
            pub(crate) fn new(id: &str) -> Self {
                Self { id: id.to_owned() }
            }

            /// The execution this right is for.
            pub fn id(&self) -> &str {
                &self.id
            }
        }
    };
}

right!(Visible);
right!(Controllable);
right!(StepDecidable);
