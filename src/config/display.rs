//! `[display]`: the optional status screen.

use std::path::PathBuf;

use serde::Deserialize;

use crate::config::ConfigError;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DisplayKind {
    #[default]
    None,
    /// A 128×64 SSD1306 OLED on I2C.
    Ssd1306,
    /// A Linux framebuffer (HDMI or SPI screen).
    Framebuffer,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DisplayConfig {
    pub kind: DisplayKind,
    pub i2c_bus: PathBuf,
    pub i2c_address: u8,
    pub fb_device: PathBuf,
}

/// The two addresses an SSD1306 answers on, chosen by its SA0 pin.
const SSD1306_ADDRESSES: [u8; 2] = [0x3C, 0x3D];

impl Default for DisplayConfig {
    /// I2C bus 1 is the header's SDA/SCL on a Raspberry Pi; 0x3C is the usual module address.
    fn default() -> Self {
        Self {
            kind: DisplayKind::None,
            i2c_bus: PathBuf::from("/dev/i2c-1"),
            i2c_address: SSD1306_ADDRESSES[0],
            fb_device: PathBuf::from("/dev/fb0"),
        }
    }
}

impl DisplayConfig {
    pub fn validate(&self, file: &str) -> Result<(), ConfigError> {
        if self.kind == DisplayKind::Ssd1306 && !SSD1306_ADDRESSES.contains(&self.i2c_address) {
            return Err(ConfigError::invalid(
                file,
                "display.i2c_address",
                format!("0x{:02X}", self.i2c_address),
                "an SSD1306 answers only on 0x3C or 0x3D",
            ));
        }
        Ok(())
    }
}
