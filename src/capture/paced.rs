//! A recording played at its own frame rate, as a camera would deliver it: a wrapper on any
//! [`EncodedSource`], so `run --source` sees frames arrive in real time and the camera's
//! stall, drop and release timing is exercised exactly as live.

use std::time::{Duration, Instant};

use super::{CaptureError, EncodedFrame, EncodedSource};

/// Holds each frame back until its `t_ms` has passed since the first frame was read.
#[derive(Debug)]
pub struct Paced<S> {
    source: S,
    start: Option<Instant>,
}

impl<S: EncodedSource> Paced<S> {
    pub fn new(source: S) -> Paced<S> {
        Paced {
            source,
            start: None,
        }
    }
}

impl<S: EncodedSource> EncodedSource for Paced<S> {
    fn next_encoded(&mut self) -> Result<Option<EncodedFrame<'_>>, CaptureError> {
        let frame = self.source.next_encoded()?;
        if let Some(frame) = &frame {
            // The first frame starts the clock, so a FIFO that is written to late is not rushed.
            let start = *self
                .start
                .get_or_insert_with(|| Instant::now() - Duration::from_millis(frame.t_ms));
            let due = start + Duration::from_millis(frame.t_ms);
            let wait = due.saturating_duration_since(Instant::now());
            if !wait.is_zero() {
                std::thread::sleep(wait);
            }
        }
        Ok(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::Encoding;

    /// Frames stamped every 20 ms, delivered instantly.
    struct Burst {
        index: u64,
        data: [u8; 4],
    }

    impl EncodedSource for Burst {
        fn next_encoded(&mut self) -> Result<Option<EncodedFrame<'_>>, CaptureError> {
            if self.index == 5 {
                return Ok(None);
            }
            let index = self.index;
            self.index += 1;
            Ok(Some(EncodedFrame {
                data: &self.data,
                encoding: Encoding::Jpeg,
                t_ms: index * 20,
                index,
            }))
        }
    }

    #[test]
    fn frames_arrive_at_their_timestamps() {
        let mut paced = Paced::new(Burst {
            index: 0,
            data: [0; 4],
        });
        let t0 = Instant::now();
        let mut n = 0;
        while paced.next_encoded().expect("no error").is_some() {
            n += 1;
        }
        assert_eq!(n, 5);
        assert!(
            t0.elapsed() >= Duration::from_millis(80),
            "{:?}",
            t0.elapsed()
        );
    }
}
