//! MediaPipe's `TransformTensorBilinear` (v2) custom op, from the attention mesh: samples an
//! NHWC feature map on a grid through a 4 × 4 matrix, bilinearly, so each region head sees
//! its eye or lips upright and at a fixed size. Semantics from mediapipe/util/tflite/
//! operations/transform_tensor_bilinear.cc: pixel centres at +0.5 (the matrix is corrected
//! for it), and zero for a grid point that falls outside the map.

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::{
    ensure, format_err, DimLike, EvalContext, EvalOp, Op, OpState, TractErrorContext, TypedOp,
};
use tract_onnx::tract_core::{as_op, not_out_of_plan, op_as_typed_op};
use tract_onnx::tract_hir::internal::{
    check_input_arity, check_output_arity, expand, Expansion, InferenceOp, InferenceResult, Solver,
    StaticName, TensorProxy,
};

use super::recycled::{input, Fill, Recycled};

/// The ONNX op builder registered for `TFL_TransformTensorBilinear`.
pub fn build(
    _: &ParsingContext,
    node: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    let size = |name: &str| -> TractResult<usize> {
        let v: i64 = node.get_attr(name)?;
        usize::try_from(v)
            .ok()
            .filter(|&v| v > 0)
            .ok_or_else(|| format_err!("{name} is {v}, must be > 0"))
    };
    let op = (|| {
        Ok::<_, TractError>(TransformTensorBilinear {
            out_h: size("output_height")?,
            out_w: size("output_width")?,
        })
    })()
    .with_context(|| {
        format!(
            "node {:?} (TFL_TransformTensorBilinear) has bad attributes",
            node.name
        )
    })?;
    Ok((expand(op), vec![]))
}

/// Samples `map` (`h` × `w` × `c`, NHWC) on an `out_h` × `out_w` grid through `matrix`
/// (row-major 4 × 4, of which the first two rows are read) into `out`.
pub fn sample(
    map: &[f32],
    (h, w, c): (usize, usize, usize),
    matrix: &[f32],
    (out_h, out_w): (usize, usize),
    out: &mut [f32],
) {
    let mut xt = [matrix[0], matrix[1], matrix[2], matrix[3]];
    let mut yt = [matrix[4], matrix[5], matrix[6], matrix[7]];
    // T → S · T · A, with A adding and S taking away half a pixel: sample at pixel centres.
    xt[3] += xt[0] * 0.5 + xt[1] * 0.5 - 0.5;
    yt[3] += yt[0] * 0.5 + yt[1] * 0.5 - 0.5;
    let read = |y: i64, x: i64, ch: usize| -> f32 {
        if y < 0 || x < 0 || y >= h as i64 || x >= w as i64 {
            0.0
        } else {
            map[(y as usize * w + x as usize) * c + ch]
        }
    };
    for oy in 0..out_h {
        for ox in 0..out_w {
            let (fx, fy) = (ox as f32, oy as f32);
            let tx = xt[0] * fx + xt[1] * fy + xt[2] * 0.0 + xt[3];
            let ty = yt[0] * fx + yt[1] * fy + yt[2] * 0.0 + yt[3];
            let cell = &mut out[(oy * out_w + ox) * c..][..c];
            let outside = tx < 0.0 || tx > (w - 1) as f32 || ty < 0.0 || ty > (h - 1) as f32;
            if outside {
                cell.fill(0.0);
                continue;
            }
            let (x0, y0) = (tx.floor(), ty.floor());
            let (right, lower) = (tx - x0, ty - y0);
            let (x0, y0) = (x0 as i64, y0 as i64);
            for (ch, v) in cell.iter_mut().enumerate() {
                let upper = (1.0 - right) * read(y0, x0, ch) + right * read(y0, x0 + 1, ch);
                let below = (1.0 - right) * read(y0 + 1, x0, ch) + right * read(y0 + 1, x0 + 1, ch);
                *v = lower * below + (1.0 - lower) * upper;
            }
        }
    }
}

/// The op, for ONNX loading (shape rules) and as the typed op it wires.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TransformTensorBilinear {
    pub out_h: usize,
    pub out_w: usize,
}

impl Expansion for TransformTensorBilinear {
    fn name(&self) -> StaticName {
        "TransformTensorBilinear".into()
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
        s.equals(&inputs[0].rank, 4)?;
        s.equals(&outputs[0].rank, 4)?;
        s.equals(&outputs[0].shape[0], &inputs[0].shape[0])?;
        s.equals(&outputs[0].shape[1], self.out_h.to_dim())?;
        s.equals(&outputs[0].shape[2], self.out_w.to_dim())?;
        s.equals(&outputs[0].shape[3], &inputs[0].shape[3])
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

impl Op for TransformTensorBilinear {
    fn name(&self) -> StaticName {
        "TransformTensorBilinear".into()
    }

    op_as_typed_op!();
}

impl EvalOp for TransformTensorBilinear {
    not_out_of_plan!();

    fn state(&self, _: &EvalContext) -> TractResult<Option<Box<dyn OpState>>> {
        Ok(Some(Box::<Recycled<Self>>::default()))
    }
}

impl Fill for TransformTensorBilinear {
    fn output_shape(&self, inputs: &[TValue]) -> TractResult<TVec<usize>> {
        let shape = inputs.first().context("no feature map")?.shape();
        Ok(tvec![1, self.out_h, self.out_w, shape[3]])
    }

    fn fill(&self, inputs: &[TValue], out: &mut [f32]) -> TractResult<()> {
        let shape = inputs.first().context("no feature map")?.shape();
        let (h, w, c) = (shape[1], shape[2], shape[3]);
        let matrix = input(inputs, 1)?;
        ensure!(
            matrix.len() >= 8,
            "the transform matrix has {} values",
            matrix.len()
        );
        sample(
            input(inputs, 0)?,
            (h, w, c),
            matrix,
            (self.out_h, self.out_w),
            out,
        );
        Ok(())
    }
}

impl TypedOp for TransformTensorBilinear {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let (map, matrix) = (&inputs[0].shape, &inputs[1].shape);
        ensure!(
            map.rank() == 4
                && map[0] == 1.to_dim()
                && map[1].to_usize().is_ok_and(|h| h > 0)
                && map[2].to_usize().is_ok_and(|w| w > 0),
            "TransformTensorBilinear samples a [1, H, W, C] map, got {map:?}"
        );
        ensure!(
            matrix.iter().product::<TDim>() == 16.to_dim(),
            "TransformTensorBilinear takes a 4 × 4 matrix, got {matrix:?}"
        );
        Ok(tvec!(f32::fact([
            1.to_dim(),
            self.out_h.to_dim(),
            self.out_w.to_dim(),
            map[3].clone()
        ])))
    }

    as_op!();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 3 × 4 map with one channel whose value is 10 × row + column.
    fn ramp() -> Vec<f32> {
        (0..3)
            .flat_map(|y| (0..4).map(move |x| (10 * y + x) as f32))
            .collect()
    }

    fn translate(tx: f32, ty: f32) -> [f32; 16] {
        [
            1.0, 0.0, 0.0, tx, 0.0, 1.0, 0.0, ty, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0,
        ]
    }

    #[test]
    fn the_identity_copies_the_map() {
        let map = ramp();
        let mut out = vec![-1.0; 12];
        sample(&map, (3, 4, 1), &translate(0.0, 0.0), (3, 4), &mut out);
        assert_eq!(out, map);
    }

    #[test]
    fn half_a_pixel_blends_neighbours_and_outside_is_zero() {
        // Grid (0,0) → map (0.5, 0.5): the mean of 0, 1, 10, 11. Grid (1,1) → (1.5, 1.5):
        // 16.5. Grid (3,0) → x 3.5, past the last column: zero.
        let mut out = vec![-1.0; 8];
        sample(&ramp(), (3, 4, 1), &translate(0.5, 0.5), (2, 4), &mut out);
        assert!((out[0] - 5.5).abs() < 1e-6, "{out:?}");
        assert!((out[5] - 16.5).abs() < 1e-6, "{out:?}");
        assert_eq!(out[3], 0.0);
    }

    #[test]
    fn channels_are_sampled_alike() {
        let map: Vec<f32> = ramp().iter().flat_map(|&v| [v, -v]).collect();
        let mut out = vec![0.0; 2];
        sample(&map, (3, 4, 2), &translate(1.25, 0.0), (1, 1), &mut out);
        assert!(
            (out[0] - 1.25).abs() < 1e-6 && (out[1] + 1.25).abs() < 1e-6,
            "{out:?}"
        );
    }
}
