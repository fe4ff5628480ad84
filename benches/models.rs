//! Criterion benchmarks: each model alone, in f32 and int8, on the input the pipeline really
//! feeds it for a committed fixture photo, and one whole tracked frame (mesh + both irises) on
//! that photo in each precision.
//!
//! `cargo bench --bench models`; `eyeswitch bench` times the same stages on a video.

use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion};
use eyeswitch::frame::RgbView;
use eyeswitch::inference::Model;
use eyeswitch::models::{self, Precision, Precisions};
use eyeswitch::pipeline::Tracker;
use eyeswitch::vision::{Face, Landmarker, Side};

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
    let mut landmarker =
        Landmarker::load(&models_dir, &Precisions::default()).expect("models load");
    let mut faces: Vec<Face> = Vec::new();
    landmarker.detect(img, &mut faces).expect("detect");
    let face = faces.first().expect("the photo has a face");
    let (detector, mesh, iris) = landmarker.stages();
    let mut eye = face.right_eye;
    iris.run(img, &face.mesh, Side::Right, &mut eye)
        .expect("iris");
    let inputs = [
        (
            "detector",
            models::detector as fn(Precision) -> _,
            detector.input().to_vec(),
        ),
        ("mesh", models::mesh, mesh.input().to_vec()),
        ("iris_one_eye", models::iris, iris.input().to_vec()),
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

    for precision in [Precision::F32, Precision::Int8] {
        let landmarker = Landmarker::load(&models_dir, &Precisions::all(precision));
        let mut tracker = Tracker::new(landmarker.expect("models load"));
        tracker.track(img).expect("track");
        c.bench_function(&format!("tracked_frame_{}", precision.name()), |b| {
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
