//! Starts the outputs that the `[outputs]` config section turns on.

use std::time::Duration;

use crate::config::OutputsConfig;
use crate::output::gpio_cdev::{self, FeedbackLine};
use crate::output::hid::KeyMap;
use crate::output::{
    FanOut, HidOutput, JsonLinesOutput, OutputError, Polarity, SerialOutput, SerialSettings,
};

/// Opens every configured output and starts it on its own thread. Call with a validated config.
/// A missing serial device is waited for in the background; any other open error is returned,
/// after the outputs already started are shut down (and released).
pub fn start(outputs: &OutputsConfig) -> Result<FanOut, OutputError> {
    let mut fan = FanOut::new();
    if let Some(gpio) = &outputs.gpio {
        let feedback = gpio.feedback_line.map(|offset| FeedbackLine {
            offset,
            polarity: polarity(gpio.feedback_active_low),
            flash: Duration::from_millis(gpio.feedback_flash_ms.into()),
        });
        let lines = gpio.switch_lines();
        let out = gpio_cdev::open(&gpio.chip, &lines, polarity(gpio.active_low), feedback)?;
        fan.add(out)?;
    }
    if let Some(serial) = &outputs.serial {
        let settings = SerialSettings::new(&serial.device, serial.baud, serial.mode);
        fan.add(SerialOutput::open_or_wait(settings))?;
    }
    if let Some(hid) = &outputs.hid {
        fan.add(HidOutput::open(&hid.device, KeyMap::new(hid.key_map()))?)?;
    }
    if outputs.stdout.is_some() {
        fan.add(JsonLinesOutput::stdout())?;
    }
    Ok(fan)
}

fn polarity(active_low: bool) -> Polarity {
    if active_low {
        Polarity::ActiveLow
    } else {
        Polarity::ActiveHigh
    }
}
