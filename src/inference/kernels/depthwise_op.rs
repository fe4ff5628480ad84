//! The depthwise 3 × 3 convolution as a tract op, and the rewrite that puts it in place of
//! tract's grouped `Conv` before optimisation (which would turn it into a `DepthWiseConv`),
//! channels first (`depthwise`) or last (`depthwise_hwc`), whichever layout tract left it in.
//!
//! In all four models every depthwise convolution feeds a 1 × 1 convolution directly, never
//! an activation, so there is no activation to fuse here.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::{
    ensure, EvalContext, EvalOp, LaneId, Op, OpState, StaticName, TractErrorContext,
    TypedModelPatch, TypedOp,
};
use tract_onnx::tract_core::ops::cnn::{Conv, KernelFormat, PaddingSpec};
use tract_onnx::tract_core::ops::nn::DataFormat;
use tract_onnx::tract_core::{as_op, not_out_of_plan, op_as_typed_op};

use super::super::recycled::{input, refill};
use super::depthwise::{convolve, Geometry};
use super::depthwise_hwc;
use super::simd::Simd;

/// `[1, C, H, W]` (or `[C, H, W]`, or channels last: `[1, H, W, C]`, `[H, W, C]`) f32 input,
/// `[C, 1, 3, 3]` kernel and `[C]` bias in; the output in the input's layout.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Depthwise3x3 {
    channels: usize,
    geometry: Geometry,
    /// Whether the tensors have the batch axis: tract drops it from some models (iris).
    batch: bool,
    /// Whether the channels are the innermost axis (HWC), as tract leaves some of the iris
    /// model's convolutions on aarch64.
    channels_last: bool,
}

impl Depthwise3x3 {
    /// The op that computes `conv` on an input of `shape`, or `None` when `conv` is not a
    /// plain f32 NCHW, CHW, NHWC or HWC depthwise 3 × 3 of stride 1 or 2 over one image.
    fn replacing(conv: &Conv, shape: &[usize]) -> Option<Depthwise3x3> {
        let spec = &conv.pool_spec;
        let ones = |v: &Option<TVec<usize>>| v.as_ref().is_none_or(|v| v.iter().all(|&x| x == 1));
        let stride = match spec.strides.as_deref() {
            None => 1,
            Some(&[a, b]) if a == b => a,
            Some(_) => return None,
        };
        let pad = match &spec.padding {
            PaddingSpec::Valid => [0; 4],
            PaddingSpec::Explicit(before, after) if before.len() == 2 && after.len() == 2 => {
                [before[0], before[1], after[0], after[1]]
            }
            _ => return None,
        };
        let (batch, channels_last, c, h, w) = match (spec.data_format, shape) {
            (DataFormat::NCHW, &[1, c, h, w]) => (true, false, c, h, w),
            (DataFormat::CHW, &[c, h, w]) => (false, false, c, h, w),
            (DataFormat::NHWC, &[1, h, w, c]) => (true, true, c, h, w),
            (DataFormat::HWC, &[h, w, c]) => (false, true, c, h, w),
            _ => return None,
        };
        let plain = conv.q_params.is_none()
            && conv.kernel_fmt == KernelFormat::OIHW
            && *spec.kernel_shape == [3, 3]
            && ones(&spec.dilations)
            && conv.group == c
            && spec.input_channels == c
            && spec.output_channels == c;
        plain.then_some(())?;
        Some(Depthwise3x3 {
            channels: c,
            geometry: Geometry::new(h, w, stride, pad)?,
            batch,
            channels_last,
        })
    }

    fn shape(&self, h: usize, w: usize) -> TVec<usize> {
        let image = if self.channels_last {
            [h, w, self.channels]
        } else {
            [self.channels, h, w]
        };
        let batch = self.batch.then_some(1);
        batch.into_iter().chain(image).collect()
    }

    /// The zeroed scratch map the op's layout needs.
    fn scratch(&self) -> Vec<f32> {
        let len = if self.channels_last {
            depthwise_hwc::padded_len(&self.geometry, self.channels)
        } else {
            self.geometry.padded_len()
        };
        vec![0.0; len]
    }

    fn output_shape(&self) -> TVec<usize> {
        self.shape(self.geometry.out_h, self.geometry.out_w)
    }
}

/// Replaces every depthwise 3 × 3 `Conv` of a decluttered `model` that has a constant f32
/// kernel and bias with [`Depthwise3x3`]; returns how many it replaced.
pub fn rewrite(model: &mut TypedModel) -> TractResult<usize> {
    let mut replaced = 0;
    for id in model.eval_order()? {
        let node = model.node(id);
        let Some(conv) = node.op_as::<Conv>() else {
            continue;
        };
        let facts = model.node_input_facts(id)?;
        let constant = |ix: usize| {
            facts
                .get(ix)
                .is_some_and(|f| f.konst.is_some() && f.datum_type == f32::datum_type())
        };
        let Some(shape) = facts.first().and_then(|f| f.shape.as_concrete()) else {
            continue;
        };
        let op = match Depthwise3x3::replacing(conv, shape) {
            Some(op) if facts.len() == 3 && constant(1) && constant(2) => op,
            _ => continue,
        };
        ensure!(
            facts[0].datum_type == f32::datum_type(),
            "{}: depthwise input is not f32",
            node.name
        );
        drop(facts);
        let patch = TypedModelPatch::replace_single_op(model, node, &node.inputs, op)?;
        patch.apply(model)?;
        replaced += 1;
    }
    Ok(replaced)
}

impl Op for Depthwise3x3 {
    fn name(&self) -> StaticName {
        "Depthwise3x3".into()
    }

    fn info(&self) -> TractResult<Vec<String>> {
        let layout = if self.channels_last { "HWC" } else { "CHW" };
        Ok(vec![format!(
            "{layout} {:?} on {}",
            self.geometry,
            Simd::best().name()
        )])
    }

    op_as_typed_op!();
}

impl EvalOp for Depthwise3x3 {
    not_out_of_plan!();

    fn state(&self, _: &EvalContext) -> TractResult<Option<Box<dyn OpState>>> {
        Ok(Some(Box::new(State {
            last: None,
            padded: self.scratch(),
            weights: vec![
                0.0;
                if self.channels_last {
                    self.channels * 9
                } else {
                    0
                }
            ],
            simd: Simd::best(),
        })))
    }
}

impl TypedOp for Depthwise3x3 {
    fn output_facts(&self, inputs: &[&TypedFact]) -> TractResult<TVec<TypedFact>> {
        let g = &self.geometry;
        let want = self.shape(g.in_h, g.in_w);
        ensure!(
            inputs.len() == 3 && inputs[0].shape.as_concrete() == Some(&*want),
            "Depthwise3x3 takes one {want:?} input with a kernel and a bias, got {inputs:?}"
        );
        Ok(tvec!(f32::fact(&*self.output_shape())))
    }

    as_op!();
}

/// The op's last output (written in place once its readers let go), its scratch map and, for
/// channels last, its transposed weights.
#[derive(Debug, Clone)]
struct State {
    last: Option<TValue>,
    padded: Vec<f32>,
    weights: Vec<f32>,
    simd: Simd,
}

impl OpState for State {
    fn eval(
        &mut self,
        _: &EvalContext,
        op: &dyn Op,
        inputs: TVec<TValue>,
    ) -> TractResult<TVec<TValue>> {
        let op = op
            .downcast_ref::<Depthwise3x3>()
            .context("depthwise state run with another op")?;
        let (padded, weights, simd) = (&mut self.padded, &mut self.weights, self.simd);
        let value = refill(&mut self.last, &op.output_shape(), |out| {
            let (x, kernel, bias) = (input(&inputs, 0)?, input(&inputs, 1)?, input(&inputs, 2)?);
            let geo = &op.geometry;
            if op.channels_last {
                depthwise_hwc::convolve(simd, geo, x, kernel, bias, weights, padded, out)
            } else {
                convolve(simd, geo, x, kernel, bias, padded, out)
            }
        })?;
        Ok(tvec!(value))
    }

    /// The kept tensor and scratch are caches, not a stream's state.
    fn reset_lanes(&mut self, _lanes: &[LaneId]) -> TractResult<()> {
        Ok(())
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use tract_onnx::tract_core::ops::cnn::PoolSpec;

    /// Uniform values in [-1, 1) from a fixed seed (xorshift).
    pub(in super::super) fn random(n: usize, seed: u64) -> Vec<f32> {
        let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..n)
            .map(|_| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                (s >> 40) as f32 / (1u64 << 23) as f32 - 1.0
            })
            .collect()
    }

    /// A model of one tract depthwise `Conv` over `[1, c, h, w]` with random weights.
    pub(in super::super) fn one_conv(
        c: usize,
        h: usize,
        w: usize,
        stride: usize,
        pad: [usize; 4],
    ) -> TypedModel {
        conv_in(DataFormat::NCHW, &[1, c, h, w], c, stride, pad)
    }

    /// The same over a channels-last `[h, w, c]` map (HWC), as tract leaves some on aarch64.
    pub(in super::super) fn one_conv_hwc(
        c: usize,
        h: usize,
        w: usize,
        stride: usize,
        pad: [usize; 4],
    ) -> TypedModel {
        conv_in(DataFormat::HWC, &[h, w, c], c, stride, pad)
    }

    fn conv_in(
        format: DataFormat,
        shape: &[usize],
        c: usize,
        stride: usize,
        pad: [usize; 4],
    ) -> TypedModel {
        let mut model = TypedModel::default();
        let x = model.add_source("x", f32::fact(shape)).unwrap();
        let kernel = Tensor::from_shape(&[c, 1, 3, 3], &random(c * 9, 1)).unwrap();
        let bias = Tensor::from_shape(&[c], &random(c, 2)).unwrap();
        let kernel = model.add_const("kernel", kernel).unwrap();
        let bias = model.add_const("bias", bias).unwrap();
        let spec = PoolSpec::new(
            format,
            tvec![3, 3],
            PaddingSpec::Explicit(tvec![pad[0], pad[1]], tvec![pad[2], pad[3]]),
            None,
            Some(tvec![stride, stride]),
            c,
            c,
        );
        let conv = Conv::new(spec, KernelFormat::OIHW, c, None);
        let y = model.wire_node("conv", conv, &[x, kernel, bias]).unwrap();
        model.select_output_outlets(&y).unwrap();
        model
    }

    /// Runs `model` twice on `input` (the second run reuses kept buffers) and returns the
    /// second output and the optimised plan's op names.
    pub(in super::super) fn run(model: TypedModel, input: &Tensor) -> (Vec<f32>, Vec<String>) {
        run_inputs(model, &[input])
    }

    /// [`run`] with several inputs.
    pub(in super::super) fn run_inputs(
        model: TypedModel,
        inputs: &[&Tensor],
    ) -> (Vec<f32>, Vec<String>) {
        let plan = model.into_optimized().unwrap().into_runnable().unwrap();
        let ops = plan
            .model()
            .nodes()
            .iter()
            .map(|n| n.op.name().to_string())
            .collect();
        let mut state = plan.spawn().unwrap();
        let values = || inputs.iter().map(|&t| t.clone().into_tvalue()).collect();
        state.run(values()).unwrap();
        let out = state.run(values()).unwrap();
        let out = out[0].try_as_plain_ram().unwrap();
        (out.as_slice::<f32>().unwrap().to_vec(), ops)
    }

    #[test]
    fn the_op_replaces_tracts_depthwise_and_gives_its_values() {
        type Build = fn(usize, usize, usize, usize, [usize; 4]) -> TypedModel;
        let layouts: [(Build, bool); 2] = [(one_conv, false), (one_conv_hwc, true)];
        let cases = [(24, 16, 1, [1; 4]), (7, 9, 2, [0, 0, 1, 1])];
        for ((c, h, stride, pad), (build, last)) in cases
            .into_iter()
            .flat_map(|case| layouts.map(|l| (case, l)))
        {
            let shape = if last {
                vec![h, h, c]
            } else {
                vec![1, c, h, h]
            };
            let input = Tensor::from_shape(&shape, &random(c * h * h, 3)).unwrap();
            let (want, stock) = run(build(c, h, h, stride, pad), &input);
            let mut model = build(c, h, h, stride, pad);
            assert_eq!(rewrite(&mut model).unwrap(), 1);
            let (got, ours) = run(model, &input);
            assert!(stock.iter().any(|o| o == "DepthWiseConv"), "{stock:?}");
            assert!(ours.iter().any(|o| o == "Depthwise3x3"), "{ours:?}");
            assert!(!ours.iter().any(|o| o == "DepthWiseConv"), "{ours:?}");
            for (a, b) in got.iter().zip(&want) {
                assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0), "{a} against {b}");
            }
        }
    }
}
