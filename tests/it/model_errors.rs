//! Model loading fails with a message that names the file and the fault.

use crate::common;

use eyeswitch::inference::{Model, ModelError};
use eyeswitch::models;

#[test]
fn checksum_mismatch_is_reported() {
    let dir = std::env::temp_dir().join(format!("eyeswitch-models-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(models::IRIS.file), b"not a model").unwrap();
    let err = Model::load(&dir, models::IRIS).err().expect("must fail");
    assert!(matches!(err, ModelError::Checksum { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("iris_landmark.onnx") && msg.contains("convert-models"),
        "{msg}"
    );
}

#[test]
fn wrong_model_for_the_spec_is_a_shape_error() {
    // The iris file loaded as if it were the mesh: right checksum, wrong model.
    let mut spec = models::IRIS;
    spec.input = [1, 192, 192, 3];
    spec.outputs = models::MESH.outputs;
    let err = Model::load(&common::models_dir(), spec)
        .err()
        .expect("must fail");
    let msg = err.to_string();
    assert!(msg.contains("iris_landmark.onnx"), "{msg}");
    assert!(
        matches!(err, ModelError::Shape { .. } | ModelError::Load { .. }),
        "{msg}"
    );
}

#[test]
fn wrong_input_length_is_an_error_not_a_panic() {
    let mut m = Model::load(&common::models_dir(), models::IRIS).unwrap();
    let err = m.run(&[0.0; 10]).err().expect("must fail");
    assert!(err.to_string().contains("10 values"), "{err}");
}
