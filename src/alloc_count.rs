//! A counting global allocator, so tests and `eyeswitch bench` can prove the hot loop's own
//! code allocates nothing and report what tract and the JPEG decoder allocate.
//!
//! Code that calls into a library wraps the call in [`foreign`]; allocations inside are
//! counted apart. Without the allocator installed, the counters stay at zero.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Wraps the system allocator and counts allocations (not frees).
pub struct CountingAllocator;

static OWN: AtomicU64 = AtomicU64::new(0);
static FOREIGN: AtomicU64 = AtomicU64::new(0);
static FOREIGN_BYTES: AtomicU64 = AtomicU64::new(0);

thread_local! {
    static TRACKED: Cell<bool> = const { Cell::new(false) };
    static IN_FOREIGN: Cell<bool> = const { Cell::new(false) };
}

// SAFETY: every call is forwarded unchanged to `System`; counting touches only atomics and a
// const-initialised thread-local, neither of which allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

fn count(bytes: usize) {
    // Only threads that asked are counted: a test harness or logger thread allocating at the
    // same moment must not be blamed on the hot loop.
    if !TRACKED.try_with(Cell::get).unwrap_or(false) {
        return;
    }
    if IN_FOREIGN.try_with(Cell::get).unwrap_or(false) {
        FOREIGN.fetch_add(1, Relaxed);
        FOREIGN_BYTES.fetch_add(bytes as u64, Relaxed);
    } else {
        OWN.fetch_add(1, Relaxed);
    }
}

/// Allocation counts so far, over the threads that called [`track_this_thread`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Allocations made by eyeswitch's own code.
    pub own: u64,
    /// Allocations made inside [`foreign`] calls (tract, zune-jpeg).
    pub foreign: u64,
    pub foreign_bytes: u64,
}

impl Counts {
    /// What happened between `earlier` and `self`.
    pub fn since(self, earlier: Counts) -> Counts {
        Counts {
            own: self.own - earlier.own,
            foreign: self.foreign - earlier.foreign,
            foreign_bytes: self.foreign_bytes - earlier.foreign_bytes,
        }
    }
}

impl std::ops::AddAssign for Counts {
    fn add_assign(&mut self, other: Counts) {
        self.own += other.own;
        self.foreign += other.foreign;
        self.foreign_bytes += other.foreign_bytes;
    }
}

/// Counts this thread's allocations until the returned guard is dropped (call it on the
/// thread running the hot loop). The guard matters in tests: a test thread keeps running
/// harness code after the test body, and that must not be counted against the next test.
#[must_use = "counting stops when the guard is dropped"]
pub fn track_this_thread() -> Tracking {
    TRACKED.with(|t| t.set(true));
    Tracking(std::marker::PhantomData)
}

/// Counting of one thread's allocations; ends on drop. Not `Send`: it belongs to its thread.
pub struct Tracking(std::marker::PhantomData<*const ()>);

impl Drop for Tracking {
    fn drop(&mut self) {
        let _ = TRACKED.try_with(|t| t.set(false));
    }
}

/// Whether this thread's allocations are counted; a thread it starts for the same loop (the
/// capture thread) inherits this.
pub fn is_tracked() -> bool {
    TRACKED.with(Cell::get)
}

/// The counters now.
pub fn counts() -> Counts {
    Counts {
        own: OWN.load(Relaxed),
        foreign: FOREIGN.load(Relaxed),
        foreign_bytes: FOREIGN_BYTES.load(Relaxed),
    }
}

/// Runs `f`, counting its allocations on this thread as a library's, not eyeswitch's.
pub fn foreign<T>(f: impl FnOnce() -> T) -> T {
    let outer = IN_FOREIGN.with(|c| c.replace(true));
    let out = f();
    IN_FOREIGN.with(|c| c.set(outer));
    out
}
