//! The residual tail as one tract op, and the rewrite that puts it in place of a decluttered
//! model's `Pad` of the channel axis (zeros at the end), the `Add` reading it and the
//! activation after (our [`Prelu`], a ReLU `Max` with zero, or none).
//!
//! The rewrite runs after `prelu_op::rewrite`: the PReLU it takes in is then our one node,
//! not tract's four-node lowering.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::{
    ensure, EvalContext, EvalOp, LaneId, Op, OpState, StaticName, TractErrorContext,
    TypedModelPatch, TypedOp,
};
use tract_onnx::tract_core::ops::array::{Pad, PadMode};
use tract_onnx::tract_core::ops::binary::TypedBinOp;
use tract_onnx::tract_core::{as_op, not_out_of_plan, op_as_typed_op};

use super::super::recycled::{input, refill};
use super::prelu_op::{is_zero, only_feeds, Prelu};
use super::residual::{residual, residual_into, Activation};
use super::simd::Simd;

/// What follows the addition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Then {
    Nothing,
    Relu,
    Prelu,
}

/// `x`, `y` (x's shape with fewer channels) and, for PReLU, a per-channel slope in;
/// `act(x + pad(y))` out, in `x`'s memory when no other reader holds it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ResidualAdd {
    shape: TVec<usize>,
    /// The channel axis: every axis before it has size 1.
    axis: usize,
    /// `y`'s channels, the first of `x`'s.
    y_channels: usize,
    then: Then,
}

impl ResidualAdd {
    fn plane(&self) -> usize {
        self.shape[self.axis + 1..].iter().product()
    }

    fn y_shape(&self) -> TVec<usize> {
        let mut shape = self.shape.clone();
        shape[self.axis] = self.y_channels;
        shape
    }

    fn inputs(&self) -> usize {
        if self.then == Then::Prelu {
            3
        } else {
            2
        }
    }
}

/// A residual tail of a decluttered model, and the op that computes it.
#[derive(Debug, Clone)]
pub struct Tail {
    /// The nodes it takes the place of: the `Pad`, the `Add`, then the activation if any.
    pub nodes: TVec<usize>,
    pub op: ResidualAdd,
    /// `x`, `y`, then the slope for PReLU.
    inputs: TVec<OutletId>,
}

/// `outlet`'s shape when it is a concrete f32.
fn f32_shape(model: &TypedModel, outlet: OutletId) -> Option<TVec<usize>> {
    let fact = model.outlet_fact(outlet).ok()?;
    (fact.datum_type == f32::datum_type())
        .then(|| fact.shape.as_concrete().map(TVec::from))
        .flatten()
}

/// The padded axis when `pad` pads one axis of `shape`, at its end, with +0, and every axis
/// before it has size 1.
fn channel_axis(pad: &Pad, shape: &[usize]) -> Option<usize> {
    let zero = match &pad.mode {
        PadMode::Constant(v) => v.cast_to_scalar::<f32>().is_ok_and(|v| v.to_bits() == 0),
        _ => false,
    };
    let mut padded = pad.pads.iter().enumerate().filter(|(_, p)| **p != (0, 0));
    let (axis, &(before, after)) = padded.next()?;
    let one_axis = padded.next().is_none() && before == 0 && after > 0;
    let leading = pad.pads.len() == shape.len() && shape[..axis].iter().all(|&d| d == 1);
    (zero && one_axis && leading).then_some(axis)
}

/// Whether `node`'s only reader is `reader`, and no model output is `node`'s.
fn inner(model: &TypedModel, node: &TypedNode, reader: usize) -> bool {
    only_feeds(node, reader)
        && !model
            .output_outlets()
            .is_ok_and(|o| o.contains(&node.id.into()))
}

/// `(x, y, op)` when input `ix` of `add` is a channel `Pad` read by nothing else, and the
/// other input has the sum's shape.
fn padded_operand(
    model: &TypedModel,
    add: &TypedNode,
    ix: usize,
) -> Option<(OutletId, OutletId, ResidualAdd)> {
    let pad_node = model.node(add.inputs.get(ix)?.node);
    let pad = pad_node.op_as::<Pad>()?;
    let (x, y) = (*add.inputs.get(1 - ix)?, *pad_node.inputs.first()?);
    let (shape, y_shape) = (f32_shape(model, x)?, f32_shape(model, y)?);
    let axis = channel_axis(pad, &y_shape)?;
    let sum = f32_shape(model, add.id.into())?;
    let fits = sum == shape && f32_shape(model, add.inputs[ix])? == shape;
    (fits && inner(model, pad_node, add.id)).then(|| {
        let op = ResidualAdd {
            shape,
            axis,
            y_channels: y_shape[axis],
            then: Then::Nothing,
        };
        (x, y, op)
    })
}

/// The activation reading `add`, when `add` has no other reader: `(kind, node, slope)`.
fn activation(
    model: &TypedModel,
    add: &TypedNode,
    op: &ResidualAdd,
) -> Option<(Then, usize, Option<OutletId>)> {
    let [next] = add.outputs.first()?.successors.as_slice() else {
        return None;
    };
    let node = model.node(next.node);
    if !inner(model, add, node.id) {
        return None;
    }
    if node.op_as::<Prelu>().is_some() && next.slot == 0 {
        let slope = *node.inputs.get(1)?;
        let shape = f32_shape(model, slope)?;
        let per_channel = shape.len() == op.shape.len()
            && shape
                .iter()
                .enumerate()
                .all(|(i, &d)| d == if i == op.axis { op.shape[i] } else { 1 });
        return per_channel.then_some((Then::Prelu, node.id, Some(slope)));
    }
    node.op_as::<TypedBinOp>()
        .filter(|b| b.0.name() == "Max" && node.inputs.len() == 2)?;
    let zero = is_zero(model, node.inputs[1 - next.slot]);
    let same = f32_shape(model, node.id.into()).is_some_and(|s| s == op.shape);
    (zero && same).then_some((Then::Relu, node.id, None))
}

/// The tail `add` ends, if any.
fn matched(model: &TypedModel, add: &TypedNode) -> Option<Tail> {
    add.op_as::<TypedBinOp>()
        .filter(|b| b.0.name() == "Add" && add.inputs.len() == 2)?;
    let (ix, (x, y, mut op)) = [1, 0]
        .into_iter()
        .find_map(|ix| Some((ix, padded_operand(model, add, ix)?)))?;
    let mut nodes = tvec![add.inputs[ix].node, add.id];
    let mut inputs = tvec![x, y];
    if let Some((then, node, slope)) = activation(model, add, &op) {
        op.then = then;
        nodes.push(node);
        inputs.extend(slope);
    }
    Some(Tail { nodes, op, inputs })
}

/// Every residual tail of a decluttered `model`, in evaluation order.
pub fn tails(model: &TypedModel) -> TractResult<Vec<Tail>> {
    Ok(model
        .eval_order()?
        .into_iter()
        .filter_map(|id| matched(model, model.node(id)))
        .collect())
}

/// Replaces every residual tail of a decluttered `model` with [`ResidualAdd`]; returns how
/// many.
pub fn rewrite(model: &mut TypedModel) -> TractResult<usize> {
    let mut replaced = 0;
    for id in model.eval_order()? {
        let Some(tail) = matched(model, model.node(id)) else {
            continue;
        };
        let last = *tail.nodes.last().context("a tail has nodes")?;
        let mut patch = TypedModelPatch::default();
        let inputs = tail
            .inputs
            .iter()
            .map(|&o| patch.tap_model(model, o))
            .collect::<TractResult<TVec<_>>>()?;
        let out = patch.wire_node(&model.node(last).name, tail.op, &inputs)?[0];
        patch.shunt_outside(model, last.into(), out)?;
        patch.apply(model)?;
        replaced += 1;
    }
    Ok(replaced)
}

impl Op for ResidualAdd {
    fn name(&self) -> StaticName {
        "ResidualAdd".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        Ok(vec![format!(
            "{:?} + {} channels padded, then {:?}, on {}",
            self.shape,
            self.y_channels,
            self.then,
            Simd::best().name()
        )])
    }

    op_as_typed_op!();
}

impl EvalOp for ResidualAdd {
    not_out_of_plan!();

    /// The output is `x`'s memory, written over, when `x` is ours alone.
    fn forwards_input(&self) -> Option<usize> {
        Some(0)
    }

    fn state(&self, _: &EvalContext) -> TractResult<Option<Box<dyn OpState>>> {
        Ok(Some(Box::new(State {
            last: None,
            simd: Simd::best(),
        })))
    }
}

impl TypedOp for ResidualAdd {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        ensure!(
            inputs.len() == self.inputs()
                && inputs[0].shape.as_concrete() == Some(&*self.shape)
                && inputs[1].shape.as_concrete() == Some(&*self.y_shape()),
            "ResidualAdd takes a {:?} and a {:?} input, got {inputs:?}",
            self.shape,
            self.y_shape()
        );
        Ok(tvec!(f32::fact(&*self.shape)))
    }

    as_op!();
}

/// The output kept for the runs where `x` is shared and cannot be written over.
#[derive(Debug, Clone)]
struct State {
    last: Option<TValue>,
    simd: Simd,
}

impl OpState for State {
    /// tract lets go of a value before running its last reader, so `x` is usually ours alone
    /// and is written in place.
    fn eval(
        &mut self,
        _: &EvalContext,
        op: &dyn Op,
        inputs: TVec<TValue>,
    ) -> TractResult<TVec<TValue>> {
        let op = op
            .downcast_ref::<ResidualAdd>()
            .context("residual state run with another op")?;
        ensure!(
            inputs.len() == op.inputs(),
            "ResidualAdd got {} inputs",
            inputs.len()
        );
        let mut inputs = inputs.into_iter();
        let mut x = inputs
            .next()
            .context("ResidualAdd takes x")?
            .into_arc_tensor();
        let rest: TVec<TValue> = inputs.collect();
        let y = input(&rest, 0)?;
        let act = match op.then {
            Then::Nothing => Activation::Linear,
            Then::Relu => Activation::Relu,
            Then::Prelu => Activation::Prelu(input(&rest, 1)?),
        };
        let (plane, simd) = (op.plane(), self.simd);
        if let Some(tensor) = Arc::get_mut(&mut x) {
            {
                let mut view = tensor.try_as_plain_ram_mut()?;
                residual(simd, view.as_slice_mut::<f32>()?, y, plane, act)?;
            }
            return Ok(tvec!(x.into_tvalue()));
        }
        let x = x.try_as_plain_ram()?;
        let x = x.as_slice::<f32>()?;
        let value = refill(&mut self.last, &op.shape, |out| {
            residual_into(simd, x, y, out, plane, act)
        })?;
        Ok(tvec!(value))
    }

    /// The kept tensor is a cache, not a stream's state.
    fn reset_lanes(&mut self, _lanes: &[LaneId]) -> TractResult<()> {
        Ok(())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::inference::kernels::depthwise_op::tests::{random, run_inputs};
    use crate::inference::kernels::prelu_op::{self, tests::wire_prelu};
    use tract_onnx::tract_core::ops::math;

    /// `act(x + pad(y))` over `shape` (NCHW or CHW), `y` with `y_channels`, as tract's ops:
    /// the PReLU lowered as `src/inference/prelu.rs` does, with a slope of `random(c, 5)`.
    pub(in super::super) fn one_tail(shape: &[usize], y_channels: usize, then: Then) -> TypedModel {
        let (rank, axis) = (shape.len(), shape.len() - 3);
        let mut y_shape = shape.to_vec();
        y_shape[axis] = y_channels;
        let mut pads = vec![(0, 0); rank];
        pads[axis] = (0, shape[axis] - y_channels);
        let mut model = TypedModel::default();
        let x = model.add_source("x", f32::fact(shape)).unwrap();
        let y = model.add_source("y", f32::fact(&y_shape)).unwrap();
        let pad = Pad::new(pads, PadMode::Constant(Arc::new(tensor0(0f32))));
        let padded = model.wire_node("pad", pad, &[y]).unwrap()[0];
        let sum = model.wire_node("add", math::add(), &[x, padded]).unwrap()[0];
        let out = match then {
            Then::Nothing => sum,
            Then::Relu => {
                let zero = tensor0(0f32).broadcast_into_rank(rank).unwrap();
                let zero = model.add_const("zero", zero).unwrap();
                model.wire_node("relu", math::max(), &[sum, zero]).unwrap()[0]
            }
            Then::Prelu => {
                let mut slope = vec![1; rank];
                slope[axis] = shape[axis];
                wire_prelu(&mut model, sum, &slope)
            }
        };
        model.select_output_outlets(&[out]).unwrap();
        model
    }

    fn inputs(shape: &[usize], y_channels: usize) -> (Tensor, Tensor) {
        let mut y_shape = shape.to_vec();
        y_shape[shape.len() - 3] = y_channels;
        let (n, m) = (shape.iter().product(), y_shape.iter().product());
        (
            Tensor::from_shape(shape, &random(n, 7)).unwrap(),
            Tensor::from_shape(&y_shape, &random(m, 8)).unwrap(),
        )
    }

    fn ours(mut model: TypedModel) -> (TypedModel, usize) {
        prelu_op::rewrite(&mut model).unwrap();
        let n = rewrite(&mut model).unwrap();
        (model, n)
    }

    #[test]
    fn the_op_replaces_the_tail_and_gives_its_values() {
        for (shape, cy, then) in [
            (vec![1, 24, 16, 16], 16, Then::Prelu),
            (vec![32, 4, 4], 17, Then::Relu),
            (vec![1, 7, 5, 3], 3, Then::Nothing),
        ] {
            let (x, y) = inputs(&shape, cy);
            let (want, stock) = run_inputs(one_tail(&shape, cy, then), &[&x, &y]);
            let (model, n) = ours(one_tail(&shape, cy, then));
            assert_eq!(n, 1, "{shape:?}");
            let (got, ours) = run_inputs(model, &[&x, &y]);
            assert!(stock.iter().any(|o| o.contains("Pad")), "{stock:?}");
            assert_eq!(ours.iter().filter(|o| *o == "ResidualAdd").count(), 1);
            for tracts in ["Pad", "Prelu", "Max", "Min", "Add"] {
                let left = |o: &&String| o.contains(tracts) && *o != "ResidualAdd";
                assert!(!ours.iter().any(|o| left(&o)), "{ours:?}");
            }
            assert_eq!(got, want, "{shape:?} {then:?}");
        }
    }

    /// With `x` made inside the plan (here `2 × x`), the op owns it and writes over it.
    #[test]
    fn an_x_of_its_own_is_written_in_place_with_the_same_values() {
        let (shape, cy) = ([1, 16, 8, 8], 8);
        let doubled = |mut model: TypedModel| {
            let x = model.input_outlets().unwrap()[0];
            let two = tensor0(2f32).broadcast_into_rank(4).unwrap();
            let two = model.add_const("two", two).unwrap();
            let add = model.node_id_by_name("add").unwrap();
            let scaled = model.wire_node("scale", math::mul(), &[x, two]).unwrap()[0];
            model.add_edge(scaled, InletId::new(add, 0)).unwrap();
            model
        };
        let (x, y) = inputs(&shape, cy);
        let (want, _) = run_inputs(doubled(one_tail(&shape, cy, Then::Relu)), &[&x, &y]);
        let (model, n) = ours(doubled(one_tail(&shape, cy, Then::Relu)));
        assert_eq!(n, 1);
        let (got, ops) = run_inputs(model, &[&x, &y]);
        assert!(ops.iter().any(|o| o == "ResidualAdd"), "{ops:?}");
        assert_eq!(got, want);
    }

    #[test]
    fn a_pad_with_another_reader_or_value_is_left_to_tract() {
        let mut model = one_tail(&[1, 8, 4, 4], 4, Then::Nothing);
        let pad = model.node_id_by_name("pad").unwrap();
        let out = model.output_outlets().unwrap()[0];
        let twice = model
            .wire_node("twice", math::add(), &[out, OutletId::new(pad, 0)])
            .unwrap();
        model.select_output_outlets(&twice).unwrap();
        assert_eq!(ours(model).1, 0);
        let mut model = one_tail(&[1, 8, 4, 4], 4, Then::Nothing);
        let pad = model.node_id_by_name("pad").unwrap();
        let op = Pad::new(
            vec![(0, 0), (0, 4), (0, 0), (0, 0)],
            PadMode::Constant(Arc::new(tensor0(1f32))),
        );
        model.node_mut(pad).op = Box::new(op);
        assert_eq!(ours(model).1, 0);
    }

    /// An `Add` read by the PReLU and as a model output keeps its PReLU, which reads our op.
    #[test]
    fn a_sum_with_another_reader_keeps_its_activation() {
        let read_twice = || {
            let mut model = one_tail(&[1, 8, 4, 4], 4, Then::Prelu);
            let add = OutletId::new(model.node_id_by_name("add").unwrap(), 0);
            let out = model.output_outlets().unwrap()[0];
            model.select_output_outlets(&[out, add]).unwrap();
            model
        };
        let (x, y) = inputs(&[1, 8, 4, 4], 4);
        let (want, _) = run_inputs(read_twice(), &[&x, &y]);
        let (model, n) = ours(read_twice());
        assert_eq!(n, 1);
        let (got, ops) = run_inputs(model, &[&x, &y]);
        assert!(ops.iter().any(|o| o == "Prelu"), "{ops:?}");
        assert!(ops.iter().any(|o| o == "ResidualAdd"), "{ops:?}");
        assert_eq!(got, want);
    }
}
