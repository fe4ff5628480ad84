//! The latest status, handed from the frame loop to the display thread: the loop overwrites it,
//! the display thread reads it at its own rate, and neither ever waits for the other.

use std::sync::{Arc, Mutex, MutexGuard, TryLockError};

use crate::display::StatusModel;
use crate::event::Event;

/// The model and a counter bumped on every change, so the reader skips unchanged frames.
#[derive(Default)]
struct Latest {
    model: StatusModel,
    version: u64,
}

/// A shared latest-value slot; clones share the same slot.
#[derive(Clone, Default)]
pub struct StatusSlot(Arc<Mutex<Latest>>);

impl StatusSlot {
    pub fn new() -> Self {
        Self::default()
    }

    /// Stores `model` unless the reader holds the slot at this instant; never waits. Returns
    /// whether it was stored: the caller keeps its own model, so a skipped store is made good
    /// by the next one.
    pub fn offer(&self, model: &StatusModel) -> bool {
        let mut latest = match self.0.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return false,
        };
        latest.model = *model;
        latest.version = latest.version.wrapping_add(1);
        true
    }

    /// Applies `event` to the stored model, waiting briefly for the lock: for rare events from
    /// other threads, such as the camera's status.
    pub fn apply(&self, event: &Event) {
        let mut latest = self.lock();
        latest.model.apply(event);
        latest.version = latest.version.wrapping_add(1);
    }

    /// The stored model if it changed since `seen`, which is then updated.
    pub fn newer_than(&self, seen: &mut Option<u64>) -> Option<StatusModel> {
        let latest = self.lock();
        if *seen == Some(latest.version) {
            return None;
        }
        *seen = Some(latest.version);
        Some(latest.model)
    }

    /// The writer never panics while holding the lock, but a poisoned slot still holds a whole
    /// model, so it is used as is.
    fn lock(&self) -> MutexGuard<'_, Latest> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}
