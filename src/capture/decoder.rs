//! The `Decoder` stage: any `EncodedSource` becomes a `FrameSource`, skipping corrupt frames.

use super::{CaptureError, EncodedSource, Frame, FrameDecoder, FrameSource};
use crate::frame::RgbView;

/// Decodes frames from `S`; corrupt or truncated frames are counted and skipped.
#[derive(Debug)]
pub struct Decoder<S> {
    source: S,
    decoder: FrameDecoder,
    corrupt: u64,
}

impl<S: EncodedSource> Decoder<S> {
    pub fn new(source: S) -> Decoder<S> {
        Decoder {
            source,
            decoder: FrameDecoder::new(),
            corrupt: 0,
        }
    }

    /// How many frames could not be decoded (and were skipped) so far.
    pub fn corrupt_frames(&self) -> u64 {
        self.corrupt
    }

    /// The wrapped source, e.g. to read its own counters.
    pub fn source(&self) -> &S {
        &self.source
    }

    pub fn into_inner(self) -> S {
        self.source
    }
}

impl<S: EncodedSource> FrameSource for Decoder<S> {
    fn next_frame(&mut self) -> Result<Option<Frame<'_>>, CaptureError> {
        let (width, height, t_ms, index) = loop {
            let Some(encoded) = self.source.next_encoded()? else {
                return Ok(None);
            };
            match self.decoder.decode(&encoded) {
                Ok((w, h)) => break (w, h, encoded.t_ms, encoded.index),
                Err(e) => {
                    self.corrupt += 1;
                    log::warn!("skipping frame {}: {e}", encoded.index);
                }
            }
        };
        // FrameDecoder::rgb() is exactly width * height * 3 bytes of a checked, non-empty size.
        let image = RgbView {
            width,
            height,
            data: self.decoder.rgb(),
        };
        Ok(Some(Frame { image, t_ms, index }))
    }
}
