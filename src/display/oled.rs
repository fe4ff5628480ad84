//! A 128×64 SSD1306 OLED on Linux I2C, drawn by the same [`render`] as every other backend.

use std::path::{Path, PathBuf};

use linux_embedded_hal::I2cdev;
use ssd1306::mode::BufferedGraphicsMode;
use ssd1306::prelude::*;
use ssd1306::{I2CDisplayInterface, Ssd1306};

use crate::display::{render, DisplayError, Screen, StatusModel};

type Driver =
    Ssd1306<I2CInterface<I2cdev>, DisplaySize128x64, BufferedGraphicsMode<DisplaySize128x64>>;

pub struct Oled {
    driver: Driver,
    bus: PathBuf,
    address: u8,
}

impl Oled {
    /// Opens the I2C bus (e.g. `/dev/i2c-1`) and initialises the display at `address`.
    pub fn open(bus: &Path, address: u8) -> Result<Self, DisplayError> {
        let i2c = I2cdev::new(bus).map_err(|e| DisplayError::Oled {
            bus: bus.to_owned(),
            address,
            detail: format!(
                "cannot open the bus: {e}; enable I2C (raspi-config) and add the user to the i2c group"
            ),
        })?;
        let interface = I2CDisplayInterface::new_custom_address(i2c, address);
        let driver = Ssd1306::new(interface, DisplaySize128x64, DisplayRotation::Rotate0)
            .into_buffered_graphics_mode();
        let mut oled = Self {
            driver,
            bus: bus.to_owned(),
            address,
        };
        oled.driver
            .init()
            .map_err(|e| oled.error("initialising", &e))?;
        Ok(oled)
    }

    fn error(&self, step: &str, e: &impl std::fmt::Debug) -> DisplayError {
        DisplayError::Oled {
            bus: self.bus.clone(),
            address: self.address,
            detail: format!("{step} failed: {e:?}"),
        }
    }
}

impl Screen for Oled {
    /// Draws `model` and sends the frame over I2C.
    fn show(&mut self, model: &StatusModel) -> Result<(), DisplayError> {
        render(model, &mut self.driver).map_err(|e| self.error("drawing", &e))?;
        self.driver
            .flush()
            .map_err(|e| self.error("sending the frame", &e))
    }
}
