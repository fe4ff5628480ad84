//! MediaPipe's `TransformLandmarks` (v2) custom op, from the attention mesh: maps a region
//! head's landmarks from its grid back into the mesh's frame through the region's 4 × 4
//! matrix. Semantics from mediapipe/util/tflite/operations/transform_landmarks.cc: (x, y)
//! go through the matrix's first two rows, a third coordinate is kept as it is.

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::{
    ensure, DimLike, EvalContext, EvalOp, Op, OpState, TractErrorContext, TypedOp,
};
use tract_onnx::tract_core::{as_op, not_out_of_plan, op_as_typed_op};
use tract_onnx::tract_hir::internal::{
    check_input_arity, check_output_arity, expand, Expansion, InferenceOp, InferenceResult, Solver,
    StaticName, TensorProxy,
};

use super::recycled::{input, Fill, Recycled};

/// The ONNX op builder registered for `TFL_TransformLandmarks` (it has no attributes: the
/// dimension is the landmarks' last axis).
pub fn build(
    _: &ParsingContext,
    _: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    Ok((expand(TransformLandmarks), vec![]))
}

/// Maps `points` (`dims` = 2 or 3 values each) through `matrix` (row-major 4 × 4) into `out`.
pub fn transform(points: &[f32], dims: usize, matrix: &[f32], out: &mut [f32]) {
    let row = |r: usize, x: f32, y: f32| {
        matrix[r * 4] * x + matrix[r * 4 + 1] * y + matrix[r * 4 + 2] * 0.0 + matrix[r * 4 + 3]
    };
    for (p, o) in points.chunks_exact(dims).zip(out.chunks_exact_mut(dims)) {
        o[0] = row(0, p[0], p[1]);
        o[1] = row(1, p[0], p[1]);
        if dims == 3 {
            o[2] = p[2];
        }
    }
}

/// The op, for ONNX loading (shape rules) and as the typed op it wires.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TransformLandmarks;

impl Expansion for TransformLandmarks {
    fn name(&self) -> StaticName {
        "TransformLandmarks".into()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 2)?;
        check_output_arity(outputs, 1)?;
        s.equals(&inputs[0].datum_type, f32::datum_type())?;
        s.equals(&outputs[0].datum_type, f32::datum_type())?;
        s.equals(&inputs[0].shape, &outputs[0].shape)
    }

    fn wire(
        &self,
        name: &str,
        model: &mut TypedModel,
        inputs: &[OutletId],
    ) -> TractResult<TVec<OutletId>> {
        model.wire_node(name, self.clone(), inputs)
    }
}

impl Op for TransformLandmarks {
    fn name(&self) -> StaticName {
        "TransformLandmarks".into()
    }

    op_as_typed_op!();
}

impl EvalOp for TransformLandmarks {
    not_out_of_plan!();

    fn state(&self, _: &EvalContext) -> TractResult<Option<Box<dyn OpState>>> {
        Ok(Some(Box::<Recycled<Self>>::default()))
    }
}

impl Fill for TransformLandmarks {
    fn output_shape(&self, inputs: &[TValue]) -> TractResult<TVec<usize>> {
        Ok(inputs.first().context("no landmarks")?.shape().into())
    }

    fn fill(&self, inputs: &[TValue], out: &mut [f32]) -> TractResult<()> {
        let shape = inputs.first().context("no landmarks")?.shape();
        let dims = *shape.last().context("landmarks of rank 0")?;
        let matrix = input(inputs, 1)?;
        ensure!(
            matrix.len() >= 8,
            "the transform matrix has {} values",
            matrix.len()
        );
        transform(input(inputs, 0)?, dims, matrix, out);
        Ok(())
    }
}

impl TypedOp for TransformLandmarks {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let (points, matrix) = (&inputs[0].shape, &inputs[1].shape);
        let dims = points.last().and_then(|d| d.to_usize().ok());
        ensure!(
            points.rank() == 3 && matches!(dims, Some(2 | 3)),
            "TransformLandmarks maps [1, N, 2 or 3] landmarks, got {points:?}"
        );
        ensure!(
            matrix.iter().product::<TDim>() == 16.to_dim(),
            "TransformLandmarks takes a 4 × 4 matrix, got {matrix:?}"
        );
        Ok(tvec!(inputs[0].without_value()))
    }

    as_op!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_go_through_the_affine_and_z_is_kept() {
        // x' = 2x + 1, y' = -y + 3x + 5.
        let m = [
            2.0, 0.0, 9.0, 1.0, 3.0, -1.0, 9.0, 5.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0,
        ];
        let mut out = [0.0; 6];
        transform(&[1.0, 2.0, 7.0, -1.0, 0.0, 8.0], 3, &m, &mut out);
        assert_eq!(out, [3.0, 6.0, 7.0, -1.0, 2.0, 8.0]);
        let mut flat = [0.0; 2];
        transform(&[1.0, 2.0], 2, &m, &mut flat);
        assert_eq!(flat, [3.0, 6.0]);
    }
}
