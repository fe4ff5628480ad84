//! Requests from the page to the frame loop: new tuning, a calibration to start or stop, test
//! mode. The server sets them; the frame loop takes them between frames without waiting.

use std::sync::{Mutex, TryLockError};

use crate::gesture;

/// What the page asked for since the frame loop last looked.
#[derive(Debug, Default)]
pub struct Requests {
    /// New `[gesture]` settings and switch mappings, already validated.
    pub tuning: Option<gesture::Config>,
    /// `Some(true)`: start a calibration of this many ms per step; `Some(false)`: cancel.
    pub calibrate: Option<Option<u32>>,
    /// Test mode on or off.
    pub test_mode: Option<bool>,
}

/// The shared requests.
#[derive(Default)]
pub struct Control(Mutex<Requests>);

impl Control {
    /// Changes the requests (the server's side; waits for the frame loop's brief look).
    pub fn request(&self, change: impl FnOnce(&mut Requests)) {
        let mut r = self.0.lock().unwrap_or_else(|p| p.into_inner());
        change(&mut r);
    }

    /// Takes whatever was asked, unless the server holds the lock this instant (the frame
    /// loop's side: it looks again after the next frame).
    pub fn take(&self) -> Option<Requests> {
        let mut r = match self.0.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return None,
        };
        if r.tuning.is_none() && r.calibrate.is_none() && r.test_mode.is_none() {
            return None;
        }
        Some(std::mem::take(&mut *r))
    }
}
