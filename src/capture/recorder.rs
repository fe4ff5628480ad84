//! Recording: a pass-through wrapper that appends every frame to an MJPEG stream file.
//!
//! The file is what `ffmpeg -f mjpeg` writes and [`ReplaySource`](super::ReplaySource) reads.
//! JPEG frames are written byte for byte (corrupt ones included, so a replay meets them too);
//! YUYV and PNG frames are encoded to JPEG first.

use super::{CaptureError, EncodedFrame, EncodedSource, Encoding, FrameDecoder};
use image::codecs::jpeg::JpegEncoder;
use image::ExtendedColorType;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// JPEG quality for re-encoded frames: visually lossless around the eyes, about 1/8 the size.
const JPEG_QUALITY: u8 = 90;

/// Wraps an [`EncodedSource`] and records what passes through.
///
/// A write error (disk full) stops the recording, not the stream: the switch must keep
/// working. [`Recorder::finish`] reports it.
#[derive(Debug)]
pub struct Recorder<S> {
    inner: S,
    path: PathBuf,
    out: BufWriter<File>,
    decoder: FrameDecoder,
    failed: Option<io::Error>,
}

impl<S: EncodedSource> Recorder<S> {
    /// Creates (or truncates) `path` and records `inner` into it.
    pub fn create(inner: S, path: impl AsRef<Path>) -> Result<Recorder<S>, CaptureError> {
        let path = path.as_ref().to_path_buf();
        let file = File::create(&path).map_err(|source| CaptureError::Record {
            path: path.clone(),
            source,
        })?;
        Ok(Recorder {
            inner,
            path,
            out: BufWriter::new(file),
            decoder: FrameDecoder::new(),
            failed: None,
        })
    }

    /// Flushes the file and returns the wrapped source, or the first write error.
    pub fn finish(mut self) -> Result<S, CaptureError> {
        let result = match self.failed.take() {
            Some(e) => Err(e),
            None => self.out.flush(),
        };
        result.map_err(|source| CaptureError::Record {
            path: self.path,
            source,
        })?;
        Ok(self.inner)
    }
}

/// Appends one frame as a JPEG. A frame that cannot be decoded for re-encoding is skipped.
fn write_frame(
    out: &mut BufWriter<File>,
    decoder: &mut FrameDecoder,
    frame: &EncodedFrame<'_>,
) -> io::Result<()> {
    if frame.encoding == Encoding::Jpeg {
        return out.write_all(frame.data);
    }
    let Ok((width, height)) = decoder.decode(frame) else {
        return Ok(());
    };
    // Sizes are checked against MAX_SIDE by the decoder, so they fit in u32.
    JpegEncoder::new_with_quality(out, JPEG_QUALITY)
        .encode(
            decoder.rgb(),
            width as u32,
            height as u32,
            ExtendedColorType::Rgb8,
        )
        .map_err(io::Error::other)
}

impl<S: EncodedSource> EncodedSource for Recorder<S> {
    fn next_encoded(&mut self) -> Result<Option<EncodedFrame<'_>>, CaptureError> {
        let Some(frame) = self.inner.next_encoded()? else {
            return Ok(None);
        };
        if self.failed.is_none() {
            if let Err(e) = write_frame(&mut self.out, &mut self.decoder, &frame) {
                log::error!(
                    "recording to {} stopped: {e}; the camera keeps running",
                    self.path.display()
                );
                self.failed = Some(e);
            }
        }
        Ok(Some(frame))
    }
}
