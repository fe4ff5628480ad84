//! Borrowed views of decoded RGB frames: what every vision stage reads.

/// A packed 8-bit RGB image, row-major, no padding.
#[derive(Debug, Clone, Copy)]
pub struct RgbView<'a> {
    pub width: usize,
    pub height: usize,
    pub data: &'a [u8],
}

impl<'a> RgbView<'a> {
    /// Wraps `data`; `None` if it is not `width * height * 3` bytes or the image is empty.
    pub fn new(width: usize, height: usize, data: &'a [u8]) -> Option<RgbView<'a>> {
        (width > 0 && height > 0 && data.len() == width * height * 3).then_some(RgbView {
            width,
            height,
            data,
        })
    }
}
