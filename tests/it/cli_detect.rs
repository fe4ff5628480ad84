//! `eyeswitch detect` end to end: the binary, its JSON, its overlay and its errors.
//!
//! The golden files hold the x86-64 output of each landmark model; every other target must land
//! within 0.05 px of it. Regenerate them after an intended change with
//! `EYESWITCH_BLESS=1 cargo test --test it cli_detect`.

use crate::common::*;
use serde_json::Value;

/// Largest landmark difference allowed between CPU architectures, in pixels.
const CROSS_ARCH_PX: f64 = 0.05;

fn run_detect(args: &[&str]) -> std::process::Output {
    eyeswitch_command()
        .arg("--models")
        .arg(models_dir())
        .arg("detect")
        .args(args)
        .output()
        .expect("eyeswitch runs")
}

fn coords(face: &Value) -> Vec<f64> {
    let mut out = Vec::new();
    for p in face["landmarks"].as_array().unwrap() {
        out.extend(
            p.as_array()
                .unwrap()
                .iter()
                .take(2)
                .map(|v| v.as_f64().unwrap()),
        );
    }
    for side in ["right", "left"] {
        for p in face["eye_contours"][side].as_array().unwrap() {
            out.extend(p.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()));
        }
    }
    out
}

#[test]
fn json_matches_golden_within_cross_arch_tolerance() {
    matches_golden("attention", "golden/detect.attention.jsonl");
}

#[test]
fn iris_pipeline_json_matches_golden_within_cross_arch_tolerance() {
    matches_golden("iris", "golden/detect.iris.jsonl");
}

fn matches_golden(landmark_model: &str, golden: &str) {
    let paths: Vec<String> = STILLS
        .iter()
        .map(|s| {
            fixtures()
                .join("stills")
                .join(s)
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let args: Vec<&str> = ["--landmark-model", landmark_model, "--json"]
        .into_iter()
        .chain(paths.iter().map(String::as_str))
        .collect();
    let out = run_detect(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let golden_path = fixtures().join(golden);
    let relative = |line: &str| {
        // Store paths relative to the fixtures so the golden file does not depend on the checkout.
        let mut v: Value = serde_json::from_str(line).unwrap();
        let name = std::path::Path::new(v["image"].as_str().unwrap())
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        v["image"] = Value::String(name);
        v
    };
    let ours: Vec<Value> = stdout.lines().map(relative).collect();
    assert_eq!(ours.len(), STILLS.len());
    for (v, name) in ours.iter().zip(STILLS) {
        assert_eq!(v["image"], name);
        assert!(v["width"].as_u64().unwrap() > 0 && v["height"].as_u64().unwrap() > 0);
        for f in v["faces"].as_array().unwrap() {
            assert_eq!(f["landmarks"].as_array().unwrap().len(), 478);
            assert_eq!(f["eye_contours"]["right"].as_array().unwrap().len(), 71);
            assert_eq!(f["box"].as_array().unwrap().len(), 4);
        }
    }
    if std::env::var_os("EYESWITCH_BLESS").is_some() {
        let text: String = ours.iter().map(|v| format!("{v}\n")).collect();
        std::fs::write(&golden_path, text).unwrap();
        return;
    }
    let golden_text =
        std::fs::read_to_string(&golden_path).expect("golden file; bless it on x86-64");
    let golden: Vec<Value> = golden_text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut worst: f64 = 0.0;
    for (a, b) in ours.iter().zip(&golden) {
        let (fa, fb) = (
            a["faces"].as_array().unwrap(),
            b["faces"].as_array().unwrap(),
        );
        assert_eq!(
            fa.len(),
            fb.len(),
            "{}: face count differs from x86-64",
            a["image"]
        );
        for (x, y) in fa.iter().zip(fb) {
            for (p, q) in coords(x).iter().zip(coords(y)) {
                worst = worst.max((p - q).abs());
            }
        }
    }
    println!("{landmark_model}: largest landmark difference from the x86-64 golden output: {worst:.5} px");
    assert!(
        worst <= CROSS_ARCH_PX,
        "landmarks differ by {worst} px from x86-64"
    );
}

#[test]
fn no_face_gives_empty_list() {
    let dir = std::env::temp_dir().join(format!("eyeswitch-noface-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("grey.png");
    image::RgbImage::from_pixel(320, 240, image::Rgb([128, 128, 128]))
        .save(&path)
        .unwrap();
    let out = run_detect(&["--json", path.to_str().unwrap()]);
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["faces"], Value::Array(vec![]));
    assert_eq!(
        (v["width"].as_u64(), v["height"].as_u64()),
        (Some(320), Some(240))
    );
}

#[test]
fn unreadable_image_fails_naming_the_file() {
    let dir = std::env::temp_dir().join(format!("eyeswitch-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("not-an-image.jpg");
    std::fs::write(&path, b"this is not a JPEG").unwrap();
    let missing = dir.join("missing.png");
    let out = run_detect(&["--json", path.to_str().unwrap(), missing.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not-an-image.jpg"), "{err}");
    assert!(err.contains("missing.png"), "{err}");
}

#[test]
fn missing_models_are_named() {
    let out = eyeswitch_command()
        .args(["--models", "/nonexistent/models", "detect"])
        .arg(fixtures().join("stills/sk__astronaut.png"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("\"/nonexistent/models\"")
            && err.contains("it is not a directory")
            && err.contains("convert-models"),
        "{err}"
    );
}

#[test]
fn a_models_dir_without_the_models_names_the_missing_file() {
    let empty = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("empty-models");
    std::fs::create_dir_all(&empty).unwrap();
    let out = eyeswitch_command()
        .arg("--models")
        .arg(&empty)
        .arg("detect")
        .arg(fixtures().join("stills/sk__astronaut.png"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("empty-models/face_detection_short_range.onnx")
            && err.contains("convert-models"),
        "{err}"
    );
}

#[test]
fn draw_writes_an_overlay() {
    let out_path = std::env::temp_dir().join(format!("eyeswitch-draw-{}.png", std::process::id()));
    let input = fixtures().join("stills/sk__astronaut.png");
    let out = run_detect(&[
        "--draw",
        out_path.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let drawn = image::open(&out_path).unwrap().to_rgb8();
    let original = image::open(&input).unwrap().to_rgb8();
    assert_eq!(drawn.dimensions(), original.dimensions());
    let changed = drawn
        .pixels()
        .zip(original.pixels())
        .filter(|(a, b)| a != b)
        .count();
    assert!(changed > 500, "only {changed} pixels drawn");
}
