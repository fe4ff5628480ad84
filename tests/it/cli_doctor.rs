//! `eyeswitch doctor` run as a user would: one line per check with a fix under each failure,
//! `--json` lines, and exit status 1 when anything failed.

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::common;

/// A fresh directory under target/ for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes a config: `extra` (top-level keys first, or whole tables), a missing camera and the
/// given models dir.
fn config(dir: &Path, models: &Path, extra: &str) -> PathBuf {
    let path = dir.join("eyeswitch.toml");
    let text = format!(
        "{extra}[camera]\ndevice = \"/dev/video99\"\n[models]\ndir = {:?}\n",
        models.display().to_string()
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn doctor(config: &Path, json: bool) -> (String, Output) {
    let mut cmd = common::eyeswitch_command();
    cmd.arg("doctor").arg("--config").arg(config);
    if json {
        cmd.arg("--json");
    }
    let out = cmd.output().unwrap();
    (String::from_utf8_lossy(&out.stdout).into_owned(), out)
}

/// The line starting with `prefix`, and the line after it.
fn line_and_next<'a>(text: &'a str, prefix: &str) -> (&'a str, &'a str) {
    let lines: Vec<&str> = text.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.starts_with(prefix))
        .unwrap_or_else(|| panic!("no line starting {prefix:?} in:\n{text}"));
    (lines[i], lines.get(i + 1).copied().unwrap_or(""))
}

#[test]
fn missing_camera_fails_with_a_fix_and_good_models_pass() {
    let dir = scratch("doctor-camera");
    let serial = dir.join("ttyFAKE0");
    std::fs::write(&serial, b"").unwrap();
    let extra = format!(
        "[outputs.serial]\ndevice = {:?}\n[outputs.gpio]\nchip = \"/nonexistent/gpiochip9\"\nlines = {{ 1 = 17 }}\n",
        serial.display().to_string()
    );
    let cfg = config(&dir, &common::models_dir(), &extra);
    let (text, out) = doctor(&cfg, false);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.starts_with(&format!("ok   config: {} is valid\n", cfg.display())),
        "{text}"
    );
    let (camera, fix) = line_and_next(&text, "FAIL camera:");
    assert_eq!(camera, "FAIL camera: /dev/video99 does not exist");
    assert!(
        fix.starts_with("     fix: plug in a UVC camera; `ls /dev/video*`"),
        "{fix}"
    );
    assert!(fix.contains("video group"), "{fix}");
    // The default landmark model: the attention mesh.
    for file in [
        "face_detection_short_range.onnx",
        "face_landmark_with_attention.onnx",
    ] {
        let want = format!(
            "ok   model {file}: {} matches its SHA-256; tract runs it with ",
            common::models_dir().join(file).display()
        );
        let line = text.lines().find(|l| l.starts_with(&want));
        assert!(
            line.is_some_and(|l| l.contains("mmm_f32")),
            "{want:?}, then f32 matrix kernels, in:\n{text}"
        );
    }
    let (gpio, fix) = line_and_next(&text, "FAIL gpio:");
    assert_eq!(gpio, "FAIL gpio: /nonexistent/gpiochip9 does not exist");
    assert!(fix.contains("gpiodetect"), "{fix}");
    let (serial_line, _) = line_and_next(&text, "ok   serial:");
    assert!(
        serial_line.contains("opens for reading and writing"),
        "{serial_line}"
    );
    let (access, _) = line_and_next(&text, &format!("ok   access {}:", serial.display()));
    assert!(access.contains("read and write allowed"), "{access}");
    assert!(
        text.contains("skip hid: no [outputs.hid] in the config"),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("ok   cpu: ")), "{text}");
}

#[test]
fn corrupted_and_missing_models_are_named() {
    let dir = scratch("doctor-models");
    let models = dir.join("models");
    std::fs::create_dir_all(&models).unwrap();
    for file in ["face_detection_short_range.onnx", "face_landmark.onnx"] {
        std::fs::copy(common::models_dir().join(file), models.join(file)).unwrap();
    }
    let corrupt = models.join("face_landmark.onnx");
    let mut bytes = std::fs::read(&corrupt).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xFF;
    std::fs::write(&corrupt, bytes).unwrap();
    // The iris pipeline's models are checked when it is configured ([models] is the file's
    // last table).
    let cfg = config(&dir, &models, "");
    let text = std::fs::read_to_string(&cfg).unwrap() + "landmarks = \"iris\"\n";
    std::fs::write(&cfg, text).unwrap();
    let (text, out) = doctor(&cfg, false);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let (line, fix) = line_and_next(&text, "FAIL model face_landmark.onnx:");
    assert!(
        line.starts_with(&format!(
            "FAIL model face_landmark.onnx: {} has SHA-256 ",
            corrupt.display()
        )),
        "{line}"
    );
    assert!(
        line.ends_with(
            ", expected ec2240eb90a65fcb4328c67eba9858378225316e73c81ee6e8395cfc4a10dce0"
        ),
        "{line}"
    );
    assert!(fix.contains("re-run scripts/convert-models"), "{fix}");
    let (missing, fix) = line_and_next(&text, "FAIL model iris_landmark.onnx:");
    assert_eq!(
        missing,
        format!(
            "FAIL model iris_landmark.onnx: {} is missing",
            models.join("iris_landmark.onnx").display()
        )
    );
    assert!(fix.contains("scripts/convert-models"), "{fix}");
    assert!(
        text.contains("ok   model face_detection_short_range.onnx:"),
        "{text}"
    );
}

#[test]
fn json_prints_one_object_per_check() {
    let dir = scratch("doctor-json");
    let cfg = config(&dir, &common::models_dir(), "board = \"rpi4\"\n");
    let (text, out) = doctor(&cfg, true);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let checks: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    for c in &checks {
        let status = c["status"].as_str().unwrap();
        assert!(["ok", "fail", "warn", "skip"].contains(&status), "{c}");
        assert!(c["check"].is_string() && c["detail"].is_string(), "{c}");
        assert_eq!(
            c.get("fix").is_some(),
            status == "fail" || status == "warn",
            "a fix exactly on failures and warnings: {c}"
        );
    }
    let camera = checks.iter().find(|c| c["check"] == "camera").unwrap();
    assert_eq!(camera["status"], "fail");
    assert_eq!(camera["detail"], "/dev/video99 does not exist");
    // The rpi4 profile's advice, unless this is an ARM CPU with SDOT (qemu's is), which the
    // Pi 4's Cortex-A72 lacks: then the profile is flagged as not this board's.
    let board = checks.iter().find(|c| c["check"] == "board").unwrap();
    let detail = board["detail"].as_str().unwrap();
    let arm = cfg!(any(target_arch = "aarch64", target_arch = "arm"));
    if board["status"] == "ok" {
        assert!(detail.contains("keep precision f32"), "{board}");
    } else {
        let flagged = detail.ends_with("cortex-a72 has no SDOT, but this CPU has SDOT");
        assert!(arm && flagged, "{board}");
    }
    let models = checks
        .iter()
        .filter(|c| c["check"].as_str().unwrap().starts_with("model "));
    // The detector and the default attention mesh.
    assert!(models.clone().count() == 2 && models.into_iter().all(|c| c["status"] == "ok"));
}

#[test]
fn an_invalid_config_fails_but_the_rest_is_still_checked() {
    let dir = scratch("doctor-bad-config");
    let cfg = dir.join("eyeswitch.toml");
    std::fs::write(&cfg, "[camera]\nfps = 500\n").unwrap();
    let (text, out) = doctor(&cfg, false);
    assert_eq!(out.status.code(), Some(1), "{text}");
    let (line, fix) = line_and_next(&text, "FAIL config:");
    assert!(line.contains("camera.fps = 500 is not allowed"), "{line}");
    assert!(
        line.contains("the other checks use the built-in defaults"),
        "{line}"
    );
    assert!(fix.contains("config/eyeswitch.example.toml"), "{fix}");
    assert!(
        text.contains("camera: /dev/video0"),
        "defaults checked: {text}"
    );
}
