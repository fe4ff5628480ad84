//! A V4L2 camera as an [`EncodedSource`]: mmap streaming of YUYV or MJPEG, with format
//! negotiation and automatic reopening when the device goes away.
//!
//! A lost camera (unplugged, ENODEV, a read error or a stall) never ends the stream: the
//! source reports [`CameraStatus::Lost`], then `Reopening`, retries with [`Backoff`], and
//! reports `Streaming` again once frames flow.

use super::backoff::Backoff;
use super::negotiate::{choose_format, CameraFormat, Choice, OfferedFormat, Wanted};
use super::{CaptureError, EncodedFrame, EncodedSource, Encoding};
use crate::event::CameraStatus;
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use v4l::buffer::Type;
use v4l::device::Device;
use v4l::format::FourCC;
use v4l::fraction::Fraction;
use v4l::frameinterval::FrameIntervalEnum;
use v4l::framesize::FrameSizeEnum;
use v4l::io::mmap::Stream;
use v4l::io::traits::CaptureStream;
use v4l::video::capture::Parameters;
use v4l::video::Capture;

/// Driver buffers to queue: enough that a slow frame on our side never stalls the sensor.
const DRIVER_BUFFERS: u32 = 4;
/// No frame for this long counts as a lost camera: at the slowest usable rate (5 fps) it is
/// ten frame periods.
const FRAME_TIMEOUT: Duration = Duration::from_secs(2);

const YUYV: &[u8; 4] = b"YUYV";
const MJPG: &[u8; 4] = b"MJPG";

/// Called with every change of camera status (from the capture thread, hence `Send`).
type StatusCallback = Box<dyn FnMut(CameraStatus) + Send>;

/// An open, streaming device. `stream` is declared first so it is dropped (stopped) first.
struct Open {
    stream: Stream<'static>,
    _device: Device,
    encoding: Encoding,
}

/// A V4L2 capture device, opened lazily on the first frame.
pub struct V4l2Source {
    path: PathBuf,
    wanted: Wanted,
    open: Option<Open>,
    backoff: Backoff,
    status: Option<CameraStatus>,
    on_status: Option<StatusCallback>,
    /// The current frame, copied out of the driver's buffer so that buffer is requeued at once.
    frame: Vec<u8>,
    start: Option<Instant>,
    index: u64,
}

impl V4l2Source {
    /// A source for the device at `path` (e.g. `/dev/video0`). Nothing is opened yet: a camera
    /// that is missing at start is waited for like one that was unplugged.
    pub fn new(path: impl AsRef<Path>, wanted: Wanted) -> V4l2Source {
        V4l2Source {
            path: path.as_ref().to_path_buf(),
            wanted,
            open: None,
            backoff: Backoff::new(),
            status: None,
            on_status: None,
            frame: Vec::new(),
            start: None,
            index: 0,
        }
    }

    /// Calls `callback` on every status change, e.g. to emit a `camera` event.
    pub fn on_status(mut self, callback: impl FnMut(CameraStatus) + Send + 'static) -> V4l2Source {
        self.on_status = Some(Box::new(callback));
        self
    }

    /// The latest status; `None` before the first open attempt.
    pub fn status(&self) -> Option<CameraStatus> {
        self.status
    }

    fn set_status(&mut self, status: CameraStatus) {
        if self.status == Some(status) {
            return;
        }
        self.status = Some(status);
        log::info!("camera {}: {status:?}", self.path.display());
        if let Some(callback) = &mut self.on_status {
            callback(status);
        }
    }

    /// Drops the stream and device. The v4l crate panics if stopping the stream fails with
    /// anything but ENODEV; a dying camera must not take the process down, so that is caught.
    fn close(&mut self) {
        if let Some(open) = self.open.take() {
            if catch_unwind(AssertUnwindSafe(move || drop(open))).is_err() {
                log::warn!("camera {}: closing the stream failed", self.path.display());
            }
        }
    }
}

impl EncodedSource for V4l2Source {
    /// Blocks until a frame arrives, reopening the device as often as needed; never fails.
    fn next_encoded(&mut self) -> Result<Option<EncodedFrame<'_>>, CaptureError> {
        let encoding = loop {
            let Some(open) = self.open.as_mut() else {
                if self.status.is_some() {
                    self.set_status(CameraStatus::Reopening);
                }
                match open_device(&self.path, &self.wanted) {
                    Ok(open) => self.open = Some(open),
                    Err(e) => {
                        log::warn!(
                            "camera {}: cannot open: {e}; check it is plugged in and not used by another program",
                            self.path.display()
                        );
                        self.set_status(CameraStatus::Lost);
                        std::thread::sleep(self.backoff.next_delay());
                    }
                }
                continue;
            };
            match CaptureStream::next(&mut open.stream) {
                Ok((buf, meta)) => {
                    let used = (meta.bytesused as usize).min(buf.len());
                    self.frame.clear();
                    self.frame.extend_from_slice(&buf[..used]);
                    break open.encoding;
                }
                Err(e) => {
                    log::warn!(
                        "camera {}: read failed: {e}; reopening",
                        self.path.display()
                    );
                    self.close();
                    self.set_status(CameraStatus::Lost);
                }
            }
        };
        self.backoff.reset();
        self.set_status(CameraStatus::Streaming);
        let start = *self.start.get_or_insert_with(Instant::now);
        let index = self.index;
        self.index += 1;
        Ok(Some(EncodedFrame {
            data: &self.frame,
            encoding,
            t_ms: start.elapsed().as_millis() as u64,
            index,
        }))
    }
}

/// What the device at `path` offers in YUYV or MJPEG, without streaming (for `doctor`).
pub fn probe_formats(path: &Path, wanted: &Wanted) -> io::Result<Vec<OfferedFormat>> {
    let device = Device::with_path(path)?;
    offered_formats(&device, wanted)
}

/// Opens `path`, negotiates a format and starts mmap streaming.
fn open_device(path: &Path, wanted: &Wanted) -> io::Result<Open> {
    let device = Device::with_path(path)?;
    let offers = offered_formats(&device, wanted)?;
    let choice = choose_format(&offers, wanted).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::Unsupported,
            "the camera offers neither YUYV nor MJPEG",
        )
    })?;
    if let Some(format) = wanted.format.filter(|f| *f != choice.format) {
        log::warn!(
            "camera {}: [camera] format = {format:?} is not offered; using {:?}",
            path.display(),
            choice.format
        );
    }
    let mut format = device.format()?;
    format.width = choice.width;
    format.height = choice.height;
    format.fourcc = fourcc(choice.format);
    let got = device.set_format(&format)?;
    let got_format = camera_format(got.fourcc).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::Unsupported,
            format!("the driver switched to pixel format {} instead", got.fourcc),
        )
    })?;
    let params = device.set_params(&Parameters::new(interval(&choice)))?;
    let fps = f64::from(params.interval.denominator) / f64::from(params.interval.numerator.max(1));
    log::info!(
        "camera {}: got {} {}x{} (stride {}) at {fps:.2} fps; asked for {:?} {}x{} at {:.2} fps",
        path.display(),
        got.fourcc,
        got.width,
        got.height,
        got.stride,
        choice.format,
        choice.width,
        choice.height,
        choice.fps
    );
    let encoding = match got_format {
        CameraFormat::Mjpeg => Encoding::Jpeg,
        CameraFormat::Yuyv => Encoding::Yuyv {
            width: got.width as usize,
            height: got.height as usize,
            // Some drivers leave the stride 0 for packed formats: rows are then unpadded.
            stride: (got.stride as usize).max(got.width as usize * 2),
        },
    };
    let mut stream = Stream::with_buffers(&device, Type::VideoCapture, DRIVER_BUFFERS)?;
    stream.set_timeout(FRAME_TIMEOUT);
    Ok(Open {
        stream,
        _device: device,
        encoding,
    })
}

/// Everything the device offers in YUYV or MJPEG, one entry per (format, size, rate).
///
/// Stepwise sizes and rates are reduced to the value nearest `wanted` plus the extremes.
fn offered_formats(device: &Device, wanted: &Wanted) -> io::Result<Vec<OfferedFormat>> {
    let mut offers = Vec::new();
    for description in device.enum_formats()? {
        let Some(format) = camera_format(description.fourcc) else {
            continue;
        };
        for size in device.enum_framesizes(description.fourcc)? {
            for (width, height) in sizes(size.size, wanted) {
                let intervals = device.enum_frameintervals(description.fourcc, width, height)?;
                for interval in intervals {
                    for fps in rates(interval.interval, wanted.fps) {
                        offers.push(OfferedFormat {
                            format,
                            width,
                            height,
                            fps,
                        });
                    }
                }
            }
        }
    }
    Ok(offers)
}

fn sizes(size: FrameSizeEnum, wanted: &Wanted) -> Vec<(u32, u32)> {
    match size {
        FrameSizeEnum::Discrete(d) => vec![(d.width, d.height)],
        FrameSizeEnum::Stepwise(s) => {
            vec![
                (s.min_width, s.min_height),
                (s.max_width, s.max_height),
                (
                    snap(wanted.width, s.min_width, s.max_width, s.step_width),
                    snap(wanted.height, s.min_height, s.max_height, s.step_height),
                ),
            ]
        }
    }
}

/// `want` on a driver's stepwise grid `min..=max` by `step`, rounded up so the size stays at
/// or above the wanted one. A buggy driver may report min > max or a zero step: those are
/// reordered and treated as step 1, never a panic.
fn snap(want: u32, min: u32, max: u32, step: u32) -> u32 {
    let (min, max, step) = (min.min(max), max.max(min), step.max(1));
    let want = want.clamp(min, max);
    min.saturating_add((want - min).div_ceil(step).saturating_mul(step))
        .min(max)
}

fn rates(interval: FrameIntervalEnum, wanted_fps: f64) -> Vec<f64> {
    let fps = |f: Fraction| f64::from(f.denominator) / f64::from(f.numerator.max(1));
    match interval {
        FrameIntervalEnum::Discrete(f) => vec![fps(f)],
        FrameIntervalEnum::Stepwise(s) => {
            // The longest interval is the lowest rate.
            let (low, high) = (fps(s.max), fps(s.min));
            vec![low, high, wanted_fps.clamp(low.min(high), high.max(low))]
        }
    }
}

/// The frame interval for `choice`, in milliseconds precision (drivers round to what they can).
fn interval(choice: &Choice) -> Fraction {
    let millihertz = (choice.fps * 1000.0).round().max(1.0) as u32;
    Fraction::new(1000, millihertz)
}

fn camera_format(fourcc: FourCC) -> Option<CameraFormat> {
    match &fourcc.repr {
        YUYV => Some(CameraFormat::Yuyv),
        MJPG => Some(CameraFormat::Mjpeg),
        _ => None,
    }
}

fn fourcc(format: CameraFormat) -> FourCC {
    match format {
        CameraFormat::Yuyv => FourCC::new(YUYV),
        CameraFormat::Mjpeg => FourCC::new(MJPG),
    }
}

#[cfg(test)]
mod tests {
    use super::snap;

    #[test]
    fn snap_rounds_up_to_the_step_grid() {
        assert_eq!(snap(641, 160, 1280, 16), 656);
        assert_eq!(snap(100, 160, 1280, 16), 160);
        assert_eq!(snap(5000, 160, 1280, 16), 1280);
    }

    #[test]
    fn snap_survives_a_driver_reporting_min_above_max() {
        assert_eq!(snap(640, 1280, 160, 16), 640);
        assert_eq!(snap(640, 1280, 160, 0), 640);
        assert_eq!(snap(u32::MAX, 1, u32::MAX, u32::MAX), u32::MAX);
    }
}
