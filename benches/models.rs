//! Criterion benchmarks: each model alone, in f32 and int8, on the input the pipeline really
//! feeds it for a committed fixture photo, and one whole tracked frame on that photo for each
//! landmark model (the attention mesh; the mesh and both irises in each precision).
//!
//! `cargo bench --bench models`; `eyeswitch bench` times the same stages on a video.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use eyeswitch::frame::RgbView;
use eyeswitch::inference::Model;
use eyeswitch::models::{self, LandmarkModel, Precision, Precisions};
use eyeswitch::pipeline::Tracker;
use eyeswitch::vision::{Face, Landmarker, Landmarks, Side};

/// A public-domain photo with one frontal face (tests/fixtures/README.md).
const PHOTO: &str = "tests/fixtures/stills/mpl__grace_hopper.jpg";

fn benches(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let models_dir = root.join("models");
    let rgb = image::open(root.join(PHOTO))
        .expect("fixture photo")
        .to_rgb8();
    let img =
        RgbView::new(rgb.width() as usize, rgb.height() as usize, rgb.as_raw()).expect("RGB image");

    // Run the still pipeline once to get each model's real preprocessed input.
    let mut landmarker = Landmarker::load(&models_dir, &Precisions::default(), LandmarkModel::Iris)
        .expect("models load");
    let mut faces: Vec<Face> = Vec::new();
    landmarker.detect(img, &mut faces).expect("detect");
    let face = *faces.first().expect("the photo has a face");
    let (detector, landmarks) = landmarker.stages();
    let Landmarks::Iris { mesh, iris } = landmarks else {
        unreachable!("loaded the iris pipeline")
    };
    let mut eye = face.right_eye;
    iris.run(img, &face.mesh, Side::Right, &mut eye)
        .expect("iris");
    let mut attention = Landmarker::load(
        &models_dir,
        &Precisions::default(),
        LandmarkModel::Attention,
    )
    .expect("models load");
    attention.detect(img, &mut faces).expect("detect");
    let Landmarks::Attention(attention) = attention.stages().1 else {
        unreachable!("loaded the attention mesh")
    };
    let inputs = [
        (
            "detector",
            models::detector as fn(Precision) -> _,
            detector.input().to_vec(),
        ),
        ("mesh", models::mesh, mesh.input().to_vec()),
        ("iris_one_eye", models::iris, iris.input().to_vec()),
        (
            "attention",
            |_| models::ATTENTION,
            attention.input().to_vec(),
        ),
    ];
    for (name, spec, input) in &inputs {
        for precision in [Precision::F32, Precision::Int8] {
            // A model without an int8 variant (the detector) would time its f32 file twice.
            if precision == Precision::Int8
                && spec(Precision::Int8).file == spec(Precision::F32).file
            {
                continue;
            }
            let mut model = Model::load(&models_dir, spec(precision)).expect("model loads");
            c.bench_function(&format!("{name}_{}", precision.name()), |b| {
                b.iter(|| {
                    model.run(input).expect("runs");
                })
            });
        }
    }

    for (landmarks, precision) in [
        (LandmarkModel::Attention, Precision::F32),
        (LandmarkModel::Iris, Precision::F32),
        (LandmarkModel::Iris, Precision::Int8),
    ] {
        let landmarker = Landmarker::load(&models_dir, &Precisions::all(precision), landmarks);
        let mut tracker = Tracker::new(landmarker.expect("models load"));
        tracker.track(img).expect("track");
        let name = format!("tracked_frame_{}_{}", landmarks.name(), precision.name());
        c.bench_function(&name, |b| {
            b.iter(|| {
                let face = tracker.track(img).expect("track");
                assert!(face.is_some(), "the tracker lost the face");
            })
        });
    }
}

criterion_group! {
    name = models_benches;
    // Fewer, shorter samples than criterion's default: the models take milliseconds each.
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = benches
}
criterion_main!(models_benches);
