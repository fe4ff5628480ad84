//! PRelu as `max(x, 0) + slope × min(x, 0)`.

use tract_onnx::pb::NodeProto;
use tract_onnx::prelude::*;
use tract_onnx::tract_hir::internal::{
    check_input_arity, check_output_arity, expand, AxisOp, Expansion, InferenceOp, InferenceResult,
    Solver, StaticName, TensorProxy,
};
use tract_onnx::tract_hir::ops::math;

/// The ONNX op builder registered for `PRelu`.
pub fn build(
    _: &tract_onnx::model::ParsingContext,
    _: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    Ok((expand(Prelu), vec![]))
}

/// PRelu as `max(x, 0) + slope × min(x, 0)`: the same values as tract's own lowering (compare,
/// multiply, select), whose compare and select ran unvectorised and took about half of the mesh
/// and iris models' time (PERFORMANCE.md).
#[derive(Debug, Clone, Hash, PartialEq, Eq)]
struct Prelu;

impl Expansion for Prelu {
    fn name(&self) -> StaticName {
        "Prelu".into()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 2)?;
        check_output_arity(outputs, 1)?;
        s.equals(&inputs[0].datum_type, &outputs[0].datum_type)?;
        s.equals(&inputs[0].shape, &outputs[0].shape)?;
        Ok(())
    }

    fn wire(
        &self,
        name: &str,
        model: &mut TypedModel,
        inputs: &[OutletId],
    ) -> TractResult<TVec<OutletId>> {
        let x = inputs[0];
        let mut slope = inputs[1];
        let rank = model.outlet_fact(x)?.rank();
        while model.outlet_fact(slope)?.rank() < rank {
            let axis = format!("{name}.add-axis-{}", model.outlet_fact(slope)?.rank());
            slope = model.wire_node(axis, AxisOp::Add(0), &[slope])?[0];
        }
        let zero = tensor0(0.0)
            .cast_to_dt(model.outlet_fact(x)?.datum_type)?
            .into_owned()
            .broadcast_into_rank(rank)?;
        let zero = model.add_const(format!("{name}.zero"), zero)?;
        let pos = model.wire_node(format!("{name}.max"), math::max(), &[x, zero])?[0];
        let neg = model.wire_node(format!("{name}.min"), math::min(), &[x, zero])?[0];
        let scaled = model.wire_node(format!("{name}.scale"), math::mul(), &[neg, slope])?[0];
        model.wire_node(format!("{name}.add"), math::add(), &[pos, scaled])
    }
}
