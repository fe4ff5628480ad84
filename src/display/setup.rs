//! Opens the screen the `[display]` config section names and starts its thread.

use crate::config::{DisplayConfig, DisplayKind};
use crate::display::worker::REFRESH;
use crate::display::{
    DisplayError, DisplayThread, LinuxFramebuffer, Oled, Screen, StatusFeed, StatusSlot,
};

/// The feed for the configured screen, or `None` when `kind = "none"`.
pub fn start(config: &DisplayConfig) -> Result<Option<StatusFeed>, DisplayError> {
    let screen: Box<dyn Screen> = match config.kind {
        DisplayKind::None => return Ok(None),
        DisplayKind::Ssd1306 => Box::new(Oled::open(&config.i2c_bus, config.i2c_address)?),
        DisplayKind::Framebuffer => Box::new(LinuxFramebuffer::open(&config.fb_device)?),
    };
    let slot = StatusSlot::new();
    let thread = DisplayThread::spawn(screen, slot.clone(), REFRESH)?;
    Ok(Some(StatusFeed::new(slot, thread)))
}
