//! The GPIO lines, if GPIO output is configured: the chip opens and every line offset is on it.

use linux_embedded_hal::gpio_cdev::Chip;

use crate::config::GpioConfig;
use crate::doctor::Check;

const NAME: &str = "gpio";
/// The label `run` requests its lines under (see `output::gpio_cdev`).
const OWN_CONSUMER: &str = "eyeswitch";

pub fn check(gpio: Option<&GpioConfig>) -> Check {
    let Some(gpio) = gpio else {
        return Check::skip(NAME, "no [outputs.gpio] in the config");
    };
    let path = gpio.chip.as_path();
    if !path.exists() {
        return Check::fail(
            NAME,
            format!("{} does not exist", path.display()),
            "list the GPIO chips with `gpiodetect` (package gpiod) and set [outputs.gpio] chip; the board profile names the header's chip",
        );
    }
    let mut chip =
        match Chip::new(path) {
            Ok(chip) => chip,
            Err(e) => return Check::fail(
                NAME,
                format!("{}: cannot open: {e}", path.display()),
                "add the user to the gpio group: sudo usermod -aG gpio $USER, then log in again",
            ),
        };
    let count = chip.num_lines();
    let mut lines: Vec<(String, u32)> = gpio
        .switch_lines()
        .into_iter()
        .map(|(switch, offset)| (format!("switch {switch}"), offset))
        .collect();
    lines.extend(gpio.feedback_line.map(|o| ("feedback".to_owned(), o)));
    for (what, offset) in &lines {
        if *offset >= count {
            return Check::fail(
                NAME,
                format!(
                    "line {offset} ({what}) is not on {}, which has lines 0..{}",
                    path.display(),
                    count.saturating_sub(1)
                ),
                format!(
                    "use an offset below {count} in [outputs.gpio]; `gpioinfo {}` lists the lines",
                    path.display()
                ),
            );
        }
        let consumer = chip
            .get_line(*offset)
            .and_then(|line| line.info())
            .ok()
            .filter(|info| info.is_used())
            .map(|info| info.consumer().unwrap_or("the kernel").to_owned());
        if let Some(holder) = consumer.filter(|c| c != OWN_CONSUMER) {
            return Check::fail(
                NAME,
                format!("line {offset} ({what}) on {} is held by {holder}", path.display()),
                "stop the program or driver holding it (`gpioinfo` shows it), or choose a free line",
            );
        }
    }
    let offsets: Vec<String> = lines.iter().map(|(w, o)| format!("{o} ({w})")).collect();
    Check::ok(
        NAME,
        format!(
            "{} has {count} lines; {} are free or held by eyeswitch",
            path.display(),
            offsets.join(", ")
        ),
    )
}
