//! `eyeswitch doctor`'s checks: one file per thing checked. Each check takes the paths it looks
//! at, so tests can point it at missing or fake devices.

pub mod board;
pub mod camera;
pub mod cpu;
pub mod gaze;
pub mod gpio;
pub mod hid;
pub mod models;
pub mod permissions;
pub mod serial;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::config::{Config, DisplayKind};
use crate::models::Precisions;

/// The outcome of one check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Ok,
    Fail,
    /// Works, but probably not as the user means (e.g. no output configured); exit status 0.
    Warn,
    /// Not applicable to this config, e.g. an output that is not configured.
    Skip,
}

impl Status {
    /// The word printed at the start of the line; `FAIL` in capitals so it stands out.
    pub fn label(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Fail => "FAIL",
            Status::Warn => "WARN",
            Status::Skip => "skip",
        }
    }
}

/// One line of the report, and one JSON object with `--json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked, e.g. `camera` or `model face_landmark.onnx`.
    pub check: String,
    pub status: Status,
    /// What was found, naming the file or device.
    pub detail: String,
    /// What to do about a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    pub fn ok(check: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(check, Status::Ok, detail, None)
    }

    pub fn fail(
        check: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::new(check, Status::Fail, detail, Some(fix.into()))
    }

    pub fn warn(
        check: impl Into<String>,
        detail: impl Into<String>,
        fix: impl Into<String>,
    ) -> Self {
        Self::new(check, Status::Warn, detail, Some(fix.into()))
    }

    pub fn skip(check: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(check, Status::Skip, detail, None)
    }

    fn new(
        check: impl Into<String>,
        status: Status,
        detail: impl Into<String>,
        fix: Option<String>,
    ) -> Self {
        Self {
            check: check.into(),
            status,
            detail: detail.into(),
            fix,
        }
    }
}

/// Whether every check passed or was skipped: the exit status of `doctor`.
pub fn passed(checks: &[Check]) -> bool {
    checks.iter().all(|c| c.status != Status::Fail)
}

/// Where the checks look outside the config, so tests can use fakes.
#[derive(Debug, Clone)]
pub struct Environment {
    /// The models directory `run` would use.
    pub models: PathBuf,
    /// The sysfs root, `/sys` outside tests.
    pub sys: PathBuf,
    /// The text of `/proc/cpuinfo`.
    pub cpuinfo: String,
}

/// Every check, in the order a user would fix things: CPU and board, models, camera, outputs,
/// display, then permissions on every device that exists.
///
/// `precisions` are the ones `run` would load (the config's, or `--precision`).
pub fn check_all(config: &Config, precisions: &Precisions, env: &Environment) -> Vec<Check> {
    let features = cpu::detect(&env.cpuinfo);
    let mut checks = vec![cpu::check(&features, precisions)];
    checks.push(match config.board_profile() {
        Ok(profile) => board::check(profile.as_ref(), features.sdot),
        Err(e) => Check::fail(
            "board",
            e.to_string(),
            "set board to one of the names listed",
        ),
    });
    checks.extend(models::check(
        &env.models,
        precisions,
        config.models.landmarks(),
    ));
    let cam = &config.camera;
    checks.push(camera::check(&cam.device, &cam.wanted()));
    let outputs = &config.outputs;
    if !outputs.any() {
        checks.push(Check::warn(
            "outputs",
            "no output is configured: switch presses would go nowhere",
            "add [outputs.gpio], [outputs.serial], [outputs.hid] or [outputs.stdout] (config/eyeswitch.example.toml)",
        ));
    }
    checks.push(gpio::check(outputs.gpio.as_ref()));
    checks.push(serial::check(outputs.serial.as_ref()));
    checks.extend(hid::check(outputs.hid.as_ref(), &env.sys));
    checks.extend(gaze::check(&config.gaze.profile, &config.switches));
    checks.extend(devices(config).iter().filter_map(|d| permissions::check(d)));
    checks
}

/// Every device the config makes `run` open.
fn devices(config: &Config) -> Vec<PathBuf> {
    let mut devices = vec![config.camera.device.clone()];
    let outputs = &config.outputs;
    devices.extend(outputs.gpio.as_ref().map(|g| g.chip.clone()));
    devices.extend(outputs.serial.as_ref().map(|s| PathBuf::from(&s.device)));
    devices.extend(outputs.hid.as_ref().map(|h| h.device.clone()));
    match config.display.kind {
        DisplayKind::None => {}
        DisplayKind::Ssd1306 => devices.push(config.display.i2c_bus.clone()),
        DisplayKind::Framebuffer => devices.push(config.display.fb_device.clone()),
    }
    devices
}

impl Environment {
    /// This machine: `/sys` and `/proc/cpuinfo` (empty if unreadable; the run-time feature
    /// detection still answers).
    pub fn system(models: PathBuf) -> Self {
        Self {
            models,
            sys: PathBuf::from("/sys"),
            cpuinfo: std::fs::read_to_string(Path::new("/proc/cpuinfo")).unwrap_or_default(),
        }
    }
}
