//! PReLU as one tract op working in place, and the rewrite that puts it in place of the
//! `max(x, 0) + slope × min(x, 0)` four-node lowering (`src/inference/prelu.rs`) in a
//! decluttered model.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::{
    ensure, EvalContext, EvalOp, Op, StaticName, TractErrorContext, TypedModelPatch, TypedOp,
};
use tract_onnx::tract_core::ops::binary::TypedBinOp;
use tract_onnx::tract_core::{as_op, op_as_typed_op, op_out_of_plan};

use super::prelu::{prelu, prelu_channels_last};
use super::simd::Simd;

/// An f32 `x` and a per-channel `slope` (x's shape with 1 on every axis but the channels')
/// in; `x` out, overwritten when no other reader holds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Prelu {
    shape: TVec<usize>,
    /// The channel axis: every axis before it has size 1 (planes of channels), or it is the
    /// last axis (channels last, as tract leaves some of the iris model's maps on aarch64).
    axis: usize,
}

impl Prelu {
    fn plane(&self) -> usize {
        self.shape[self.axis + 1..].iter().product()
    }

    fn planar(&self) -> bool {
        self.shape[..self.axis].iter().all(|&d| d == 1)
    }
}

/// The node feeding input `ix` of `node` when it is a binary `op` (e.g. "Max").
fn bin_input<'m>(
    model: &'m TypedModel,
    node: &TypedNode,
    ix: usize,
    op: &str,
) -> Option<&'m TypedNode> {
    let prec = model.node(node.inputs.get(ix)?.node);
    prec.op_as::<TypedBinOp>()
        .filter(|bin| bin.0.name() == op)
        .map(|_| prec)
}

/// Whether `outlet` is a constant zero.
pub(super) fn is_zero(model: &TypedModel, outlet: OutletId) -> bool {
    model
        .outlet_fact(outlet)
        .ok()
        .and_then(|f| f.konst.as_ref())
        .is_some_and(|k| k.is_all_zero().unwrap_or(false))
}

/// Whether `node` has one reader only, `reader`.
pub(super) fn only_feeds(node: &TypedNode, reader: usize) -> bool {
    node.outputs.len() == 1
        && node.outputs[0].successors.len() == 1
        && node.outputs[0].successors[0].node == reader
}

/// `(x, slope, op)` when `add` ends a PReLU lowering: `add(max(x, 0), mul(min(x, 0), slope))`,
/// with a constant per-channel `slope` and inner nodes read by nothing else.
fn matched(model: &TypedModel, add: &TypedNode) -> Option<(OutletId, OutletId, Prelu)> {
    add.op_as::<TypedBinOp>().filter(|b| b.0.name() == "Add")?;
    let max = bin_input(model, add, 0, "Max")?;
    let mul = bin_input(model, add, 1, "Mul")?;
    let min = bin_input(model, mul, 0, "Min")?;
    let (x, slope) = (max.inputs[0], mul.inputs[1]);
    let inner = only_feeds(max, add.id) && only_feeds(mul, add.id) && only_feeds(min, mul.id);
    let zeros = is_zero(model, max.inputs[1]) && is_zero(model, min.inputs[1]);
    if !(inner && zeros && min.inputs[0] == x) {
        return None;
    }
    let (x_fact, s_fact) = (model.outlet_fact(x).ok()?, model.outlet_fact(slope).ok()?);
    let shape = x_fact.shape.as_concrete()?;
    let slope_shape = s_fact.shape.as_concrete()?;
    let f32s = x_fact.datum_type == f32::datum_type() && s_fact.datum_type == f32::datum_type();
    let axis = slope_shape.iter().position(|&d| d != 1).unwrap_or(0);
    let per_channel = slope_shape.len() == shape.len()
        && slope_shape
            .iter()
            .enumerate()
            .all(|(i, &d)| d == 1 || i == axis)
        && slope_shape.get(axis) == shape.get(axis)
        && (shape[..axis].iter().all(|&d| d == 1) || axis + 1 == shape.len());
    (f32s && per_channel && s_fact.konst.is_some()).then(|| {
        let op = Prelu {
            shape: shape.into(),
            axis,
        };
        (x, slope, op)
    })
}

/// Replaces every PReLU lowering of a decluttered `model` with [`Prelu`]; returns how many.
pub fn rewrite(model: &mut TypedModel) -> TractResult<usize> {
    let mut replaced = 0;
    for id in model.eval_order()? {
        let node = model.node(id);
        let Some((x, slope, op)) = matched(model, node) else {
            continue;
        };
        let mut patch = TypedModelPatch::default();
        let inputs = [patch.tap_model(model, x)?, patch.tap_model(model, slope)?];
        let out = patch.wire_node(&node.name, op, &inputs)?[0];
        patch.shunt_outside(model, id.into(), out)?;
        patch.apply(model)?;
        replaced += 1;
    }
    Ok(replaced)
}

impl Op for Prelu {
    fn name(&self) -> StaticName {
        "Prelu".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        Ok(vec![format!("in place, on {}", Simd::best().name())])
    }

    op_as_typed_op!();
}

impl EvalOp for Prelu {
    op_out_of_plan!();

    /// The output is `x`'s memory, written over.
    fn forwards_input(&self) -> Option<usize> {
        Some(0)
    }

    /// tract lets go of a value before running its last reader, so `x` is usually ours alone
    /// and `into_tensor` takes it without a copy.
    fn eval(&self, _: &EvalContext, inputs: TVec<TValue>) -> TractResult<TVec<TValue>> {
        let mut inputs = inputs.into_iter();
        let (x, slope) = inputs
            .next()
            .zip(inputs.next())
            .context("Prelu takes x and a slope")?;
        let mut x = x.into_tensor();
        {
            let slope = slope.try_as_plain_ram()?;
            let mut view = x.try_as_plain_ram_mut()?;
            let (values, slope) = (view.as_slice_mut::<f32>()?, slope.as_slice::<f32>()?);
            if self.planar() {
                prelu(Simd::best(), values, self.plane(), slope)?;
            } else {
                prelu_channels_last(Simd::best(), values, slope)?;
            }
        }
        Ok(tvec!(x.into_tvalue()))
    }
}

impl TypedOp for Prelu {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(
            inputs.len() == 2 && inputs[0].shape.as_concrete() == Some(&*self.shape),
            "Prelu takes one {:?} input and a slope, got {inputs:?}",
            self.shape
        );
        Ok(tvec!(f32::fact(&*self.shape)))
    }

    as_op!();
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::inference::kernels::depthwise_op::tests::{random, run};
    use tract_onnx::tract_core::ops::math;

    /// `max(x, 0) + slope × min(x, 0)` over `shape`, lowered as `src/inference/prelu.rs` does,
    /// with a slope of `slope_shape`.
    pub(in super::super) fn one_prelu(shape: &[usize], slope_shape: &[usize]) -> TypedModel {
        let mut model = TypedModel::default();
        let x = model.add_source("x", f32::fact(shape)).unwrap();
        let y = wire_prelu(&mut model, x, slope_shape);
        model.select_output_outlets(&[y]).unwrap();
        model
    }

    /// The lowering of [`one_prelu`] applied to `x` in `model`; a slope of `random(n, 5)`.
    pub(in super::super) fn wire_prelu(
        model: &mut TypedModel,
        x: OutletId,
        slope_shape: &[usize],
    ) -> OutletId {
        let zero = tensor0(0f32)
            .broadcast_into_rank(slope_shape.len())
            .unwrap();
        let zero = model.add_const("prelu.zero", zero).unwrap();
        let n = slope_shape.iter().product();
        let slope = Tensor::from_shape(slope_shape, &random(n, 5)).unwrap();
        let slope = model.add_const("slope", slope).unwrap();
        let pos = model.wire_node("max", math::max(), &[x, zero]).unwrap()[0];
        let neg = model.wire_node("min", math::min(), &[x, zero]).unwrap()[0];
        let scaled = model
            .wire_node("scale", math::mul(), &[neg, slope])
            .unwrap()[0];
        model
            .wire_node("prelu", math::add(), &[pos, scaled])
            .unwrap()[0]
    }

    #[test]
    fn the_op_replaces_the_lowering_and_gives_its_values() {
        for (shape, slope) in [
            (vec![1, 16, 9, 7], vec![1, 16, 1, 1]),
            (vec![32, 4, 4], vec![32, 1, 1]),
            (vec![4, 4, 32], vec![1, 1, 32]),
        ] {
            let n = shape.iter().product();
            let input = Tensor::from_shape(&shape, &random(n, 6)).unwrap();
            let (want, _) = run(one_prelu(&shape, &slope), &input);
            let mut model = one_prelu(&shape, &slope);
            assert_eq!(rewrite(&mut model).unwrap(), 1, "{shape:?}");
            let (got, ours) = run(model, &input);
            assert!(ours.iter().any(|o| o == "Prelu"), "{ours:?}");
            assert!(!ours.iter().any(|o| o.contains("Min")), "{ours:?}");
            assert_eq!(got, want, "{shape:?}");
        }
    }

    #[test]
    fn a_slope_that_is_not_per_channel_is_left_to_tract() {
        let mut model = one_prelu(&[1, 2, 4, 4], &[1, 1, 4, 4]);
        assert_eq!(rewrite(&mut model).unwrap(), 0);
    }
}
