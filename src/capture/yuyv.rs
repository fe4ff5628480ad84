//! YUYV (YUV 4:2:2) to packed RGB, BT.601 limited range: what UVC cameras send uncompressed.

use super::DecodeError;

/// Converts one YUYV image into `out` (`width * height * 3` bytes, packed RGB8).
///
/// `stride` is the byte length of one source row (≥ `width * 2`; drivers may pad rows).
pub fn yuyv_to_rgb(
    src: &[u8],
    width: usize,
    height: usize,
    stride: usize,
    out: &mut [u8],
) -> Result<(), DecodeError> {
    let row_bytes = width * 2;
    let short = DecodeError::YuyvShort {
        len: src.len(),
        width,
        height,
        stride,
    };
    // The last row needs only `row_bytes`, not a full stride: drivers may omit the padding.
    let needed = match height.checked_sub(1) {
        Some(rows) => rows * stride + row_bytes,
        None => 0,
    };
    if width == 0
        || !width.is_multiple_of(2)
        || stride < row_bytes
        || src.len() < needed
        || out.len() < width * height * 3
    {
        return Err(short);
    }
    for (src_row, out_row) in src
        .chunks(stride)
        .zip(out.chunks_exact_mut(width * 3))
        .take(height)
    {
        for (yuyv, rgb) in src_row[..row_bytes]
            .chunks_exact(4)
            .zip(out_row.chunks_exact_mut(6))
        {
            let (u, v) = (yuyv[1], yuyv[3]);
            rgb[..3].copy_from_slice(&pixel(yuyv[0], u, v));
            rgb[3..].copy_from_slice(&pixel(yuyv[2], u, v));
        }
    }
    Ok(())
}

/// One pixel, BT.601 limited range (Y 16–235, Cb/Cr 16–240) in 8.8 fixed point.
///
/// The coefficients are the BT.601 matrix scaled by 256: 298 = 1.164·256 (luma gain),
/// 409 = 1.596·256, 100 = 0.391·256, 208 = 0.813·256, 516 = 2.018·256; +128 rounds.
fn pixel(y: u8, u: u8, v: u8) -> [u8; 3] {
    let c = 298 * (i32::from(y) - 16);
    let d = i32::from(u) - 128;
    let e = i32::from(v) - 128;
    let clamp = |x: i32| ((x + 128) >> 8).clamp(0, 255) as u8;
    [
        clamp(c + 409 * e),
        clamp(c - 100 * d - 208 * e),
        clamp(c + 516 * d),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        // Limited-range black, white, and the 75 % colour bars' red (Y 65, Cb 100, Cr 212 → ~191,0,0).
        assert_eq!(pixel(16, 128, 128), [0, 0, 0]);
        assert_eq!(pixel(235, 128, 128), [255, 255, 255]);
        assert_eq!(pixel(126, 128, 128), [128, 128, 128]);
        let [r, g, b] = pixel(65, 100, 212);
        assert!(r.abs_diff(191) <= 2 && g <= 2 && b <= 2, "{r} {g} {b}");
        // Out-of-range inputs clamp instead of wrapping.
        assert_eq!(pixel(255, 255, 255)[0], 255);
        assert_eq!(pixel(0, 0, 0)[0], 0);
    }

    #[test]
    fn converts_rows_with_padding() {
        // 2x2 image, stride 6: each row has 2 bytes of padding that must be ignored.
        let src = [16, 128, 235, 128, 9, 9, 235, 128, 16, 128, 9];
        let mut out = [7u8; 12];
        yuyv_to_rgb(&src, 2, 2, 6, &mut out).expect("valid input");
        assert_eq!(out, [0, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 0]);
    }

    #[test]
    fn rejects_short_or_odd_input() {
        let mut out = [0u8; 12];
        assert!(yuyv_to_rgb(&[0; 7], 2, 2, 4, &mut out).is_err());
        assert!(yuyv_to_rgb(&[0; 12], 3, 2, 6, &mut out).is_err());
        assert!(yuyv_to_rgb(&[0; 8], 2, 2, 3, &mut out).is_err());
        assert!(yuyv_to_rgb(&[0; 8], 0, 2, 4, &mut out).is_err());
    }
}
