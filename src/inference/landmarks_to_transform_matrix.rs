//! MediaPipe's `Landmarks2TransformMatrix` (v2) custom op, from the attention mesh: the 4 × 4
//! matrix that maps a region head's output grid (an eye, the lips) into the feature map, from
//! the mesh's own landmarks. Semantics from mediapipe/util/tflite/operations/
//! landmarks_to_transform_matrix.cc; attributes as tf2onnx copies them from the flexbuffer.

use tract_onnx::model::ParsingContext;
use tract_onnx::pb::NodeProto;
use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::{
    ensure, format_err, DimLike, EvalContext, EvalOp, Op, OpState, TractErrorContext, TypedOp,
};
use tract_onnx::tract_core::{as_op, not_out_of_plan, op_as_typed_op};
use tract_onnx::tract_hir::internal::{
    check_input_arity, check_output_arity, expand, Expansion, InferenceOp, InferenceResult,
    ShapeFactoid, Solver, StaticName, TensorProxy,
};

use super::recycled::{input, Fill, Recycled};

/// The op's attributes, checked at load.
#[derive(Debug, Clone, PartialEq)]
pub struct Attributes {
    /// The landmarks whose rotated bounding box is the region (`subset_idxs`; tflite reads
    /// them in pairs, an odd last one paired with itself, which is the same set).
    pub subset: Vec<usize>,
    /// The landmarks whose line sets the rotation (`left_rotation_idx`, `right_rotation_idx`).
    pub left: usize,
    pub right: usize,
    pub target_rotation: f32,
    /// The output grid (`output_width`, `output_height`).
    pub out_w: usize,
    pub out_h: usize,
    /// How far the region reaches past its landmarks' box (`scale_x`, `scale_y`).
    pub scale_x: f32,
    pub scale_y: f32,
}

/// The ONNX op builder registered for `TFL_Landmarks2TransformMatrix`.
pub fn build(
    _: &ParsingContext,
    node: &NodeProto,
) -> TractResult<(Box<dyn InferenceOp>, Vec<String>)> {
    let attrs = parse(node).with_context(|| {
        format!(
            "node {:?} (TFL_Landmarks2TransformMatrix) has bad attributes",
            node.name
        )
    })?;
    Ok((expand(Landmarks2TransformMatrixHir(attrs)), vec![]))
}

fn parse(node: &NodeProto) -> TractResult<Attributes> {
    let index = |name: &str| -> TractResult<usize> {
        let v: i64 = node.get_attr(name)?;
        usize::try_from(v).map_err(|_| format_err!("{name} is {v}, must be ≥ 0"))
    };
    let positive = |name: &str| -> TractResult<f32> {
        let v: f32 = node.get_attr(name)?;
        ensure!(v > 0.0 && v.is_finite(), "{name} is {v}, must be > 0");
        Ok(v)
    };
    let subset: Vec<i64> = node.get_attr_vec("subset_idxs")?;
    ensure!(!subset.is_empty(), "subset_idxs is empty");
    let subset = subset
        .iter()
        .map(|&i| usize::try_from(i).map_err(|_| format_err!("subset_idxs holds {i}")))
        .collect::<TractResult<Vec<_>>>()?;
    let size = |name: &str| -> TractResult<usize> {
        let v = index(name)?;
        ensure!(v > 0, "{name} is 0");
        Ok(v)
    };
    Ok(Attributes {
        subset,
        left: index("left_rotation_idx")?,
        right: index("right_rotation_idx")?,
        target_rotation: node.get_attr_opt("target_rotation_radians")?.unwrap_or(0.0),
        out_w: size("output_width")?,
        out_h: size("output_height")?,
        scale_x: positive("scale_x")?,
        scale_y: positive("scale_y")?,
    })
}

impl Attributes {
    /// Landmarks the input must hold: one past the highest index read.
    fn needs(&self) -> usize {
        self.subset
            .iter()
            .chain([&self.left, &self.right])
            .max()
            .map_or(0, |m| m + 1)
    }

    /// The matrix for `landmarks` (x, y, z per landmark), row-major.
    pub fn matrix(&self, landmarks: &[f32]) -> [f32; 16] {
        let at = |i: usize| [landmarks[i * 3], landmarks[i * 3 + 1]];
        let (l, r) = (at(self.left), at(self.right));
        let rotation = self.target_rotation - (r[1] - l[1]).atan2(r[0] - l[0]);
        let (c, s) = (rotation.cos(), rotation.sin());
        // The subset's bounding box in the frame turned by `rotation`.
        let turn = |p: [f32; 2]| [c * p[0] + -s * p[1], s * p[0] + c * p[1]];
        let first = turn(at(self.subset[0]));
        let (mut min, mut max) = (first, first);
        for &i in &self.subset[1..] {
            let p = turn(at(i));
            for k in 0..2 {
                min[k] = min[k].min(p[k]);
                max[k] = max[k].max(p[k]);
            }
        }
        let (width, height) = (max[0] - min[0], max[1] - min[1]);
        let mid = [(min[0] + max[0]) / 2.0, (min[1] + max[1]) / 2.0];
        // Back to the feature map's frame (a turn by -rotation).
        let (ci, si) = ((-rotation).cos(), (-rotation).sin());
        let centre = [ci * mid[0] + -si * mid[1], si * mid[0] + ci * mid[1]];
        // shift to the centre · rotate by -rotation · scale to the region · centre the grid.
        let (rc, rs) = ((-rotation).cos(), (-rotation).sin());
        let sx = self.scale_x * width / self.out_w as f32;
        let sy = self.scale_y * height / self.out_h as f32;
        let mut t = identity();
        t = mul(&t, &affine(1.0, 0.0, 0.0, 1.0, centre[0], centre[1]));
        t = mul(&t, &affine(rc, -rs, rs, rc, 0.0, 0.0));
        t = mul(&t, &affine(sx, 0.0, 0.0, sy, 0.0, 0.0));
        mul(
            &t,
            &affine(
                1.0,
                0.0,
                0.0,
                1.0,
                -(self.out_w as f32 / 2.0),
                -(self.out_h as f32 / 2.0),
            ),
        )
    }
}

fn identity() -> [f32; 16] {
    affine(1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
}

/// A 4 × 4 matrix acting on (x, y) as `[a b; c d]` plus `(tx, ty)`, leaving z alone.
fn affine(a: f32, b: f32, c: f32, d: f32, tx: f32, ty: f32) -> [f32; 16] {
    [
        a, b, 0.0, tx, //
        c, d, 0.0, ty, //
        0.0, 0.0, 1.0, 0.0, //
        0.0, 0.0, 0.0, 1.0,
    ]
}

/// Row-major 4 × 4 product, summed in MediaPipe's order.
fn mul(a: &[f32; 16], b: &[f32; 16]) -> [f32; 16] {
    let mut out = [0.0; 16];
    for r in 0..4 {
        for c in 0..4 {
            out[r * 4 + c] = (0..4).fold(0.0, |sum, k| sum + a[r * 4 + k] * b[k * 4 + c]);
        }
    }
    out
}

/// The op as ONNX loading sees it: shape rules, then the typed op.
#[derive(Debug, Clone)]
struct Landmarks2TransformMatrixHir(Attributes);

impl Expansion for Landmarks2TransformMatrixHir {
    fn name(&self) -> StaticName {
        "Landmarks2TransformMatrix".into()
    }

    fn rules<'r, 'p: 'r, 's: 'r>(
        &'s self,
        s: &mut Solver<'r>,
        inputs: &'p [TensorProxy],
        outputs: &'p [TensorProxy],
    ) -> InferenceResult {
        check_input_arity(inputs, 1)?;
        check_output_arity(outputs, 1)?;
        s.equals(&inputs[0].datum_type, f32::datum_type())?;
        s.equals(&outputs[0].datum_type, f32::datum_type())?;
        s.equals(&inputs[0].rank, 3)?;
        s.equals(
            &outputs[0].shape,
            ShapeFactoid::from(vec![1.to_dim(), 4.to_dim(), 4.to_dim()]),
        )
    }

    fn wire(
        &self,
        name: &str,
        model: &mut TypedModel,
        inputs: &[OutletId],
    ) -> TractResult<TVec<OutletId>> {
        model.wire_node(name, Landmarks2TransformMatrix(self.0.clone()), inputs)
    }
}

/// The typed op: one 4 × 4 matrix per run, into a recycled tensor.
#[derive(Debug, Clone, PartialEq)]
pub struct Landmarks2TransformMatrix(pub Attributes);

/// Equality is total here: `parse` admits only finite scales and rotations.
impl Eq for Landmarks2TransformMatrix {}

impl Op for Landmarks2TransformMatrix {
    fn name(&self) -> StaticName {
        "Landmarks2TransformMatrix".into()
    }

    op_as_typed_op!();
}

impl EvalOp for Landmarks2TransformMatrix {
    not_out_of_plan!();

    fn state(&self, _: &EvalContext) -> TractResult<Option<Box<dyn OpState>>> {
        Ok(Some(Box::<Recycled<Self>>::default()))
    }
}

impl Fill for Landmarks2TransformMatrix {
    fn output_shape(&self, _: &[TValue]) -> TractResult<TVec<usize>> {
        Ok(tvec![1, 4, 4])
    }

    fn fill(&self, inputs: &[TValue], out: &mut [f32]) -> TractResult<()> {
        let landmarks = input(inputs, 0)?;
        ensure!(landmarks.len() >= self.0.needs() * 3, "too few landmarks");
        out.copy_from_slice(&self.0.matrix(landmarks));
        Ok(())
    }
}

impl TypedOp for Landmarks2TransformMatrix {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let shape = &inputs[0].shape;
        let ok = shape.rank() == 3
            && shape[0] == 1.to_dim()
            && shape[2] == 3.to_dim()
            && shape[1].to_usize().is_ok_and(|n| n >= self.0.needs());
        ensure!(
            ok,
            "Landmarks2TransformMatrix reads landmark #{} of [1, N, 3] landmarks, got {shape:?}",
            self.0.needs().saturating_sub(1)
        );
        Ok(tvec!(f32::fact([1, 4, 4])))
    }

    as_op!();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(subset: Vec<usize>) -> Attributes {
        Attributes {
            subset,
            left: 0,
            right: 1,
            target_rotation: 0.0,
            out_w: 16,
            out_h: 16,
            scale_x: 1.5,
            scale_y: 1.5,
        }
    }

    fn apply(m: &[f32; 16], x: f32, y: f32) -> [f32; 2] {
        [m[0] * x + m[1] * y + m[3], m[4] * x + m[5] * y + m[7]]
    }

    #[test]
    fn a_level_box_maps_the_grid_onto_its_scaled_bounds() {
        // Level landmarks: rotation 0, box x 10..30, y 40..50, centre (20, 45).
        let pts = [10.0, 40.0, 0.0, 30.0, 40.0, 0.0, 20.0, 50.0, 0.0];
        let m = attrs(vec![0, 1, 2]).matrix(&pts);
        // Grid centre (8, 8) → box centre; grid corner (0, 0) → centre − 1.5 × half size.
        let c = apply(&m, 8.0, 8.0);
        assert!(
            (c[0] - 20.0).abs() < 1e-5 && (c[1] - 45.0).abs() < 1e-5,
            "{c:?}"
        );
        let corner = apply(&m, 0.0, 0.0);
        assert!((corner[0] - (20.0 - 15.0)).abs() < 1e-5, "{corner:?}");
        assert!((corner[1] - (45.0 - 7.5)).abs() < 1e-5, "{corner:?}");
        assert_eq!(&m[8..], &[0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]);
    }

    #[test]
    fn a_turned_pair_turns_the_grid_with_it() {
        // Rotation landmarks at 90°: (0,0) → (0,10). Subset: a 10 × 4 box along that line.
        let pts = [
            0.0, 0.0, 0.0, 0.0, 10.0, 0.0, 2.0, 0.0, 0.0, -2.0, 10.0, 0.0,
        ];
        let m = attrs(vec![0, 1, 2, 3]).matrix(&pts);
        // The grid's x axis runs along the landmark line (+y in the image).
        let (a, b) = (apply(&m, 8.0, 8.0), apply(&m, 9.0, 8.0));
        assert!((b[0] - a[0]).abs() < 1e-5, "{a:?} {b:?}");
        assert!(b[1] > a[1]);
        // Centre of the box (0, 5); the grid spans 1.5 × the 10 px length.
        assert!(a[0].abs() < 1e-5 && (a[1] - 5.0).abs() < 1e-5, "{a:?}");
        let step = (b[1] - a[1]) * 16.0;
        assert!((step - 15.0).abs() < 1e-4, "{step}");
    }
}
