//! What the display thread draws on: any backend that can show a [`StatusModel`].

use crate::display::{DisplayError, StatusModel};

/// A status screen backend (SSD1306, Linux framebuffer, or a test double), driven from the
/// display thread, so it may block for as long as a frame takes to send.
pub trait Screen: Send {
    /// Draws `model` and sends the whole frame to the device.
    fn show(&mut self, model: &StatusModel) -> Result<(), DisplayError>;
}
