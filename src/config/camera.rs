//! `[camera]`: which V4L2 device to open and what to ask of it.

use std::path::PathBuf;

use serde::Deserialize;

use crate::capture::{CameraFormat, Wanted};
use crate::config::ConfigError;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CameraConfig {
    pub device: PathBuf,
    /// Only this pixel format; `None` lets negotiation choose (YUYV unless only MJPEG reaches
    /// the size and rate).
    pub format: Option<CameraFormat>,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
    /// No frame for this long releases every switch and reports the camera lost.
    pub stall_release_ms: u32,
    /// Horizontal field of view in degrees, for the distance from the iris size (see
    /// [`crate::gesture::distance`]); the camera's data sheet gives it, often as a diagonal.
    pub hfov_deg: f32,
}

impl Default for CameraConfig {
    /// 640×480 YUYV at 30 fps: every UVC webcam offers it, and the face fills enough pixels at
    /// arm's length for the landmark models.
    fn default() -> Self {
        Self {
            device: PathBuf::from("/dev/video0"),
            format: None,
            width: 640,
            height: 480,
            fps: 30,
            stall_release_ms: 300,
            hfov_deg: crate::gesture::distance::DEFAULT_HFOV_DEG,
        }
    }
}

/// Smallest frame in which a face at arm's length still gives the detector enough pixels.
const MIN_SIZE: (u32, u32) = (160, 120);
/// 1080p: larger frames only cost decode time, the models work on small crops.
const MAX_SIZE: (u32, u32) = (1920, 1080);
/// A blink lasts 100–400 ms; below 10 fps short blinks fall between frames.
const MIN_FPS: u32 = 10;
/// Fastest rate UVC webcams offer.
const MAX_FPS: u32 = 120;
/// Stall release: at least 100 ms (three frame periods at 30 fps, so one late frame is not a
/// stall), at most 2 s (the longest a switch may stay closed by a dead camera).
const STALL_RANGE: (u32, u32) = (100, 2000);

/// Field of view: narrower than 20° is a telephoto that cannot frame a face at a bed or desk;
/// 160° and more is a fisheye the pinhole model does not describe.
const HFOV_RANGE: (f32, f32) = (20.0, 160.0);

impl CameraConfig {
    /// What to ask the camera for.
    pub fn wanted(&self) -> Wanted {
        Wanted {
            width: self.width,
            height: self.height,
            fps: f64::from(self.fps),
            format: self.format,
        }
    }

    /// Checks ranges; `section` is the key prefix (`camera` or a board profile's `camera`).
    pub fn validate(&self, file: &str, section: &str) -> Result<(), ConfigError> {
        let checks = [
            ("width", self.width, MIN_SIZE.0, MAX_SIZE.0),
            ("height", self.height, MIN_SIZE.1, MAX_SIZE.1),
            ("fps", self.fps, MIN_FPS, MAX_FPS),
            (
                "stall_release_ms",
                self.stall_release_ms,
                STALL_RANGE.0,
                STALL_RANGE.1,
            ),
        ];
        for (key, value, min, max) in checks {
            if !(min..=max).contains(&value) {
                return Err(ConfigError::invalid(
                    file,
                    format!("{section}.{key}"),
                    value,
                    format!("use a value from {min} to {max}"),
                ));
            }
        }
        if !(HFOV_RANGE.0..=HFOV_RANGE.1).contains(&self.hfov_deg) {
            return Err(ConfigError::invalid(
                file,
                format!("{section}.hfov_deg"),
                self.hfov_deg,
                format!(
                    "use the camera's horizontal field of view, {} to {} degrees",
                    HFOV_RANGE.0, HFOV_RANGE.1
                ),
            ));
        }
        if !self.device.is_absolute() {
            return Err(ConfigError::invalid(
                file,
                format!("{section}.device"),
                format!("{:?}", self.device.display().to_string()),
                "use an absolute path such as \"/dev/video0\"",
            ));
        }
        Ok(())
    }
}
