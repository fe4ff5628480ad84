//! Criterion benchmark of the face crop (192 × 192, ImageToTensorCalculator's sampling, as every
//! tracked frame of the default pipeline runs it) on a real photo: `crop::crop_into` against
//! `crop::reference`, the per-sample version it equals bit for bit, in the same run.
//!
//! `taskset -c 1 cargo bench --bench crop`

use criterion::{criterion_group, criterion_main, Criterion};
use eyeswitch::capture::decode_jpeg;
use eyeswitch::crop;
use eyeswitch::frame::RgbView;
use eyeswitch::geometry::RotatedRect;
use eyeswitch::vision::mesh::{face_crop, INPUT_SIZE};

fn crops(c: &mut Criterion) {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/stills/mpl__grace_hopper.jpg"
    );
    let jpeg = std::fs::read(path).expect("the test still");
    let mut rgb = Vec::new();
    let (w, h) = decode_jpeg(&jpeg, &mut rgb).expect("a JPEG");
    let img = RgbView::new(w, h, &rgb).expect("an RGB frame");
    let rects = [
        (
            "inside",
            RotatedRect {
                cx: w as f32 * 0.5,
                cy: h as f32 * 0.4,
                width: w as f32 * 0.6,
                height: w as f32 * 0.6,
                rotation: 0.08,
            },
        ),
        (
            "over the edge",
            RotatedRect {
                cx: w as f32 * 0.1,
                cy: h as f32 * 0.9,
                width: w as f32 * 0.7,
                height: w as f32 * 0.7,
                rotation: -0.3,
            },
        ),
    ];
    let mut out = vec![0.0f32; INPUT_SIZE * INPUT_SIZE * 3];
    for (name, rect) in rects {
        let spec = face_crop(&rect);
        c.bench_function(&format!("face crop {name}: reference"), |b| {
            b.iter(|| crop::reference::crop_into(img, &spec, &mut out))
        });
        c.bench_function(&format!("face crop {name}: crop_into"), |b| {
            b.iter(|| crop::crop_into(img, &spec, &mut out))
        });
    }
}

criterion_group!(benches, crops);
criterion_main!(benches);
