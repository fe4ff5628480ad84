//! Allocation tests: this binary installs eyeswitch's counting global allocator. Counts cover
//! only threads that asked to be tracked, and the tests here take [`serial`] so that no two
//! tracked threads count at the same time.

use eyeswitch::alloc_count::CountingAllocator;
use std::sync::{Mutex, MutexGuard};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

#[path = "../common/mod.rs"]
mod common;

mod capture_alloc;
mod display_alloc;
mod gesture_alloc;
mod gesture_default_alloc;
mod hot_loop_alloc;
mod live_alloc;
mod web_alloc;

/// Held by each test for its whole run: the counters are shared by all tracked threads.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
