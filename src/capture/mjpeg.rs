//! One JPEG (an MJPEG frame) to packed RGB with zune-jpeg, into a caller-owned buffer.

use super::decode::check_size;
use super::DecodeError;
use crate::alloc_count::foreign;
use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

/// Largest accepted width or height: above any USB camera, and it caps the buffer a corrupt
/// header can make us allocate.
pub const MAX_SIDE: usize = 8192;
/// Largest accepted image, in pixels (4096 x 4096, 16 MP): a 4K camera frame and a 12 MP phone
/// photo fit. Decoding one takes about 100 MB; a 12000 x 12000 image took 880 MB, which kills a
/// 512 MB board, so anything larger is refused from its header, before any pixel buffer exists.
pub const MAX_PIXELS: usize = 4096 * 4096;

/// Decoder options: RGB out, strict so corrupt entropy data is an error rather than grey blocks.
fn options() -> DecoderOptions {
    DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGB)
        .set_strict_mode(true)
        .set_max_width(MAX_SIDE)
        .set_max_height(MAX_SIDE)
}

/// Decodes `jpeg` into `out`, growing it only when the frame is larger than any before.
///
/// Returns the image size. zune-jpeg keeps per-image state internally, so this allocates inside
/// zune-jpeg on every call; `out` itself is reused.
pub fn decode_jpeg(jpeg: &[u8], out: &mut Vec<u8>) -> Result<(usize, usize), DecodeError> {
    if !has_end_marker(jpeg) {
        return Err(DecodeError::Truncated);
    }
    // zune-jpeg's allocations are counted as a library's (see `alloc_count`).
    let mut decoder = foreign(|| JpegDecoder::new_with_options(ZCursor::new(jpeg), options()));
    foreign(|| decoder.decode_headers())?;
    // Both are `Some` once the headers decoded; treat `None` as a corrupt frame, never unwrap.
    let (Some(info), Some(len)) = (decoder.info(), decoder.output_buffer_size()) else {
        return Err(DecodeError::Truncated);
    };
    let (width, height) = (usize::from(info.width), usize::from(info.height));
    check_size(width, height)?;
    if out.len() < len {
        out.resize(len, 0);
    }
    foreign(|| decoder.decode_into(&mut out[..len]))?;
    Ok((width, height))
}

/// True if the data ends with EOI (FF D9), ignoring the zero padding some cameras append.
///
/// zune-jpeg fills a truncated scan with grey even in strict mode; this catches it first.
fn has_end_marker(jpeg: &[u8]) -> bool {
    let end = jpeg.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    jpeg[..end].ends_with(&[0xFF, 0xD9])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_marker_ignores_zero_padding() {
        assert!(has_end_marker(&[0xFF, 0xD8, 0xFF, 0xD9]));
        assert!(has_end_marker(&[0xFF, 0xD8, 0xFF, 0xD9, 0, 0]));
        assert!(!has_end_marker(&[0xFF, 0xD8, 0x12]));
        assert!(!has_end_marker(&[]));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        let mut out = Vec::new();
        assert!(decode_jpeg(&[0xFF, 0xD8, 0xFF, 0xD9], &mut out).is_err());
        assert!(decode_jpeg(&[1, 2, 3, 0xFF, 0xD9], &mut out).is_err());
    }
}
