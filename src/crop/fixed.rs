//! The crop in fixed point, as OpenCV's remap does it: each sample's four taps weighted by
//! integers, on whichever instruction set has a [`Sampler`] (`avx2`, `neon`).
//!
//! It gives the same floats as [`super::reference`]: on the 1/32-pixel grid every tap weight
//! is `wx · wy / 1024` with integer `wx`, `wy` ≤ 32, so the reference's float sums are exact
//! and equal the integer sums here divided by 1024. [`Grid::fits_fixed_point`] keeps out the
//! crops where that would not hold.

use super::{column, CropSpec, Grid};

/// Samples per pass; a row of a crop takes several.
const BATCH: usize = 256;
/// Samples go to a sampler in groups of this many (the widest one's lanes).
pub(super) const GROUP: usize = 8;

/// The per-instruction-set part: sampling and the values of the sums.
pub(super) trait Sampler {
    /// The sums of the bilinear samples at output coordinates (`txs[k]`, `ty`), in 1024ths
    /// of an 8-bit step, as `[R, G, B, _]`. `txs` and `sums` are as long, a multiple of
    /// [`GROUP`].
    fn sample_row(&self, grid: &Grid, ty: f32, txs: &[f32], sums: &mut [[i32; 4]]);
    /// [`Grid::value`] of each channel of each sum; an even number of sums.
    fn values(&self, grid: &Grid, sums: &[[i32; 4]], values: &mut [[f32; 4]]);
}

/// The crop of `spec` into `out` through `sampler`, as [`super::crop_into`] defines it; the
/// caller has checked `grid.fits_fixed_point`.
pub(super) fn crop_into(sampler: &impl Sampler, spec: &CropSpec, grid: &Grid, out: &mut [f32]) {
    let (w_out, sub) = (spec.out_width, grid.sub);
    let per_batch = BATCH / sub;
    let mut txs = [0.0f32; BATCH];
    let mut samples = [[0i32; 4]; BATCH];
    // One spare entry, so that values are made two pixels at a time.
    let mut sums = [[0i32; 4]; BATCH + 1];
    let mut values = [[0.0f32; 4]; BATCH + 1];
    // Batches outermost: a batch's sample columns are the same on every row.
    for first in (0..w_out).step_by(per_batch) {
        let pixels = per_batch.min(w_out - first);
        let n = pixels * sub;
        for p in 0..pixels {
            for a in 0..sub {
                txs[p * sub + a] = grid.at(first + p, a);
            }
        }
        // The spare samples of the last group are at a real point, and not read.
        let padded = n.next_multiple_of(GROUP);
        let spare = txs[0];
        txs[n..padded].fill(spare);
        let (txs, samples) = (&txs[..padded], &mut samples[..padded]);
        for (j, row) in out.chunks_exact_mut(w_out * 3).enumerate() {
            let sums = if sub == 1 {
                sampler.sample_row(grid, grid.at(j, 0), txs, samples);
                &samples[..]
            } else {
                sums[..pixels].fill([0; 4]);
                for b in 0..sub {
                    sampler.sample_row(grid, grid.at(j, b), txs, samples);
                    for (sum, of_pixel) in sums[..pixels].iter_mut().zip(samples.chunks_exact(sub))
                    {
                        for s in of_pixel {
                            for c in 0..4 {
                                sum[c] += s[c];
                            }
                        }
                    }
                }
                &sums[..]
            };
            let even = pixels.next_multiple_of(2);
            sampler.values(grid, &sums[..even], &mut values[..even]);
            store(spec, first, &values[..pixels], row);
        }
    }
}

/// Puts a batch's values, from output column `first` on, into the row. Each pixel goes out
/// whole, `[R, G, B, _]`, in the order of its column, so its fourth value lands on the next
/// pixel's R before that is written; the last one, whose next column may be written
/// already, takes three.
fn store(spec: &CropSpec, first: usize, values: &[[f32; 4]], row: &mut [f32]) {
    let pixels = values.len();
    let mut put = |p: usize, len: usize| {
        let o = column(spec, first + p) * 3;
        row[o..o + len].copy_from_slice(&values[p][..len]);
    };
    if spec.flip_horizontal {
        (1..pixels).rev().for_each(|p| put(p, 4));
        put(0, 3);
    } else {
        (0..pixels - 1).for_each(|p| put(p, 4));
        put(pixels - 1, 3);
    }
}
