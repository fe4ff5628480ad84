//! eyeswitch's lowering of PRelu, and its kernels (depthwise 3 × 3, 2 × 2 max-pool, PReLU),
//! give what tract's own ops do.

use crate::common::models_dir;
use eyeswitch::models;
use tract_onnx::prelude::*;

type Optimize = fn(InferenceModel) -> TractResult<TypedModel>;

/// The plan of `file` read by `reader` and optimised by `optimize`, and its outputs on `input`.
fn run(
    reader: tract_onnx::Onnx,
    optimize: Optimize,
    file: &str,
    input: &Tensor,
) -> (Vec<String>, TVec<TValue>) {
    let shape = input.shape().to_vec();
    let model = reader
        .model_for_path(models_dir().join(file))
        .unwrap()
        .with_input_fact(0, f32::fact(shape).into())
        .unwrap();
    let model = optimize(model).unwrap();
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
    for spec in [models::DETECTOR, models::MESH, models::IRIS] {
        let len: usize = spec.input.iter().product();
        // A smooth ramp in [0, 1): negative and positive activations both occur inside.
        let values: Vec<f32> = (0..len)
            .map(|i| (i * 7919 % 1000) as f32 / 1000.0)
            .collect();
        let input = Tensor::from_shape(&spec.input, &values).unwrap();
        let tract: Optimize = |m| m.into_optimized();
        let (stock_ops, stock) = run(tract_onnx::onnx(), tract, spec.file, &input);
        let (ops, ours) = run(eyeswitch::inference::onnx(), tract, spec.file, &input);
        let (kernel_ops, kernels) = run(
            eyeswitch::inference::onnx(),
            eyeswitch::inference::optimize,
            spec.file,
            &input,
        );
        for (a, b) in stock.iter().zip(&ours).chain(stock.iter().zip(&kernels)) {
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
        let count = |ops: &[String], name: &str| ops.iter().filter(|o| *o == name).count();
        assert!(count(&stock_ops, "OptMaxPool") > 0, "{}", spec.file);
        assert_eq!(
            count(&kernel_ops, "MaxPool2x2"),
            count(&stock_ops, "OptMaxPool"),
            "{}: every pool runs our kernel",
            spec.file
        );
        assert!(
            !ops.iter().any(|o| o == "Iff"),
            "{}: PRelu selects",
            spec.file
        );
    }
}

/// The attention model read with eyeswitch's three MediaPipe ops, its nodes' op names.
fn attention(proto: &tract_onnx::pb::ModelProto) -> TractResult<Vec<String>> {
    let model = eyeswitch::inference::onnx()
        .model_for_proto_model(proto)?
        .with_input_fact(0, f32::fact(models::ATTENTION.input).into())?
        .into_optimized()?;
    Ok(model
        .nodes()
        .iter()
        .map(|n| n.op.name().to_string())
        .collect())
}

fn attention_proto() -> tract_onnx::pb::ModelProto {
    eyeswitch::inference::onnx()
        .proto_model_for_path(models_dir().join(models::ATTENTION.file))
        .unwrap()
}

#[test]
fn the_attention_mesh_is_one_optimised_plan_with_our_three_ops() {
    let ops = attention(&attention_proto()).unwrap();
    let count = |name: &str| ops.iter().filter(|o| *o == name).count();
    assert_eq!(count("Landmarks2TransformMatrix"), 3, "{ops:?}");
    assert_eq!(count("TransformTensorBilinear"), 3, "{ops:?}");
    assert_eq!(count("TransformLandmarks"), 5, "{ops:?}");
}

#[test]
fn bad_custom_op_attributes_are_load_errors_that_name_the_node() {
    type Edit = fn(&mut tract_onnx::pb::AttributeProto);
    let cases: [(&str, &str, Edit); 4] = [
        ("TFL_Landmarks2TransformMatrix", "subset_idxs", |a| {
            a.ints = vec![33, 9999]
        }),
        ("TFL_Landmarks2TransformMatrix", "subset_idxs", |a| {
            a.ints.clear()
        }),
        ("TFL_Landmarks2TransformMatrix", "scale_x", |a| a.f = -1.0),
        ("TFL_TransformTensorBilinear", "output_width", |a| a.i = 0),
    ];
    for (op, attr, edit) in cases {
        let mut proto = attention_proto();
        let graph = proto.graph.as_mut().unwrap();
        let node = graph.node.iter_mut().find(|n| n.op_type == op).unwrap();
        let name = node.name.clone();
        edit(node.attribute.iter_mut().find(|a| a.name == attr).unwrap());
        let err = attention(&proto).expect_err("a bad attribute loaded");
        let text = format!("{err:?}");
        assert!(text.contains(&name), "{op}.{attr}: {text}");
    }
}
