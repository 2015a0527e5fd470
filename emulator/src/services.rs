//! One module per emulated service. Each maps operation names to typed handlers, mechanically.

pub mod ec2;
pub mod iam;
pub mod ssm;
pub mod sts;
