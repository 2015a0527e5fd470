//! AWS Identity and Access Management (awsQuery, version 2010-05-08).

use crate::protocol::query::{Dialect, QueryParams};
use crate::protocol::RequestContext;
use crate::server::State;
use crate::AwsError;

pub const VERSION: &str = "2010-05-08";
pub const DIALECT: Dialect = Dialect::Query {
    namespace: "https://iam.amazonaws.com/doc/2010-05-08/",
};

pub fn handle(
    _state: &State,
    _ctx: &RequestContext,
    action: &str,
    _params: &QueryParams,
) -> Result<Vec<u8>, AwsError> {
    Err(AwsError::not_implemented("IAM", action))
}
