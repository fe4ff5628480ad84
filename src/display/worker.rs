//! The display thread: shows the slot's latest status at a bounded rate, so a slow I2C screen
//! never delays the camera pipeline, and a failing one never stops it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::display::{DisplayError, Page, Screen, StatusModel, StatusSlot};

/// Time between screen updates: 10 Hz reads as live, and a full SSD1306 frame takes about 25 ms
/// on 400 kHz I2C, so the bus stays mostly idle.
pub const REFRESH: Duration = Duration::from_millis(100);

/// A running display thread; dropping it stops the thread.
pub struct DisplayThread {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl DisplayThread {
    /// Shows the slot's model on `screen` whenever it or its [`Page`] changed, at most once per
    /// `period`.
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
                let started = Instant::now();
                let mut seen = None;
                let mut latest: Option<StatusModel> = None;
                let mut failing = false;
                while !stopped.load(Ordering::Acquire) {
                    let newer = slot.newer_than(&mut seen);
                    let changed = newer.is_some();
                    latest = newer.or(latest);
                    if let Some(model) = latest.as_mut() {
                        let page = Page::at(started.elapsed(), model);
                        if changed || page != model.page {
                            model.page = page;
                            failing = show(screen.as_mut(), model, failing);
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

/// Shows `model`, logging a failure once per outage (not ten times a second) and the recovery;
/// returns whether the screen is failing.
fn show(screen: &mut dyn Screen, model: &StatusModel, failing: bool) -> bool {
    match screen.show(model) {
        Ok(()) if failing => {
            log::info!("display: working again");
            false
        }
        Ok(()) => false,
        Err(e) if !failing => {
            log::error!(
                "display: {e}; the switch keeps working, the screen is retried on every update"
            );
            true
        }
        Err(_) => true,
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
