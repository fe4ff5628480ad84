//! Our kernels take the place of every tract op they are written for, in each model.

use crate::common::models_dir;
use eyeswitch::inference::kernels::residual_op;
use eyeswitch::inference::ModelSpec;
use eyeswitch::models;
use tract_onnx::prelude::*;

/// `spec`'s model as eyeswitch reads it.
fn load(spec: ModelSpec) -> InferenceModel {
    eyeswitch::inference::onnx()
        .model_for_path(models_dir().join(spec.file))
        .unwrap()
        .with_input_fact(0, f32::fact(spec.input).into())
        .unwrap()
}

/// The op names of `spec`'s model as eyeswitch optimises it; a `ResidualAdd`'s with its info,
/// which names the PReLU it took in.
fn ops(spec: ModelSpec) -> Vec<String> {
    let model = eyeswitch::inference::optimize(load(spec)).unwrap();
    model
        .nodes()
        .iter()
        .map(|n| match n.op.name() {
            name if name == "ResidualAdd" => format!("{name} {:?}", n.op.info().unwrap()),
            name => name.to_string(),
        })
        .collect()
}

/// Each model's depthwise convolutions, max-pools and PReLUs, as our kernels (a PReLU ending
/// a residual tail runs in our `ResidualAdd`).
#[test]
fn every_depthwise_convolution_pool_and_prelu_runs_our_kernel() {
    println!(
        "kernels: {}",
        eyeswitch::inference::kernels::simd::Simd::best().name()
    );
    // On aarch64 tract's decluttered models keep some maps channels last (HWC), which the
    // channels-last kernels cover. One depthwise convolution of the mesh is left there as
    // tract's: it is declared over a 6-D map (NHWC with a `[1, 1, 3, 3]` kernel), which the
    // rewrite does not take (PERFORMANCE.md, "Our kernels").
    let arm = cfg!(target_arch = "aarch64");
    let (mesh, mesh_left) = if arm {
        ((19, 5, 23), [1, 0, 0])
    } else {
        ((20, 5, 23), [0, 0, 0])
    };
    for (spec, (depthwise, pools, prelus), tracts_left) in [
        (models::DETECTOR, (16, 3, 0), [0, 0, 0]),
        (models::MESH, mesh, mesh_left),
        (models::ATTENTION, (66, 16, 73), [0, 0, 0]),
        (models::IRIS, (26, 6, 53), [0, 0, 0]),
    ] {
        let ops = ops(spec);
        let count = |name: &str| ops.iter().filter(|o| o.contains(name)).count();
        println!(
            "{}: {} Depthwise3x3, {} MaxPool2x2, {} Prelu; tract's left: {} DepthWiseConv, {} \
             OptMaxPool, {} Min",
            spec.file,
            count("Depthwise3x3"),
            count("MaxPool2x2"),
            count("Prelu"),
            count("DepthWiseConv"),
            count("OptMaxPool"),
            count("Min"),
        );
        let found = [count("Depthwise3x3"), count("MaxPool2x2"), count("Prelu")];
        assert_eq!(found, [depthwise, pools, prelus], "{}", spec.file);
        let left = [count("DepthWiseConv"), count("OptMaxPool"), count("Min")];
        assert_eq!(left, tracts_left, "{}", spec.file);
    }
}

/// Each model's residual tails (a `Pad` of the channel axis read by an `Add`, then the
/// activation) as our op, none left to tract.
#[test]
fn every_channel_padded_residual_runs_our_op() {
    for (spec, tails) in [
        (models::DETECTOR, 11),
        (models::MESH, 3),
        (models::ATTENTION, 9),
        (models::IRIS, 1),
    ] {
        let rewritten = eyeswitch::inference::rewritten(load(spec)).unwrap();
        let left = residual_op::tails(&rewritten).unwrap();
        let plan = rewritten.into_optimized().unwrap();
        let ours: Vec<String> = plan
            .nodes()
            .iter()
            .filter(|n| n.op.name() == "ResidualAdd")
            .map(|n| n.op.info().unwrap().join(" "))
            .collect();
        let pads = plan.nodes().iter().filter(|n| n.op.name() == "Pad").count();
        println!(
            "{}: {} ResidualAdd, {} tails left, {pads} Pad in the plan; {ours:#?}",
            spec.file,
            ours.len(),
            left.len()
        );
        assert_eq!(ours.len(), tails, "{}", spec.file);
        assert!(left.is_empty(), "{}: {left:?}", spec.file);
    }
}
