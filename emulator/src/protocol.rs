//! The wire protocols, each written once: awsJson1.1 (SSM), awsQuery (IAM, STS) and EC2's query
//! dialect. A request is routed by its `X-Amz-Target` header, or by the service in its SigV4
//! credential scope and its `Action`. Handlers see typed input and return typed output or an
//! [`AwsError`](crate::AwsError); only this module writes JSON or XML.

pub mod boto;
pub mod context;
pub mod json;
pub mod query;
pub mod query_input;
pub mod timestamp;

pub use context::{Answer, RequestContext};
