//! eyeswitch's lowerings of PRelu and 2 × 2 max-pooling give exactly what tract's own do.

use crate::common::models_dir;
use eyeswitch::models;
use tract_onnx::prelude::*;

/// The optimised plan of `file` read by `reader`, and its outputs on `input`.
fn run(reader: tract_onnx::Onnx, file: &str, input: &Tensor) -> (Vec<String>, TVec<TValue>) {
    let shape = input.shape().to_vec();
    let model = reader
        .model_for_path(models_dir().join(file))
        .unwrap()
        .with_input_fact(0, f32::fact(shape).into())
        .unwrap()
        .into_optimized()
        .unwrap();
    let ops = model
        .nodes()
        .iter()
        .map(|n| n.op.name().to_string())
        .collect();
    let outputs = model
        .into_runnable()
        .unwrap()
        .run(tvec!(input.clone().into()))
        .unwrap();
    (ops, outputs)
}

#[test]
fn lowerings_match_tracts_own() {
    for (spec, split_pools) in [(models::DETECTOR, 2), (models::MESH, 2), (models::IRIS, 1)] {
        let len: usize = spec.input.iter().product();
        // A smooth ramp in [0, 1): negative and positive activations both occur inside.
        let values: Vec<f32> = (0..len)
            .map(|i| (i * 7919 % 1000) as f32 / 1000.0)
            .collect();
        let input = Tensor::from_shape(&spec.input, &values).unwrap();
        let (stock_ops, stock) = run(tract_onnx::onnx(), spec.file, &input);
        let (ops, ours) = run(eyeswitch::inference::onnx(), spec.file, &input);
        for (a, b) in stock.iter().zip(&ours) {
            let slice = |v: &TValue| {
                v.try_as_plain_ram()
                    .unwrap()
                    .as_slice::<f32>()
                    .unwrap()
                    .to_vec()
            };
            let (a, b) = (slice(a), slice(b));
            let diff = a
                .iter()
                .zip(&b)
                .map(|(x, y)| (x - y).abs())
                .fold(0.0, f32::max);
            assert!(diff <= 1e-4, "{}: outputs differ by {diff}", spec.file);
        }
        let pools = |ops: &[String]| ops.iter().filter(|o| o.contains("MaxPool")).count();
        assert_eq!(
            pools(&stock_ops) - pools(&ops),
            split_pools,
            "{}: large pools split",
            spec.file
        );
        assert!(
            !ops.iter().any(|o| o == "Iff"),
            "{}: PRelu selects",
            spec.file
        );
    }
}
