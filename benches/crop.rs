//! Criterion benchmark of the face crop (192 × 192, ImageToTensorCalculator's sampling, as every
//! tracked frame of the default pipeline runs it) on a real photo: each sampler of
//! `crop::crop_with` (scalar: the batched float one; avx2+fma or neon: fixed point) against
//! `crop::reference`, the per-sample version they equal bit for bit, in the same run.
//!
//! `taskset -c 1 cargo bench --bench crop`

use criterion::{criterion_group, criterion_main, Criterion};
use eyeswitch::capture::decode_jpeg;
use eyeswitch::crop;
use eyeswitch::frame::RgbView;
use eyeswitch::geometry::RotatedRect;
use eyeswitch::inference::kernels::simd::Simd;
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
    let (w, h) = (w as f32, h as f32);
    let face = |cx: f32, cy: f32, side: f32, rotation: f32| RotatedRect {
        cx,
        cy,
        width: side,
        height: side,
        rotation,
    };
    let rects = [
        ("inside", face(w * 0.5, h * 0.4, w * 0.6, 0.08)),
        ("over the edge", face(w * 0.1, h * 0.9, w * 0.7, -0.3)),
    ];
    let mut out = vec![0.0f32; INPUT_SIZE * INPUT_SIZE * 3];
    for (name, rect) in rects {
        let spec = face_crop(&rect);
        c.bench_function(&format!("face crop {name}: reference"), |b| {
            b.iter(|| crop::reference::crop_into(img, &spec, &mut out))
        });
        for simd in Simd::available() {
            c.bench_function(&format!("face crop {name}: {}", simd.name()), |b| {
                b.iter(|| crop::crop_with(simd, img, &spec, &mut out))
            });
        }
    }
}

criterion_group!(benches, crops);
criterion_main!(benches);
