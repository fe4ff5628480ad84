//! `[camera]`: which V4L2 device to open and what to ask of it.

use std::path::PathBuf;

use serde::Deserialize;

use crate::config::ConfigError;

/// Pixel formats eyeswitch decodes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PixelFormat {
    /// Uncompressed 4:2:2; no decode cost, but USB 2 bandwidth limits it to about 640×480 at 30 fps.
    Yuyv,
    /// JPEG frames; needed for larger sizes at full frame rate, costs a decode per frame.
    Mjpeg,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CameraConfig {
    pub device: PathBuf,
    pub format: PixelFormat,
    pub width: u32,
    pub height: u32,
    pub fps: u32,
}

impl Default for CameraConfig {
    /// 640×480 YUYV at 30 fps: every UVC webcam offers it, and the face fills enough pixels at
    /// arm's length for the landmark models.
    fn default() -> Self {
        Self {
            device: PathBuf::from("/dev/video0"),
            format: PixelFormat::Yuyv,
            width: 640,
            height: 480,
            fps: 30,
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

impl CameraConfig {
    /// Checks ranges; `section` is the key prefix (`camera` or a board profile's `camera`).
    pub fn validate(&self, file: &str, section: &str) -> Result<(), ConfigError> {
        let checks = [
            ("width", self.width, MIN_SIZE.0, MAX_SIZE.0),
            ("height", self.height, MIN_SIZE.1, MAX_SIZE.1),
            ("fps", self.fps, MIN_FPS, MAX_FPS),
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
