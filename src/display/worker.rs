//! The display thread: shows the slot's latest status at a bounded rate, so a slow I2C screen
//! never delays the camera pipeline, and a failing one never stops it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::display::{DisplayError, Screen, StatusSlot};

/// Time between screen updates: 10 Hz reads as live, and a full SSD1306 frame takes about 25 ms
/// on 400 kHz I2C, so the bus stays mostly idle.
pub const REFRESH: Duration = Duration::from_millis(100);

/// A running display thread; dropping it stops the thread.
pub struct DisplayThread {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DisplayThread {
    /// Shows the slot's model on `screen` whenever it changed, at most once per `period`.
    pub fn spawn(
        mut screen: Box<dyn Screen>,
        slot: StatusSlot,
        period: Duration,
    ) -> Result<Self, DisplayError> {
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = thread::Builder::new()
            .name("display".into())
            .spawn(move || {
                let mut seen = None;
                let mut failing = false;
                while !stopped.load(Ordering::Acquire) {
                    if let Some(model) = slot.newer_than(&mut seen) {
                        match screen.show(&model) {
                            Ok(()) if failing => {
                                log::info!("display: working again");
                                failing = false;
                            }
                            Ok(()) => {}
                            // Logged once per outage, not ten times a second.
                            Err(e) if !failing => {
                                log::error!("display: {e}; the switch keeps working, the screen is retried on every update");
                                failing = true;
                            }
                            Err(_) => {}
                        }
                    }
                    thread::sleep(period);
                }
            })
            .map_err(|source| DisplayError::Spawn { source })?;
        Ok(Self {
            stop,
            thread: Some(thread),
        })
    }
}

impl Drop for DisplayThread {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                log::error!("display: its thread panicked");
            }
        }
    }
}
