//! The frame loop's side of the status screen: it keeps its own [`StatusModel`], updates it
//! from events and observations, and offers it to the display thread without waiting or
//! allocating.

use crate::display::{DisplayThread, StatusModel, StatusSlot};
use crate::event::Event;
use crate::gesture::Observation;

/// Feeds a running display thread; dropping it stops the thread.
pub struct StatusFeed {
    model: StatusModel,
    slot: StatusSlot,
    _thread: DisplayThread,
}

impl StatusFeed {
    pub fn new(slot: StatusSlot, thread: DisplayThread) -> Self {
        Self {
            model: StatusModel::new(),
            slot,
            _thread: thread,
        }
    }

    /// The slot, for threads that report rare events of their own (the camera's status).
    pub fn slot(&self) -> StatusSlot {
        self.slot.clone()
    }

    /// The setup page's URL, once at start: the screen shows it while no face is tracked.
    pub fn set_setup_url(&mut self, url: &str) {
        self.model.set_setup_url(url);
        if let Some(code) = self.model.setup().filter(|c| c.qr().is_none()) {
            log::warn!(
                "status screen: the setup page's URL does not fit a readable QR code on 128×64; it shows {} as text (a shorter host name fits)",
                code.address()
            );
        }
        self.slot.offer(&self.model);
    }

    /// One event from the gesture engine.
    pub fn event(&mut self, event: &Event) {
        self.model.apply(event);
    }

    /// A line for the user in place of the last event, e.g. a calibration prompt; shown at once.
    pub fn prompt(&mut self, text: &str) {
        self.model.show(text);
        self.slot.offer(&self.model);
    }

    /// After each frame: eye bars and frame rate, then the model is offered to the display.
    pub fn frame(&mut self, observation: &Observation) {
        self.model.observe(observation);
        self.slot.offer(&self.model);
    }
}
