//! AWS Systems Manager (awsJson1.1, target prefix `AmazonSSM`).

use crate::protocol::RequestContext;
use crate::server::State;
use crate::AwsError;

pub const TARGET_PREFIX: &str = "AmazonSSM";

pub fn handle(
    _state: &State,
    _ctx: &RequestContext,
    operation: &str,
    _body: &[u8],
) -> Result<Vec<u8>, AwsError> {
    Err(AwsError::not_implemented("SSM", operation))
}
