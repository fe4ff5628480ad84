//! Hand-written kernels for the ops that dominate the models' time, plugged into tract as ops
//! of our own (issue 13). Each kernel has a scalar reference and SIMD paths chosen at run time.

pub mod depthwise;
pub mod depthwise_hwc;
pub mod depthwise_op;
pub mod max_pool;
pub mod max_pool_op;
pub mod prelu;
pub mod prelu_op;
pub mod residual;
pub mod residual_op;
pub mod simd;

use tract_onnx::prelude::*;

/// Puts our kernels in place of the tract ops they replace in a decluttered `model`, before
/// tract optimises it. The residual tails go last: they take in the PReLUs made just before.
pub fn rewrite(model: &mut TypedModel) -> TractResult<()> {
    depthwise_op::rewrite(model)?;
    max_pool_op::rewrite(model)?;
    prelu_op::rewrite(model)?;
    residual_op::rewrite(model)?;
    Ok(())
}
