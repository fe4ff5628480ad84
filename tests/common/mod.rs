//! Helpers shared by the integration tests: fixture paths, references, distances.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The committed still photos whose licence allows it (see tests/fixtures/README.md).
pub const STILLS: [&str; 9] = [
    "sk__astronaut.png",
    "sk__camera.png",
    "mpl__grace_hopper.jpg",
    "facerec__biden.jpg",
    "facerec__obama.jpg",
    "facerec__obama2.jpg",
    "facerec__obama3.jpg",
    "facerec__obama_partial_face.jpg",
    "facerec__obama_partial_face2.jpg",
];

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

pub fn models_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("models")
}

/// A reference JSON: `kind` is `mesh`, `iris` or `refined`.
pub fn reference(kind: &str, image: &str) -> Value {
    let path = fixtures()
        .join("reference")
        .join(kind)
        .join(format!("{image}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A list of `[x, y, ...]` points from a JSON array.
pub fn points(v: &Value) -> Vec<[f32; 2]> {
    v.as_array()
        .expect("array of points")
        .iter()
        .map(|p| [p[0].as_f64().unwrap() as f32, p[1].as_f64().unwrap() as f32])
        .collect()
}

pub fn dist(a: [f32; 2], b: [f32; 2]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

pub fn centroid(p: &[[f32; 2]]) -> [f32; 2] {
    let n = p.len() as f32;
    [
        p.iter().map(|q| q[0]).sum::<f32>() / n,
        p.iter().map(|q| q[1]).sum::<f32>() / n,
    ]
}

/// Decodes a fixture image to packed RGB.
pub fn load_rgb(image: &str) -> image::RgbImage {
    let path = fixtures().join("stills").join(image);
    image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .to_rgb8()
}

/// The command that runs the `eyeswitch` binary, through `$EYESWITCH_TEST_RUNNER`
/// (e.g. `qemu-aarch64 -L /usr/aarch64-linux-gnu`) when the tests run for another CPU.
pub fn eyeswitch_command() -> std::process::Command {
    let bin = env!("CARGO_BIN_EXE_eyeswitch");
    match std::env::var("EYESWITCH_TEST_RUNNER") {
        Ok(runner) if !runner.trim().is_empty() => {
            let mut parts = runner.split_whitespace();
            let mut cmd = std::process::Command::new(parts.next().unwrap_or_default());
            cmd.args(parts).arg(bin);
            cmd
        }
        _ => std::process::Command::new(bin),
    }
}

/// Eye aspect ratio from six points p1..p6 (Soukupová & Čech).
pub fn ear(p: [[f32; 2]; 6]) -> f32 {
    (dist(p[1], p[5]) + dist(p[2], p[4])) / (2.0 * dist(p[0], p[3]))
}

/// A test video converted to MJPEG by scripts/fetch-test-media, or `None` (with a note on
/// stderr) when the cache has not been made.
pub fn media(name: &str) -> Option<PathBuf> {
    let dir = std::env::var_os("EYESWITCH_MEDIA").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join(".cache/media"),
        PathBuf::from,
    );
    let path = dir.join(format!("{name}.mjpeg"));
    if path.is_file() {
        return Some(path);
    }
    eprintln!(
        "SKIPPED: {} is missing; run scripts/fetch-test-media",
        path.display()
    );
    None
}

/// The pipeline `replay` builds (the built-in defaults) on the repository's models, with
/// `landmarks`, every model in `precision` and inference on `threads` cores.
pub fn pipeline(
    landmarks: eyeswitch::models::LandmarkModel,
    precision: eyeswitch::models::Precision,
    threads: u32,
) -> eyeswitch::pipeline::Pipeline {
    let mut config = eyeswitch::config::Config::default();
    config.models.dir = Some(models_dir());
    config.models.landmarks = Some(landmarks);
    config.models.precision = eyeswitch::config::PrecisionChoice::all(precision);
    config.models.threads = Some(threads);
    eyeswitch::pipeline::build(&config).unwrap()
}

/// Whether the tests run under an emulator (`$EYESWITCH_TEST_RUNNER`, e.g. qemu-aarch64), where
/// a tracked frame takes about a second: real-time and whole-clip tests are measured natively.
pub fn emulated() -> bool {
    std::env::var_os("EYESWITCH_TEST_RUNNER").is_some_and(|r| !r.is_empty())
}

/// Runs `run`'s live loop on `frames` to its end, as `run` does: no camera statuses, no stop,
/// a fresh watchdog heartbeat, and the stall release after `stall_ms`.
pub fn run_live(
    pipeline: &mut eyeswitch::pipeline::Pipeline,
    frames: &mut impl eyeswitch::capture::FrameSource,
    sink: &mut impl eyeswitch::live::LiveSink,
    stall_ms: u32,
) -> Result<eyeswitch::live::End, eyeswitch::capture::CaptureError> {
    let (cell, health) = (
        eyeswitch::live::StatusCell::default(),
        eyeswitch::service::Health::default(),
    );
    let stop = std::sync::atomic::AtomicBool::new(false);
    eyeswitch::live::Live {
        pipeline,
        watch: eyeswitch::live::CameraWatch::new(stall_ms),
        camera: &cell,
        health: &health,
        stop: &stop,
    }
    .run(frames, sink)
}
