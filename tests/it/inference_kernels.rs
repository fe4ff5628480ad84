//! Our kernels take the place of every tract op they are written for, in each model.

use crate::common::models_dir;
use eyeswitch::inference::ModelSpec;
use eyeswitch::models;
use tract_onnx::prelude::*;

/// The op names of `spec`'s model as eyeswitch optimises it.
fn ops(spec: ModelSpec) -> Vec<String> {
    let model = eyeswitch::inference::onnx()
        .model_for_path(models_dir().join(spec.file))
        .unwrap()
        .with_input_fact(0, f32::fact(spec.input).into())
        .unwrap();
    let model = eyeswitch::inference::optimize(model).unwrap();
    model
        .nodes()
        .iter()
        .map(|n| n.op.name().to_string())
        .collect()
}

#[test]
fn every_depthwise_convolution_runs_our_kernel() {
    for (spec, depthwise) in [
        (models::DETECTOR, 16),
        (models::MESH, 20),
        (models::ATTENTION, 66),
        (models::IRIS, 26),
    ] {
        let ops = ops(spec);
        let count = |name: &str| ops.iter().filter(|o| *o == name).count();
        println!(
            "{}: {} Depthwise3x3 ({}), {} tract DepthWiseConv left",
            spec.file,
            count("Depthwise3x3"),
            eyeswitch::inference::kernels::simd::Simd::best().name(),
            count("DepthWiseConv")
        );
        assert_eq!(count("Depthwise3x3"), depthwise, "{}", spec.file);
        assert_eq!(count("DepthWiseConv"), 0, "{}", spec.file);
    }
}
