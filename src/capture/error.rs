//! Errors of the capture layer. Each message names the file or device and what to do.

use std::io;
use std::path::PathBuf;

/// Why a capture source could not deliver frames.
#[derive(Debug, thiserror::Error)]
pub enum CaptureError {
    #[error(
        "cannot open replay source {path}: {source}; check that the path exists and is readable"
    )]
    Open { path: PathBuf, source: io::Error },
    #[error("cannot read {path}: {source}; the file may be on a failing disk or was removed")]
    Read { path: PathBuf, source: io::Error },
    #[error("{path} holds no .png/.jpg/.jpeg images; point replay at a directory of frames or an MJPEG file")]
    EmptyDir { path: PathBuf },
    #[error("{path} is not an MJPEG stream: {why}; make one from a video with `ffmpeg -i clip.mp4 -f mjpeg clip.mjpeg`, or point replay at a directory of .jpg/.png frames")]
    NotMjpeg { path: PathBuf, why: &'static str },
    #[error("replay fps must be a positive number, got {fps}; pass e.g. --fps 30")]
    BadFps { fps: f64 },
    #[error(
        "cannot create recording {path}: {source}; check the directory exists and is writable"
    )]
    Record { path: PathBuf, source: io::Error },
    #[error("cannot start the capture thread: {0}; the system is out of threads or memory")]
    Spawn(io::Error),
    #[error(
        "the capture thread stopped unexpectedly (it panicked); see the log above for the cause"
    )]
    ThreadDied,
    /// Not a failure of the source: no frame came within the consumer's wait, which uses it to
    /// release switches and report a stalled camera. The next call waits again.
    #[error("no frame for {} ms", waited.as_millis())]
    NoFrame { waited: std::time::Duration },
}

/// Why one frame could not be decoded; such frames are counted and skipped, never fatal.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("corrupt JPEG frame: {0}")]
    Jpeg(#[from] zune_jpeg::errors::DecodeErrors),
    #[error("truncated JPEG frame: no end-of-image marker")]
    Truncated,
    #[error("corrupt PNG frame: {0}")]
    Png(#[from] image::ImageError),
    #[error("unsupported PNG pixel type {0:?}; convert the frames to 8-bit RGB, RGBA or grey")]
    PngColor(image::ColorType),
    #[error("YUYV frame of {len} bytes is too short for {width}x{height} with stride {stride}")]
    YuyvShort {
        len: usize,
        width: usize,
        height: usize,
        stride: usize,
    },
    #[error("frame size {width}x{height} is empty, odd-width YUYV or larger than {max}x{max}")]
    BadSize {
        width: usize,
        height: usize,
        max: usize,
    },
    #[error("image of {width}x{height} is above the limit of {max} pixels (4096x4096) that keeps decoding within a small board's memory; scale it down, e.g. `ffmpeg -i in.jpg -vf scale=1280:-1 out.jpg`")]
    TooManyPixels {
        width: usize,
        height: usize,
        max: usize,
    },
}
