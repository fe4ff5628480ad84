//! Deterministic fault injection on encoded frames, to exercise the corrupt-frame path.
//!
//! Like smoltcp's `phy::FaultInjector`, it wraps a source rather than being a flag on one.
//! It works on the encoded bytes, so a corrupted MJPEG frame reaches the JPEG decoder exactly
//! as a damaged USB transfer would.

use super::{CaptureError, EncodedFrame, EncodedSource};

/// What fraction of frames to damage, in percent, and the seed that fixes which ones.
#[derive(Debug, Clone, Copy, Default)]
pub struct FaultConfig {
    pub seed: u64,
    /// Frames removed from the stream (as if the driver lost them).
    pub drop_pct: u8,
    /// Frames with a run of bytes overwritten in their second half (entropy data for a JPEG).
    pub corrupt_pct: u8,
    /// Frames cut short at a random point.
    pub truncate_pct: u8,
    /// Before the frame with this index, the source goes silent for `stall_for`, as a camera
    /// that hangs without an error does (a USB hub brown-out, a wedged driver).
    pub stall_at: Option<u64>,
    pub stall_for: std::time::Duration,
}

/// What the injector did so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FaultStats {
    pub passed: u64,
    pub dropped: u64,
    pub corrupted: u64,
    pub truncated: u64,
}

/// Wraps an [`EncodedSource`] and damages frames on a seeded schedule.
#[derive(Debug)]
pub struct FaultInjector<S> {
    inner: S,
    config: FaultConfig,
    rng: SplitMix64,
    stats: FaultStats,
    /// Damaged copy of the current frame; reused.
    buf: Vec<u8>,
}

/// Length of the overwritten run in a corrupted frame: long enough to break several JPEG
/// blocks, short enough to leave the frame's structure (and its EOI) in place.
const CORRUPT_RUN: usize = 64;

impl<S: EncodedSource> FaultInjector<S> {
    pub fn new(inner: S, config: FaultConfig) -> FaultInjector<S> {
        FaultInjector {
            inner,
            config,
            rng: SplitMix64(config.seed),
            stats: FaultStats::default(),
            // Room for any frame from the start, as the replay source has: a larger frame later
            // must not grow the buffer in the hot loop.
            buf: Vec::with_capacity(super::replay::FRAME_CAPACITY),
        }
    }

    pub fn stats(&self) -> FaultStats {
        self.stats
    }
}

impl<S: EncodedSource> EncodedSource for FaultInjector<S> {
    fn next_encoded(&mut self) -> Result<Option<EncodedFrame<'_>>, CaptureError> {
        let c = self.config;
        let (drop, corrupt, truncate) = (
            u64::from(c.drop_pct),
            u64::from(c.drop_pct) + u64::from(c.corrupt_pct),
            u64::from(c.drop_pct) + u64::from(c.corrupt_pct) + u64::from(c.truncate_pct),
        );
        loop {
            let Some(frame) = self.inner.next_encoded()? else {
                return Ok(None);
            };
            if c.stall_at == Some(frame.index) {
                std::thread::sleep(c.stall_for);
            }
            let roll = self.rng.next() % 100;
            let len = frame.data.len();
            self.buf.clear();
            if roll < drop {
                self.stats.dropped += 1;
                continue;
            } else if roll < corrupt {
                self.stats.corrupted += 1;
                self.buf.extend_from_slice(frame.data);
                // Overwrite a run in the second half, stopping short of the last two bytes (EOI).
                let start = len / 2 + self.rng.below(len / 4 + 1);
                let end = (start + CORRUPT_RUN).min(len.saturating_sub(2));
                for i in start..end {
                    self.buf[i] = self.rng.next() as u8;
                }
            } else if roll < truncate {
                self.stats.truncated += 1;
                // Keep between a tenth and nine tenths of the frame.
                let keep = len / 10 + self.rng.below(len * 8 / 10 + 1);
                self.buf.extend_from_slice(&frame.data[..keep.min(len)]);
            } else {
                self.stats.passed += 1;
                self.buf.extend_from_slice(frame.data);
            }
            let (encoding, t_ms, index) = (frame.encoding, frame.t_ms, frame.index);
            return Ok(Some(EncodedFrame {
                data: &self.buf,
                encoding,
                t_ms,
                index,
            }));
        }
    }
}

/// SplitMix64: a tiny, well-mixed deterministic generator; no rand crate needed for a schedule.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        // Constants from Steele, Lea & Flood, "Fast splittable pseudorandom number generators".
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A value in `0..n` (0 when `n` is 0); the modulo bias is irrelevant for a fault schedule.
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Encoding;

    /// Frames of 100 bytes, each filled with its own index.
    struct Counting {
        left: u64,
        buf: [u8; 100],
    }

    impl EncodedSource for Counting {
        fn next_encoded(&mut self) -> Result<Option<EncodedFrame<'_>>, CaptureError> {
            if self.left == 0 {
                return Ok(None);
            }
            self.left -= 1;
            self.buf.fill(self.left as u8);
            Ok(Some(EncodedFrame {
                data: &self.buf,
                encoding: Encoding::Jpeg,
                t_ms: 0,
                index: self.left,
            }))
        }
    }

    fn run(config: FaultConfig) -> (FaultStats, Vec<usize>) {
        let source = Counting {
            left: 1000,
            buf: [0; 100],
        };
        let mut injector = FaultInjector::new(source, config);
        let mut lens = Vec::new();
        while let Some(frame) = injector.next_encoded().expect("infallible source") {
            lens.push(frame.data.len());
        }
        (injector.stats(), lens)
    }

    #[test]
    fn schedule_is_deterministic_and_roughly_as_configured() {
        let config = FaultConfig {
            seed: 7,
            drop_pct: 10,
            corrupt_pct: 10,
            truncate_pct: 10,
            ..FaultConfig::default()
        };
        let (stats, lens) = run(config);
        assert_eq!(run(config), (stats, lens.clone()));
        assert_eq!(
            stats.passed + stats.dropped + stats.corrupted + stats.truncated,
            1000
        );
        for n in [stats.dropped, stats.corrupted, stats.truncated] {
            assert!((50..150).contains(&n), "{stats:?}");
        }
        assert_eq!(lens.len() as u64, 1000 - stats.dropped);
        let short = lens.iter().filter(|&&l| l < 100).count() as u64;
        assert_eq!(short, stats.truncated);
    }

    #[test]
    fn zero_rates_pass_everything() {
        let (stats, lens) = run(FaultConfig::default());
        assert_eq!(stats.passed, 1000);
        assert!(lens.iter().all(|&l| l == 100));
    }
}
