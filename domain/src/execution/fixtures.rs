//! Small executions for tests, on either side of the boundary (the portal's tests use them too).

use super::{Children, ExecutionSummary, ExecutionView, StepView};

/// Step `number` called `name`, an `aws:sleep` with `status`.
pub fn step(number: usize, name: &str, status: &str) -> StepView {
    StepView {
        number,
        id: format!("id-{name}"),
        name: name.to_owned(),
        action: "aws:sleep".to_owned(),
        status: status.to_owned(),
        ..StepView::default()
    }
}

/// Execution `e-1` in `status` with `steps`.
pub fn view(status: &str, steps: Vec<StepView>) -> ExecutionView {
    ExecutionView {
        may: Default::default(),
        summary: ExecutionSummary {
            id: "e-1".into(),
            status: status.into(),
            mode: "Auto".into(),
            ..ExecutionSummary::default()
        },
        steps,
        children: Children::default(),
    }
}
