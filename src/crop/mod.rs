//! The one rotated-rectangle crop that feeds every model: rect → NHWC f32 tensor, bilinear.
//!
//! MediaPipe reaches its three models through two calculators with different pixel
//! conventions; both are reproduced here so the models see what they were trained on.
//! [`crop_into`] is the one every model runs: in fixed point on AVX2 or NEON (`fixed`, with
//! `avx2` or `neon`), elsewhere a batched float sampler (`taps`). [`reference`] is the plain
//! per-sample version they must all equal bit for bit (tests and `benches/crop.rs` hold them
//! to that).

#[cfg(target_arch = "x86_64")]
mod avx2;
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
mod fixed;
#[cfg(target_arch = "aarch64")]
mod neon;
pub mod reference;
mod taps;

use crate::frame::RgbView;
use crate::geometry::RotatedRect;
use crate::inference::kernels::simd::Simd;
use taps::{Taps, BATCH};

/// What a sample outside the image reads as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Border {
    /// The nearest edge pixel (OpenCV BORDER_REPLICATE).
    Replicate,
    /// Black (OpenCV BORDER_CONSTANT with 0).
    Zero,
}

/// Where in the rect an output pixel samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampling {
    /// ImageToTensorCalculator: output pixel i samples rect coordinate i/W, and image pixel k
    /// sits at coordinate k (cv::warpPerspective on the rect's corner points).
    Corner,
    /// ImageCroppingCalculator: output pixel i samples rect coordinate (i+½)/W, and image
    /// pixel k covers [k, k+1). `supersample` > 1 averages an s×s grid per output pixel,
    /// standing in for the area-averaging resize MediaPipe applies when it shrinks a crop.
    Centre { supersample: u8 },
}

/// One crop: where, how big, and how values are mapped.
#[derive(Debug, Clone, Copy)]
pub struct CropSpec {
    pub rect: RotatedRect,
    pub out_width: usize,
    pub out_height: usize,
    pub border: Border,
    pub sampling: Sampling,
    /// Output value for a 0 pixel and for a 255 pixel.
    pub range: (f32, f32),
    /// Mirror the output left-right (the iris model only knows one eye).
    pub flip_horizontal: bool,
}

/// Where each output pixel's samples fall in the image and how their sum becomes a value,
/// shared by both crops so that both do the same float operations in the same order.
struct Grid {
    origin: [f32; 2],
    /// Image-space step for one output pixel along x and along y.
    step_x: [f32; 2],
    step_y: [f32; 2],
    /// Samples per output pixel along each axis, the first one's offset inside it, each
    /// one's further offset `k / sub`, and the shift from pixel-centre to pixel-corner
    /// coordinates.
    sub: usize,
    within: f32,
    fractions: [f32; 256],
    shift: f32,
    /// `1 / sub²`, the output value per 8-bit step, and the value of 0.
    inv_n: f32,
    scale: f32,
    low: f32,
}

impl Grid {
    /// The grid of `spec`, for an output buffer of `out_len` floats.
    ///
    /// Panics only if `out_len` is not the crop's size, which is a programming error.
    fn new(spec: &CropSpec, out_len: usize) -> Grid {
        assert_eq!(
            out_len,
            spec.out_width * spec.out_height * 3,
            "crop output buffer size"
        );
        let r = &spec.rect;
        let (sin, cos) = r.rotation.sin_cos();
        let (w_out, h_out) = (spec.out_width as f32, spec.out_height as f32);
        let (sub, within, shift) = match spec.sampling {
            Sampling::Corner => (1, 0.0, 0.0),
            Sampling::Centre { supersample } => {
                let s = supersample.max(1) as usize;
                (s, 0.5 / s as f32, -0.5)
            }
        };
        let mut fractions = [0.0; 256];
        for (k, f) in fractions.iter_mut().enumerate().take(sub) {
            *f = k as f32 / sub as f32;
        }
        Grid {
            origin: r.to_image(0.0, 0.0),
            step_x: [cos * r.width / w_out, sin * r.width / w_out],
            step_y: [-sin * r.height / h_out, cos * r.height / h_out],
            sub,
            within,
            fractions,
            shift,
            inv_n: 1.0 / (sub * sub) as f32,
            scale: (spec.range.1 - spec.range.0) / 255.0,
            low: spec.range.0,
        }
    }

    /// Output coordinate of sample `k` of `sub` inside output pixel `i`, along one axis.
    fn at(&self, i: usize, k: usize) -> f32 {
        i as f32 + self.within + self.fractions[k]
    }

    /// The image point of the sample at output coordinates (`tx`, `ty`).
    fn point(&self, tx: f32, ty: f32) -> (f32, f32) {
        (
            self.origin[0] + tx * self.step_x[0] + ty * self.step_y[0] + self.shift,
            self.origin[1] + tx * self.step_x[1] + ty * self.step_y[1] + self.shift,
        )
    }

    /// Whether the fixed-point samplers give this crop's floats exactly: every sample within
    /// 2²⁰ pixels of the image (the grid points then fit in 32-bit integers), and at most
    /// 8 × 8 samples per output pixel (their sum, at most 64 · 255 · 1024, stays under 2²⁴,
    /// where the reference's float sums are exact).
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    fn fits_fixed_point(&self, spec: &CropSpec) -> bool {
        const FAR: f32 = (1 << 20) as f32;
        let (w, h) = (spec.out_width as f32, spec.out_height as f32);
        // The grid is affine in the output coordinates, so its corners bound every sample.
        let corners = [(0.0, 0.0), (w, 0.0), (0.0, h), (w, h)];
        let near = corners.iter().all(|&(tx, ty)| {
            let (x, y) = self.point(tx, ty);
            x.abs() < FAR && y.abs() < FAR
        });
        near && self.sub <= 8
    }

    /// What an output value is: the mean of an output pixel's samples, rounded to 8 bits
    /// (MediaPipe warps 8-bit images into 8-bit images before it converts to float), mapped
    /// onto `range`.
    fn value(&self, sum: f32, round: impl Fn(f32) -> f32) -> f32 {
        round(sum * self.inv_n) * self.scale + self.low
    }
}

/// The output column of output pixel `i`: mirrored for a flipped crop.
fn column(spec: &CropSpec, i: usize) -> usize {
    if spec.flip_horizontal {
        spec.out_width - 1 - i
    } else {
        i
    }
}

/// Crops `spec.rect` out of `img` into `out` (`out_height × out_width × 3`, row-major RGB).
///
/// Panics only if `out` has the wrong length, which is a programming error.
pub fn crop_into(img: RgbView<'_>, spec: &CropSpec, out: &mut [f32]) {
    crop_with(Simd::best(), img, spec, out)
}

/// [`crop_into`] on the sampler `simd` picks: fixed point on AVX2 or NEON where the crop
/// fits it, the batched float sampler elsewhere. All give the reference's floats; tests and
/// `benches/crop.rs` run each.
pub fn crop_with(simd: Simd, img: RgbView<'_>, spec: &CropSpec, out: &mut [f32]) {
    let grid = Grid::new(spec, out.len());
    if !fixed_point(simd, img, spec, &grid, out) {
        batched(img, spec, &grid, out)
    }
}

/// The crop on `simd`'s fixed-point sampler, if it has one and the crop fits it; whether it
/// ran.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
fn fixed_point(
    simd: Simd,
    img: RgbView<'_>,
    spec: &CropSpec,
    grid: &Grid,
    out: &mut [f32],
) -> bool {
    if !grid.fits_fixed_point(spec) {
        return false;
    }
    match simd {
        #[cfg(target_arch = "x86_64")]
        Simd::Avx2Fma => avx2::Avx2::new(img, spec.border)
            .map(|sampler| fixed::crop_into(&sampler, spec, grid, out))
            .is_some(),
        #[cfg(target_arch = "aarch64")]
        Simd::Neon => neon::Neon::new(img, spec.border)
            .map(|sampler| fixed::crop_into(&sampler, spec, grid, out))
            .is_some(),
        _ => false,
    }
}

/// No fixed-point sampler on this architecture (armv7 runs the float one).
#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn fixed_point(_: Simd, _: RgbView<'_>, _: &CropSpec, _: &Grid, _: &mut [f32]) -> bool {
    false
}

/// The float sampler, a batch of samples at a time (`taps`).
fn batched(img: RgbView<'_>, spec: &CropSpec, grid: &Grid, out: &mut [f32]) {
    let w_out = spec.out_width;
    let sub = grid.sub;
    // Output pixels per batch: their samples along x all fit in one (`sub` is at most 255).
    let per_batch = BATCH / sub;
    let mut taps = Taps::default();
    let (mut xs, mut ys) = ([0.0f32; BATCH], [0.0f32; BATCH]);
    let mut sums = [[0.0f32; 3]; BATCH];
    for (j, row) in out.chunks_exact_mut(w_out * 3).enumerate() {
        for first in (0..w_out).step_by(per_batch) {
            let pixels = per_batch.min(w_out - first);
            let n = pixels * sub;
            sums[..pixels].fill([0.0; 3]);
            for b in 0..sub {
                let ty = grid.at(j, b);
                for p in 0..pixels {
                    for a in 0..sub {
                        let (x, y) = grid.point(grid.at(first + p, a), ty);
                        xs[p * sub + a] = x;
                        ys[p * sub + a] = y;
                    }
                }
                taps.place(&img, spec.border, &xs[..n], &ys[..n]);
                for (p, sum) in sums[..pixels].iter_mut().enumerate() {
                    for a in 0..sub {
                        taps.add(img.data, p * sub + a, sum);
                    }
                }
            }
            for (p, sum) in sums[..pixels].iter().enumerate() {
                let o = column(spec, first + p) * 3;
                for c in 0..3 {
                    row[o + c] = grid.value(sum[c], taps::round_half_away);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gradient(w: usize, h: usize) -> Vec<u8> {
        (0..h)
            .flat_map(|y| (0..w).flat_map(move |x| [x as u8, y as u8, 7]))
            .collect()
    }

    /// An 8 × 8 crop of the whole 8 × 8 image.
    fn whole_8x8(border: Border, sampling: Sampling, range: (f32, f32), flip: bool) -> CropSpec {
        CropSpec {
            rect: RotatedRect {
                cx: 4.0,
                cy: 4.0,
                width: 8.0,
                height: 8.0,
                rotation: 0.0,
            },
            out_width: 8,
            out_height: 8,
            border,
            sampling,
            range,
            flip_horizontal: flip,
        }
    }

    #[test]
    fn corner_sampling_hits_pixel_centres_at_integers() {
        let data = gradient(8, 8);
        let img = RgbView::new(8, 8, &data).unwrap();
        let spec = whole_8x8(Border::Zero, Sampling::Corner, (0.0, 255.0), false);
        let mut out = vec![0.0; 8 * 8 * 3];
        crop_into(img, &spec, &mut out);
        // Output pixel (3, 5) samples image coordinate (3, 5) exactly.
        let o = (5 * 8 + 3) * 3;
        assert_eq!(&out[o..o + 3], &[3.0, 5.0, 7.0]);
    }

    #[test]
    fn centre_sampling_and_flip() {
        let data = gradient(8, 8);
        let img = RgbView::new(8, 8, &data).unwrap();
        let centre = Sampling::Centre { supersample: 1 };
        let spec = whole_8x8(Border::Replicate, centre, (0.0, 1.0), true);
        let mut out = vec![0.0; 8 * 8 * 3];
        crop_into(img, &spec, &mut out);
        // Centre sampling reproduces pixel k at output k; the flip mirrors columns.
        let o = (2 * 8 + 1) * 3;
        assert!((out[o] - 6.0 / 255.0).abs() < 1e-6);
        assert!((out[o + 1] - 2.0 / 255.0).abs() < 1e-6);
    }

    #[test]
    fn zero_border_outside_the_image() {
        let data = vec![255u8; 4 * 4 * 3];
        let img = RgbView::new(4, 4, &data).unwrap();
        let spec = CropSpec {
            rect: RotatedRect {
                cx: 100.0,
                cy: 100.0,
                width: 4.0,
                height: 4.0,
                rotation: 0.3,
            },
            out_width: 2,
            out_height: 2,
            border: Border::Zero,
            sampling: Sampling::Corner,
            range: (-1.0, 1.0),
            flip_horizontal: false,
        };
        let mut out = vec![0.0; 2 * 2 * 3];
        crop_into(img, &spec, &mut out);
        assert!(out.iter().all(|v| *v == -1.0));
    }

    /// A small deterministic generator (xorshift), so the random rects repeat run to run.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> f32 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 >> 40) as f32 / (1u64 << 24) as f32
        }
        fn range(&mut self, lo: f32, hi: f32) -> f32 {
            lo + (hi - lo) * self.next()
        }
    }

    #[test]
    fn the_crop_equals_the_reference_bit_for_bit_on_a_real_photo() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/stills/mpl__grace_hopper.jpg"
        );
        let jpeg = std::fs::read(path).unwrap();
        let mut rgb = Vec::new();
        let (w, h) = crate::capture::decode_jpeg(&jpeg, &mut rgb).unwrap();
        let img = RgbView::new(w, h, &rgb).unwrap();
        let (wf, hf) = (w as f32, h as f32);
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let samplings = [
            Sampling::Corner,
            Sampling::Centre { supersample: 1 },
            Sampling::Centre { supersample: 2 },
            Sampling::Centre { supersample: 4 },
        ];
        for n in 0..240 {
            let side = rng.range(4.0, 1.5 * wf);
            let spec = CropSpec {
                // Centres from well outside the photo to well inside, any angle.
                rect: RotatedRect {
                    cx: rng.range(-0.5 * wf, 1.5 * wf),
                    cy: rng.range(-0.5 * hf, 1.5 * hf),
                    width: side,
                    height: side * rng.range(0.5, 1.5),
                    rotation: rng.range(-3.2, 3.2),
                },
                // Rows of more samples than a batch (160 × 2, 96 × 4) take several batches.
                out_width: [160, 96, 16, 7][n % 4],
                out_height: [160, 64, 16, 5][n % 4],
                border: if n % 3 == 0 {
                    Border::Zero
                } else {
                    Border::Replicate
                },
                sampling: samplings[(n / 4) % 4],
                range: if n % 2 == 0 { (0.0, 1.0) } else { (-1.0, 1.0) },
                flip_horizontal: n % 5 == 0,
            };
            let len = spec.out_width * spec.out_height * 3;
            let mut slow = vec![0.0; len];
            reference::crop_into(img, &spec, &mut slow);
            for simd in Simd::available() {
                let mut fast = vec![0.0; len];
                crop_with(simd, img, &spec, &mut fast);
                let differ = fast
                    .iter()
                    .zip(&slow)
                    .position(|(a, b)| a.to_bits() != b.to_bits());
                assert_eq!(
                    differ,
                    None,
                    "crop {n} on {} differs from the reference: {spec:?}",
                    simd.name()
                );
            }
        }
    }
}
