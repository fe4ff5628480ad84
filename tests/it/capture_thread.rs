//! The capture thread and its ring, on synthetic sources (no media, no camera needed).

use eyeswitch::capture::{
    CaptureError, CaptureThread, Decoder, EncodedFrame, EncodedSource, Encoding, FrameSource,
};
use std::time::Duration;

/// `frames` YUYV frames of 4x2 pixels; frame i has luma 16 + i % 200, neutral chroma.
struct Synthetic {
    next: u64,
    frames: u64,
    buf: [u8; 16],
}

impl Synthetic {
    fn new(frames: u64) -> Synthetic {
        Synthetic {
            next: 0,
            frames,
            buf: [0; 16],
        }
    }
}

impl EncodedSource for Synthetic {
    fn next_encoded(&mut self) -> Result<Option<EncodedFrame<'_>>, CaptureError> {
        if self.next == self.frames {
            return Ok(None);
        }
        let index = self.next;
        self.next += 1;
        let luma = 16 + (index % 200) as u8;
        for px in self.buf.chunks_exact_mut(4) {
            px.copy_from_slice(&[luma, 128, luma, 128]);
        }
        Ok(Some(EncodedFrame {
            data: &self.buf,
            encoding: Encoding::Yuyv {
                width: 4,
                height: 2,
                stride: 8,
            },
            t_ms: index * 40,
            index,
        }))
    }
}

#[test]
fn a_slow_consumer_loses_the_oldest_frames_and_they_are_counted() {
    let mut thread = CaptureThread::spawn(Synthetic::new(2000)).expect("spawn");
    let (mut received, mut next) = (0u64, 0u64);
    let mut last = None;
    while let Some(frame) = thread.next_encoded().expect("no source error") {
        assert!(
            frame.index >= next,
            "frames arrive in order, skipping only drops"
        );
        next = frame.index + 1;
        last = Some(frame.index);
        received += 1;
        if received < 20 {
            // Inference-like stall: the producer must keep going, overwriting old frames.
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    assert_eq!(
        last,
        Some(1999),
        "the newest frame is never the one dropped"
    );
    assert!(thread.dropped() > 0, "overload must drop");
    assert_eq!(received + thread.dropped(), 2000);
    thread.stop();
}

#[test]
fn frames_through_the_thread_decode_like_direct_ones() {
    let thread = CaptureThread::spawn(Synthetic::new(300)).expect("spawn");
    let mut decoder = Decoder::new(thread);
    let mut frames = 0;
    while let Some(frame) = decoder.next_frame().expect("no source error") {
        let luma = 16 + (frame.index % 200) as i32;
        // BT.601 limited range: grey level = (luma - 16) * 255 / 219.
        let want = ((luma - 16) * 255 + 109) / 219;
        assert!(frame
            .image
            .data
            .iter()
            .all(|&v| (i32::from(v) - want).abs() <= 1));
        assert_eq!(frame.t_ms, frame.index * 40);
        frames += 1;
    }
    assert!(frames > 0);
    assert_eq!(decoder.corrupt_frames(), 0);
    decoder.into_inner().stop();
}

/// A source that panics on its third frame.
struct Panics(u64, [u8; 4]);

impl EncodedSource for Panics {
    fn next_encoded(&mut self) -> Result<Option<EncodedFrame<'_>>, CaptureError> {
        self.0 += 1;
        assert!(self.0 < 3, "simulated driver bug");
        Ok(Some(EncodedFrame {
            data: &self.1,
            encoding: Encoding::Jpeg,
            t_ms: 0,
            index: self.0,
        }))
    }
}

#[test]
fn a_panicking_source_ends_the_stream_with_an_error_instead_of_hanging() {
    let mut thread = CaptureThread::spawn(Panics(0, [0; 4])).expect("spawn");
    let outcome = loop {
        match thread.next_encoded() {
            Ok(Some(_)) => continue,
            other => break other.map(|f| f.is_some()),
        }
    };
    assert!(matches!(outcome, Err(CaptureError::ThreadDied)));
}
