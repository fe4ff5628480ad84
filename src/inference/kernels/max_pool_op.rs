//! The 2 × 2, stride-2 max-pool as a tract op, and the rewrite that puts it in place of
//! tract's `MaxPool` before optimisation.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::{
    ensure, EvalContext, EvalOp, Op, OpState, StaticName, TypedModelPatch, TypedOp,
};
use tract_onnx::tract_core::ops::cnn::{MaxPool, PaddingSpec};
use tract_onnx::tract_core::ops::nn::DataFormat;
use tract_onnx::tract_core::{as_op, not_out_of_plan, op_as_typed_op};

use super::super::recycled::{input, Fill, Recycled};
use super::max_pool::pool;
use super::simd::Simd;

/// An f32 `[1, C, H, W]` (or `[C, H, W]`) in, `[1, C, H / 2, W / 2]` out.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MaxPool2x2 {
    input_shape: TVec<usize>,
}

impl MaxPool2x2 {
    /// The op that computes `pool` on an input of `shape`, or `None` when `pool` is not a
    /// plain 2 × 2 / stride 2 f32 NCHW (or CHW) max-pool without padding or indices.
    fn replacing(pool: &MaxPool, shape: &[usize]) -> Option<MaxPool2x2> {
        let spec = &pool.pool_spec;
        let layout = matches!(
            (spec.data_format, shape),
            (DataFormat::NCHW, &[1, _, h, w]) | (DataFormat::CHW, &[_, h, w]) if h >= 2 && w >= 2
        );
        let unpadded = match &spec.padding {
            PaddingSpec::Valid => true,
            PaddingSpec::Explicit(before, after) => before.iter().chain(after).all(|&p| p == 0),
            _ => false,
        };
        let plain = layout
            && unpadded
            && pool.with_index_outputs.is_none()
            && *spec.kernel_shape == [2, 2]
            && spec.strides.as_deref() == Some(&[2, 2])
            && spec
                .dilations
                .as_ref()
                .is_none_or(|d| d.iter().all(|&x| x == 1));
        plain.then(|| MaxPool2x2 {
            input_shape: shape.into(),
        })
    }

    fn output_shape(&self) -> TVec<usize> {
        let mut shape = self.input_shape.clone();
        let rank = shape.len();
        shape[rank - 2] /= 2;
        shape[rank - 1] /= 2;
        shape
    }
}

/// Replaces every plain 2 × 2 / stride-2 f32 `MaxPool` of a decluttered `model` with
/// [`MaxPool2x2`]; returns how many it replaced.
pub fn rewrite(model: &mut TypedModel) -> TractResult<usize> {
    let mut replaced = 0;
    for id in model.eval_order()? {
        let node = model.node(id);
        let Some(pool) = node.op_as::<MaxPool>() else {
            continue;
        };
        let fact = model.outlet_fact(node.inputs[0])?;
        let op = match fact.shape.as_concrete() {
            Some(shape) if fact.datum_type == f32::datum_type() => {
                MaxPool2x2::replacing(pool, shape)
            }
            _ => None,
        };
        let Some(op) = op else { continue };
        let patch = TypedModelPatch::replace_single_op(model, node, &node.inputs, op)?;
        patch.apply(model)?;
        replaced += 1;
    }
    Ok(replaced)
}

impl Op for MaxPool2x2 {
    fn name(&self) -> StaticName {
        "MaxPool2x2".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        Ok(vec![format!("on {}", Simd::best().name())])
    }

    op_as_typed_op!();
}

impl EvalOp for MaxPool2x2 {
    not_out_of_plan!();

    fn state(&self, _: &EvalContext) -> TractResult<Option<Box<dyn OpState>>> {
        Ok(Some(Box::<Recycled<Self>>::default()))
    }
}

impl Fill for MaxPool2x2 {
    fn output_shape(&self, _: &[TValue]) -> TractResult<TVec<usize>> {
        Ok(MaxPool2x2::output_shape(self))
    }

    fn fill(&self, inputs: &[TValue], out: &mut [f32]) -> TractResult<()> {
        let rank = self.input_shape.len();
        let (h, w) = (self.input_shape[rank - 2], self.input_shape[rank - 1]);
        pool(Simd::best(), h, w, input(inputs, 0)?, out)
    }
}

impl TypedOp for MaxPool2x2 {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(
            inputs.len() == 1 && inputs[0].shape.as_concrete() == Some(&*self.input_shape),
            "MaxPool2x2 takes one {:?} input, got {inputs:?}",
            self.input_shape
        );
        Ok(tvec!(f32::fact(&*self.output_shape())))
    }

    as_op!();
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::inference::kernels::depthwise_op::tests::{random, run};
    use tract_onnx::tract_core::ops::cnn::PoolSpec;

    /// A model of one tract 2 × 2 / stride-2 `MaxPool` over `[1, c, h, w]`.
    pub(in super::super) fn one_pool(c: usize, h: usize, w: usize) -> TypedModel {
        let mut model = TypedModel::default();
        let x = model.add_source("x", f32::fact([1, c, h, w])).unwrap();
        let spec = PoolSpec::new(
            DataFormat::NCHW,
            tvec![2, 2],
            PaddingSpec::Valid,
            None,
            Some(tvec![2, 2]),
            c,
            c,
        );
        let y = model
            .wire_node("pool", MaxPool::new(spec, None), &[x])
            .unwrap();
        model.select_output_outlets(&y).unwrap();
        model
    }

    #[test]
    fn the_op_replaces_tracts_max_pool_and_gives_its_values() {
        for (c, h, w) in [(28, 64, 64), (3, 7, 5)] {
            let input = Tensor::from_shape(&[1, c, h, w], &random(c * h * w, 4)).unwrap();
            let (want, stock) = run(one_pool(c, h, w), &input);
            let mut model = one_pool(c, h, w);
            assert_eq!(rewrite(&mut model).unwrap(), 1);
            let (got, ours) = run(model, &input);
            assert!(stock.iter().any(|o| o.contains("MaxPool")), "{stock:?}");
            assert_eq!(ours.iter().filter(|o| o.contains("MaxPool")).count(), 1);
            assert!(ours.iter().any(|o| o == "MaxPool2x2"), "{ours:?}");
            assert_eq!(got, want);
        }
    }
}
