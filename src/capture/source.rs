//! The two layers every capture path goes through: encoded frames, then decoded RGB frames.
//!
//! Cameras, replays and the capture thread yield [`EncodedFrame`]s; wrappers (fault injection,
//! recording) sit on that layer so they see exactly the bytes a camera sends. A
//! [`Decoder`](super::Decoder) turns any [`EncodedSource`] into a [`FrameSource`].

use super::CaptureError;
use crate::frame::RgbView;

/// How the bytes of an [`EncodedFrame`] are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Packed YUV 4:2:2 (Y0 U Y1 V), `stride` bytes per row, as V4L2 `YUYV` delivers it.
    Yuyv {
        width: usize,
        height: usize,
        stride: usize,
    },
    /// One complete JPEG image (an MJPEG camera frame or a `.jpg` file).
    Jpeg,
    /// One PNG file (image-directory replay only).
    Png,
}

/// One frame as the source delivered it, borrowed from a buffer the source owns.
#[derive(Debug, Clone, Copy)]
pub struct EncodedFrame<'a> {
    pub data: &'a [u8],
    pub encoding: Encoding,
    /// Milliseconds since the stream started.
    pub t_ms: u64,
    /// 0-based position in the stream; frames skipped later keep their number.
    pub index: u64,
}

/// A source of encoded frames. Lending: a frame borrows the source until the next call.
pub trait EncodedSource {
    /// The next frame, or `None` at the end of the stream.
    fn next_encoded(&mut self) -> Result<Option<EncodedFrame<'_>>, CaptureError>;
}

/// One decoded frame, borrowed from the decoder's buffer until the next call.
#[derive(Debug, Clone, Copy)]
pub struct Frame<'a> {
    pub image: RgbView<'a>,
    /// Milliseconds since the stream started.
    pub t_ms: u64,
    /// 0-based position in the stream; gaps mean frames were dropped or corrupt.
    pub index: u64,
}

/// A source of decoded RGB frames: what the vision pipeline reads.
pub trait FrameSource {
    /// The next frame, or `None` at the end of the stream.
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>, CaptureError>;
}

/// So a caller can choose camera or replay at run time: `Decoder<Box<dyn EncodedSource + Send>>`.
impl<S: EncodedSource + ?Sized> EncodedSource for Box<S> {
    fn next_encoded(&mut self) -> Result<Option<EncodedFrame<'_>>, CaptureError> {
        (**self).next_encoded()
    }
}
