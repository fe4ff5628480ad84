//! 2 × 2, stride-2 max-pooling of a large map as the maximum of its four stride-2 samplings.
//!
//! tract's own `MaxPool` kernel is a generic loop: it took ~22 % of the detector's and the
//! mesh's time. Four `Downsample`s and three vectorised `Max`es give the same values 7–10 %
//! faster on maps of at least 32 × 32 and are slower on small ones (PERFORMANCE.md), so the
//! smaller pools keep tract's op.

use std::sync::OnceLock;

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::prelude::*;
use tract_onnx::tract_core::ops::Downsample;
use tract_onnx::tract_hir::internal::{
    expand, Expansion, InferenceOp, InferenceResult, Solver, StaticName, TensorProxy,
};
use tract_onnx::tract_hir::ops::cnn::{HirMaxPool, PaddingSpec, PoolSpec};
use tract_onnx::tract_hir::ops::math;
use tract_onnx::tract_hir::ops::nn::DataFormat;

/// Smallest map (H × W) worth splitting: measured on x86, one core.
const MIN_AREA: usize = 32 * 32;

type Builder = fn(&ParsingContext, &NodeProto) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)>;

/// tract's own `MaxPool` builder, for every pooling that is not a plain 2 × 2 / stride 2.
fn tract_builder() -> TractResult<Builder> {
    static BUILDER: OnceLock<Option<Builder>> = OnceLock::new();
    BUILDER
        .get_or_init(|| tract_onnx::onnx().op_register.0.get("MaxPool").copied())
        .ok_or_else(|| TractError::msg("tract has no ONNX MaxPool"))
}

/// The ONNX op builder registered for `MaxPool`.
pub fn build(
    ctx: &ParsingContext,
    node: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    let ints = |name| node.get_attr_opt_tvec::<usize>(name);
    let plain = node.output.len() == 1
        && ints("kernel_shape")?.as_deref() == Some(&[2, 2])
        && ints("strides")?.as_deref() == Some(&[2, 2])
        && ints("pads")?.is_none_or(|p| p.iter().all(|&x| x == 0))
        && ints("dilations")?.is_none_or(|d| d.iter().all(|&x| x == 1))
        && node.get_attr_opt::<i64>("ceil_mode")?.unwrap_or(0) == 0
        && node
            .get_attr_opt::<&str>("auto_pad")?
            .is_none_or(|p| p == "NOTSET" || p == "VALID");
    if !plain {
        return tract_builder()?(ctx, node);
    }
    let spec = PoolSpec::new(
        DataFormat::NCHW,
        tvec![2, 2],
        PaddingSpec::Valid,
        None,
        Some(tvec![2, 2]),
        0,
        0,
    );
    Ok((
        expand(SampledMaxPool {
            pool: HirMaxPool::new(spec, None),
        }),
        vec![],
    ))
}

/// A 2 × 2 / stride-2 max-pool (NCHW, no padding), split into samplings on large maps.
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
struct SampledMaxPool {
    /// tract's op, for the shape rules and the small maps.
    pool: HirMaxPool,
}

impl Expansion for SampledMaxPool {
    fn name(&self) -> StaticName {
        "SampledMaxPool".into()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        self.pool.rules(s, inputs, outputs)
    }

    fn wire(
        &self,
        name: &str,
        model: &mut TypedModel,
        inputs: &[OutletId],
    ) -> TractResult<TVec<OutletId>> {
        let x = inputs[0];
        let shape = model
            .outlet_fact(x)?
            .shape
            .as_concrete()
            .map(<[usize]>::to_vec);
        // Only even sides split exactly: an odd side's last row has no pair, which VALID
        // pooling drops and a sampling would keep.
        let split = shape.is_some_and(|s| {
            s.len() == 4 && s[2] * s[3] >= MIN_AREA && s[2] % 2 == 0 && s[3] % 2 == 0
        });
        if !split {
            return self.pool.wire(name, model, inputs);
        }
        let mut samples = TVec::new();
        for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            let rows = Downsample::new(2, 2, dy);
            let rows = model.wire_node(format!("{name}.rows{dy}{dx}"), rows, &[x])?[0];
            let cols = Downsample::new(3, 2, dx);
            samples.push(model.wire_node(format!("{name}.cols{dy}{dx}"), cols, &[rows])?[0]);
        }
        let top = model.wire_node(format!("{name}.max0"), math::max(), &samples[0..2])?[0];
        let bottom = model.wire_node(format!("{name}.max1"), math::max(), &samples[2..4])?[0];
        model.wire_node(name, math::max(), &[top, bottom])
    }
}
