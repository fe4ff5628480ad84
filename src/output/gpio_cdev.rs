//! Opens GPIO lines through the Linux GPIO character device for [`GpioOutput`].

use std::path::Path;
use std::time::Duration;

use linux_embedded_hal::gpio_cdev::{Chip, LineRequestFlags};
use linux_embedded_hal::CdevPin;

use crate::output::{GpioOutput, OutputError, Polarity};

/// Consumer label shown by `gpioinfo`, so a user can see who holds a line.
const CONSUMER: &str = "eyeswitch";

/// The optional feedback line: offset, polarity and flash length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeedbackLine {
    pub offset: u32,
    pub polarity: Polarity,
    pub flash: Duration,
}

/// Requests `(switch, line offset)` lines on `chip` as outputs, already at their inactive level.
pub fn open(
    chip_path: &Path,
    switches: &[(u8, u32)],
    polarity: Polarity,
    feedback: Option<FeedbackLine>,
) -> Result<GpioOutput<CdevPin>, OutputError> {
    let name = format!("gpio {}", chip_path.display());
    let mut chip = Chip::new(chip_path).map_err(|e| OutputError::GpioChip {
        output: name.clone(),
        chip: chip_path.to_owned(),
        detail: e.to_string(),
    })?;
    let mut pins = Vec::with_capacity(switches.len());
    for &(switch, offset) in switches {
        pins.push((
            switch,
            request(&mut chip, chip_path, &name, offset, polarity)?,
        ));
    }
    let out = GpioOutput::new(name.clone(), pins, polarity)?;
    match feedback {
        Some(fb) => {
            let pin = request(&mut chip, chip_path, &name, fb.offset, fb.polarity)?;
            out.with_feedback(pin, fb.polarity, fb.flash)
        }
        None => Ok(out),
    }
}

fn request(
    chip: &mut Chip,
    chip_path: &Path,
    name: &str,
    offset: u32,
    polarity: Polarity,
) -> Result<CdevPin, OutputError> {
    let error = |detail: String| OutputError::Gpio {
        output: name.to_owned(),
        chip: chip_path.to_owned(),
        line: offset,
        detail,
    };
    let inactive = u8::from(polarity.level(false));
    let handle = chip
        .get_line(offset)
        .and_then(|line| line.request(LineRequestFlags::OUTPUT, inactive, CONSUMER))
        .map_err(|e| error(e.to_string()))?;
    CdevPin::new(handle).map_err(|e| error(e.to_string()))
}
