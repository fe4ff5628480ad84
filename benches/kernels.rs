//! Criterion benchmarks of our kernels against the tract ops they replace: each depthwise
//! 3 × 3 and PReLU shape of the attention mesh, each max-pool and residual tail (channel pad,
//! add, activation) of the four models alone (a one-op plan each way; the large pools also as
//! the maximum of four stride-2 samplings, how eyeswitch pooled them before), then each whole
//! model read by eyeswitch's ONNX reader and
//! optimised by tract alone or with our kernels. Before each model's timings it prints its
//! allocations per run both ways.
//!
//! `taskset -c 1 cargo bench --bench kernels`

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use eyeswitch::alloc_count::{self, CountingAllocator};
use eyeswitch::inference::kernels::{self, residual_op::Then, simd::Simd};
use eyeswitch::models;
use tract_onnx::prelude::*;
use tract_onnx::tract_core::ops::array::{Pad, PadMode};
use tract_onnx::tract_core::ops::cnn::{Conv, KernelFormat, MaxPool, PaddingSpec, PoolSpec};
use tract_onnx::tract_core::ops::nn::DataFormat;
use tract_onnx::tract_core::ops::{math, Downsample};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

type Plan = Arc<TypedSimplePlan>;

/// The attention mesh's depthwise shapes: (channels, side, stride, how many the model has).
const ATTENTION_DEPTHWISE: [(usize, usize, usize, usize); 20] = [
    (16, 96, 1, 2),
    (16, 96, 2, 1),
    (32, 48, 1, 2),
    (32, 48, 2, 1),
    (64, 24, 1, 2),
    (64, 24, 2, 1),
    (128, 12, 1, 2),
    (128, 12, 2, 1),
    (128, 6, 1, 2),
    (128, 6, 2, 1),
    (128, 3, 1, 2),
    (32, 16, 1, 6),
    (32, 16, 2, 3),
    (64, 8, 1, 6),
    (64, 8, 2, 3),
    (128, 4, 1, 10),
    (128, 4, 2, 5),
    (128, 2, 1, 10),
    (32, 3, 1, 1),
    (32, 2, 1, 5),
];

/// The models' 2 × 2 max-pools: (channels, side, whether eyeswitch split it into samplings
/// before this kernel: the maps of at least 32 × 32).
const MAX_POOLS: [(usize, usize, bool); 12] = [
    (16, 96, true),
    (28, 64, true),
    (32, 48, true),
    (42, 32, true),
    (64, 32, true),
    (32, 24, false),
    (64, 24, false),
    (128, 16, false),
    (128, 12, false),
    (128, 8, false),
    (128, 6, false),
    (128, 4, false),
];

/// The attention mesh's PReLUs: (channels, side, how many the model has).
const ATTENTION_PRELU: [(usize, usize, usize); 12] = [
    (16, 96, 3),
    (32, 48, 3),
    (64, 24, 3),
    (128, 12, 3),
    (128, 6, 3),
    (128, 3, 3),
    (32, 16, 6),
    (64, 8, 9),
    (128, 4, 13),
    (128, 2, 15),
    (32, 3, 2),
    (32, 2, 10),
];

/// The four models' residual tails: (channels, y's channels, side, activation, how many the
/// models have).
const RESIDUALS: [(usize, usize, usize, Then, usize); 17] = [
    (28, 24, 64, Then::Relu, 1),
    (32, 28, 32, Then::Relu, 1),
    (36, 32, 32, Then::Relu, 1),
    (42, 36, 32, Then::Relu, 1),
    (48, 42, 16, Then::Relu, 1),
    (56, 48, 16, Then::Relu, 1),
    (64, 56, 16, Then::Relu, 1),
    (72, 64, 16, Then::Relu, 1),
    (80, 72, 16, Then::Relu, 1),
    (88, 80, 16, Then::Relu, 1),
    (96, 88, 8, Then::Relu, 1),
    (32, 16, 48, Then::Prelu, 2),
    (64, 32, 24, Then::Prelu, 2),
    (128, 64, 12, Then::Prelu, 2),
    (64, 32, 8, Then::Prelu, 3),
    (128, 64, 4, Then::Prelu, 3),
    (128, 64, 16, Then::Prelu, 1),
];

/// Deterministic values in [-1, 1).
fn values(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (i * 7919 % 2000) as f32 / 1000.0 - 1.0)
        .collect()
}

/// One tract depthwise `Conv` over `[1, c, side, side]` with the models' padding for `stride`.
fn one_conv(c: usize, side: usize, stride: usize) -> TractResult<TypedModel> {
    let (before, after) = if stride == 1 { (1, 1) } else { (0, 1) };
    let mut model = TypedModel::default();
    let x = model.add_source("x", f32::fact([1, c, side, side]))?;
    let kernel = model.add_const("kernel", Tensor::from_shape(&[c, 1, 3, 3], &values(c * 9))?)?;
    let bias = model.add_const("bias", Tensor::from_shape(&[c], &values(c))?)?;
    let spec = PoolSpec::new(
        DataFormat::NCHW,
        tvec![3, 3],
        PaddingSpec::Explicit(tvec![before, before], tvec![after, after]),
        None,
        Some(tvec![stride, stride]),
        c,
        c,
    );
    let y = model.wire_node(
        "conv",
        Conv::new(spec, KernelFormat::OIHW, c, None),
        &[x, kernel, bias],
    )?;
    model.select_output_outlets(&y)?;
    Ok(model)
}

/// One tract 2 × 2 / stride-2 `MaxPool` over `[1, c, side, side]`.
fn one_pool(c: usize, side: usize) -> TractResult<TypedModel> {
    let mut model = TypedModel::default();
    let x = model.add_source("x", f32::fact([1, c, side, side]))?;
    let spec = PoolSpec::new(
        DataFormat::NCHW,
        tvec![2, 2],
        PaddingSpec::Valid,
        None,
        Some(tvec![2, 2]),
        c,
        c,
    );
    let y = model.wire_node("pool", MaxPool::new(spec, None), &[x])?;
    model.select_output_outlets(&y)?;
    Ok(model)
}

/// The same pool as the maximum of four stride-2 samplings.
fn sampled_pool(c: usize, side: usize) -> TractResult<Plan> {
    let mut model = TypedModel::default();
    let x = model.add_source("x", f32::fact([1, c, side, side]))?;
    let mut samples = TVec::new();
    for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
        let rows = model.wire_node(format!("rows{dy}{dx}"), Downsample::new(2, 2, dy), &[x])?;
        let cols = Downsample::new(3, 2, dx);
        samples.push(model.wire_node(format!("cols{dy}{dx}"), cols, &rows)?[0]);
    }
    let top = model.wire_node("max0", math::max(), &samples[0..2])?[0];
    let bottom = model.wire_node("max1", math::max(), &samples[2..4])?[0];
    let y = model.wire_node("max", math::max(), &[top, bottom])?;
    model.select_output_outlets(&y)?;
    model.into_optimized()?.into_runnable()
}

/// `max(x, 0) + slope × min(x, 0)` over `[1, c, side, side]`, as `src/inference/prelu.rs`
/// lowers PReLU.
fn one_prelu(c: usize, side: usize) -> TractResult<TypedModel> {
    let mut model = TypedModel::default();
    let x = model.add_source("x", f32::fact([1, c, side, side]))?;
    let y = wire_prelu(&mut model, x, c)?;
    model.select_output_outlets(&[y])?;
    Ok(model)
}

/// [`one_prelu`]'s lowering applied to `x`, of `c` channels, in `model`.
fn wire_prelu(model: &mut TypedModel, x: OutletId, c: usize) -> TractResult<OutletId> {
    let zero = model.add_const("zero", tensor0(0f32).broadcast_into_rank(4)?)?;
    let slope = model.add_const("slope", Tensor::from_shape(&[1, c, 1, 1], &values(c))?)?;
    let pos = model.wire_node("max", math::max(), &[x, zero])?[0];
    let neg = model.wire_node("min", math::min(), &[x, zero])?[0];
    let scaled = model.wire_node("scale", math::mul(), &[neg, slope])?[0];
    Ok(model.wire_node("prelu", math::add(), &[pos, scaled])?[0])
}

/// A residual tail, `act(x + pad(y))`, as tract's ops: `x` of `[1, c, side, side]`, `y` of
/// `cy` channels padded with zeros, then [`one_prelu`]'s lowering or a ReLU `Max`.
fn one_tail(c: usize, cy: usize, side: usize, then: Then) -> TractResult<TypedModel> {
    let mut model = TypedModel::default();
    let x = model.add_source("x", f32::fact([1, c, side, side]))?;
    let y = model.add_source("y", f32::fact([1, cy, side, side]))?;
    let pads = vec![(0, 0), (0, c - cy), (0, 0), (0, 0)];
    let pad = Pad::new(pads, PadMode::Constant(Arc::new(tensor0(0f32))));
    let padded = model.wire_node("pad", pad, &[y])?[0];
    let sum = model.wire_node("add", math::add(), &[x, padded])?[0];
    let out = match then {
        Then::Prelu => wire_prelu(&mut model, sum, c)?,
        Then::Relu => {
            let zero = model.add_const("zero", tensor0(0f32).broadcast_into_rank(4)?)?;
            model.wire_node("relu", math::max(), &[sum, zero])?[0]
        }
        Then::Nothing => sum,
    };
    model.select_output_outlets(&[out])?;
    Ok(model)
}

/// Times each plan of `ways` on `inputs` in one criterion group.
fn group(c: &mut Criterion, name: &str, inputs: &[TValue], ways: Vec<(&str, Plan)>) {
    let mut group = c.benchmark_group(name);
    for (way, plan) in ways {
        let mut state = plan.spawn().expect("state");
        group.bench_function(way, |b| {
            b.iter(|| state.run(inputs.iter().cloned().collect()).expect("runs"))
        });
    }
    group.finish();
}

/// An input of `[1, c, side, side]`.
fn map(c: usize, side: usize) -> TValue {
    Tensor::from_shape(&[1, c, side, side], &values(c * side * side))
        .expect("input")
        .into_tvalue()
}

/// `model` optimised by tract alone and with our kernels in.
fn both(model: TypedModel) -> TractResult<[Plan; 2]> {
    let mut ours = model.clone().into_decluttered()?;
    kernels::rewrite(&mut ours)?;
    Ok([
        model.into_optimized()?.into_runnable()?,
        ours.into_optimized()?.into_runnable()?,
    ])
}

/// Tract's allocations over one run of `state`, after a warm-up run.
fn allocations(state: &mut TypedSimpleState, input: &TValue) -> TractResult<alloc_count::Counts> {
    let _tracking = alloc_count::track_this_thread();
    state.run(tvec!(input.clone()))?;
    let before = alloc_count::counts();
    alloc_count::foreign(|| state.run(tvec!(input.clone())))?;
    Ok(alloc_count::counts().since(before))
}

fn benches(c: &mut Criterion) {
    println!("kernels: {} path", Simd::best().name());
    for (channels, side, stride, _) in ATTENTION_DEPTHWISE {
        let [tract, ours] = both(one_conv(channels, side, stride).expect("model")).expect("plans");
        let name = format!("depthwise_{channels}x{side}x{side}_s{stride}");
        group(
            c,
            &name,
            &[map(channels, side)],
            vec![("tract", tract), ("ours", ours)],
        );
    }
    for (channels, side, split) in MAX_POOLS {
        let [tract, ours] = both(one_pool(channels, side).expect("model")).expect("plans");
        let mut ways = vec![("tract", tract), ("ours", ours)];
        if split {
            ways.push(("samplings", sampled_pool(channels, side).expect("plan")));
        }
        group(
            c,
            &format!("max_pool_{channels}x{side}x{side}"),
            &[map(channels, side)],
            ways,
        );
    }
    for (channels, side, _) in ATTENTION_PRELU {
        let [tract, ours] = both(one_prelu(channels, side).expect("model")).expect("plans");
        let name = format!("prelu_{channels}x{side}x{side}");
        group(
            c,
            &name,
            &[map(channels, side)],
            vec![("tract", tract), ("ours", ours)],
        );
    }
    for (channels, cy, side, then, _) in RESIDUALS {
        let model = one_tail(channels, cy, side, then).expect("model");
        let [tract, ours] = both(model).expect("plans");
        let name = format!("residual_{cy}to{channels}x{side}x{side}_{then:?}");
        group(
            c,
            &name,
            &[map(channels, side), map(cy, side)],
            vec![("tract", tract), ("ours", ours)],
        );
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("models");
    for (name, spec) in [
        ("detector", models::DETECTOR),
        ("mesh", models::MESH),
        ("attention", models::ATTENTION),
        ("iris", models::IRIS),
    ] {
        let model = eyeswitch::inference::onnx()
            .model_for_path(dir.join(spec.file))
            .and_then(|m| m.with_input_fact(0, f32::fact(spec.input).into()))
            .and_then(|m| m.into_typed())
            .expect("model loads");
        let len = spec.input.iter().product();
        let input = Tensor::from_shape(
            &spec.input,
            &values(len).iter().map(|v| v.abs()).collect::<Vec<_>>(),
        )
        .expect("input")
        .into_tvalue();
        let mut group = c.benchmark_group(format!("model_{name}"));
        for (way, plan) in ["tract", "ours"]
            .into_iter()
            .zip(both(model).expect("plans"))
        {
            let mut state = plan.spawn().expect("state");
            let counts = allocations(&mut state, &input).expect("runs");
            println!(
                "{name}, {way}: {} allocations, {} bytes per run",
                counts.foreign, counts.foreign_bytes
            );
            group.bench_function(way, |b| {
                b.iter(|| state.run(tvec!(input.clone())).expect("runs"))
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = kernels;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = benches
}
criterion_main!(kernels);
