//! The one decode path for every encoded frame, camera or replay, into reused buffers.

use super::mjpeg::{decode_jpeg, MAX_PIXELS, MAX_SIDE};
use super::yuyv::yuyv_to_rgb;
use super::{DecodeError, EncodedFrame, Encoding};
use image::codecs::png::PngDecoder;
use image::{ColorType, ImageDecoder};
use std::io::Cursor;

/// Owns the RGB output buffer (and a scratch buffer for PNG pixel conversion).
///
/// Buffers grow to the largest frame seen and are then reused, so steady-state decoding of
/// YUYV allocates nothing (JPEG and PNG allocate only inside their codec crates).
#[derive(Debug, Default)]
pub struct FrameDecoder {
    rgb: Vec<u8>,
    scratch: Vec<u8>,
    width: usize,
    height: usize,
}

impl FrameDecoder {
    pub fn new() -> FrameDecoder {
        FrameDecoder::default()
    }

    /// Decodes `frame` into the internal buffer; returns its size (width, height).
    pub fn decode(&mut self, frame: &EncodedFrame<'_>) -> Result<(usize, usize), DecodeError> {
        let (width, height) = match frame.encoding {
            Encoding::Yuyv {
                width,
                height,
                stride,
            } => {
                check_size(width, height)?;
                grow(&mut self.rgb, width * height * 3);
                yuyv_to_rgb(frame.data, width, height, stride, &mut self.rgb)?;
                (width, height)
            }
            Encoding::Jpeg => decode_jpeg(frame.data, &mut self.rgb)?,
            Encoding::Png => self.decode_png(frame.data)?,
        };
        self.width = width;
        self.height = height;
        Ok((width, height))
    }

    /// The last successfully decoded image, packed RGB8 (empty before the first).
    pub fn rgb(&self) -> &[u8] {
        &self.rgb[..self.width * self.height * 3]
    }

    fn decode_png(&mut self, data: &[u8]) -> Result<(usize, usize), DecodeError> {
        let decoder = PngDecoder::new(Cursor::new(data))?;
        let (w, h) = decoder.dimensions();
        let (width, height) = (w as usize, h as usize);
        check_size(width, height)?;
        let color = decoder.color_type();
        let channels = match color {
            ColorType::L8 => 1,
            ColorType::La8 => 2,
            ColorType::Rgb8 => 3,
            ColorType::Rgba8 => 4,
            other => return Err(DecodeError::PngColor(other)),
        };
        let pixels = width * height;
        grow(&mut self.rgb, pixels * 3);
        if channels == 3 {
            decoder.read_image(&mut self.rgb[..pixels * 3])?;
            return Ok((width, height));
        }
        grow(&mut self.scratch, pixels * channels);
        decoder.read_image(&mut self.scratch[..pixels * channels])?;
        for (src, dst) in self.scratch[..pixels * channels]
            .chunks_exact(channels)
            .zip(self.rgb.chunks_exact_mut(3))
        {
            // Grey (with or without alpha) repeats luma; RGBA drops alpha.
            match channels {
                1 | 2 => dst.fill(src[0]),
                _ => dst.copy_from_slice(&src[..3]),
            }
        }
        Ok((width, height))
    }
}

/// Rejects empty or absurd sizes before any buffer is sized from them: a hostile frame or
/// file must not make a small board run out of memory.
pub fn check_size(width: usize, height: usize) -> Result<(), DecodeError> {
    if width.saturating_mul(height) > MAX_PIXELS {
        return Err(DecodeError::TooManyPixels {
            width,
            height,
            max: MAX_PIXELS,
        });
    }
    if width == 0 || height == 0 || width > MAX_SIDE || height > MAX_SIDE {
        return Err(DecodeError::BadSize {
            width,
            height,
            max: MAX_SIDE,
        });
    }
    Ok(())
}

/// Grows `buf` to at least `len` bytes; never shrinks, so later frames reuse it.
fn grow(buf: &mut Vec<u8>, len: usize) {
    if buf.len() < len {
        buf.resize(len, 0);
    }
}
