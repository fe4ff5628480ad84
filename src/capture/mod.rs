//! Capture: camera and recorded frames in, decoded RGB frames out.
//!
//! Two layers. An [`EncodedSource`] yields frames as the camera sends them (YUYV or JPEG
//! bytes): [`V4l2Source`], [`ReplaySource`], and the [`CaptureThread`] that runs either on its
//! own thread. Wrappers on that layer ([`FaultInjector`], [`Recorder`], [`Paced`]) see the same
//! bytes.
//! A [`Decoder`] turns any of them into a [`FrameSource`] of RGB frames, through the one decode
//! path ([`FrameDecoder`]) shared by camera and replay, into buffers reused frame after frame.

mod backoff;
mod decode;
mod decoder;
mod error;
mod fault;
mod mjpeg;
mod negotiate;
mod paced;
mod recorder;
mod replay;
mod ring;
mod source;
mod split;
mod thread;
mod v4l2;
mod yuyv;

pub use backoff::Backoff;
pub use decode::{check_size, FrameDecoder};
pub use decoder::Decoder;
pub use error::{CaptureError, DecodeError};
pub use fault::{FaultConfig, FaultInjector, FaultStats};
pub use mjpeg::{decode_jpeg, MAX_PIXELS};
pub use negotiate::{choose_format, CameraFormat, Choice, OfferedFormat, Wanted};
pub use paced::Paced;
pub use recorder::Recorder;
pub use replay::ReplaySource;
pub use source::{EncodedFrame, EncodedSource, Encoding, Frame, FrameSource};
pub use split::{JpegSplitter, Split};
pub use thread::{CaptureThread, DEFAULT_SLOTS};
pub use v4l2::{probe_formats, V4l2Source};
pub use yuyv::yuyv_to_rgb;
