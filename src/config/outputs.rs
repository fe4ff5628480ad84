//! `[[switch]]` and `[outputs.*]`: which switches exist and where their presses go.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::config::ConfigError;
use crate::event::Gesture;
use crate::gesture::{can_follow, SwitchMapping, SwitchMode, PULSE_RANGE};
use crate::output::hid_keys;
use crate::output::SerialMode;

/// Highest switch number: a boot keyboard report holds six keys, so six switches can be held at
/// once on every output.
pub const MAX_SWITCH: u8 = 6;

/// One `[[switch]]`: switch `number` closes when `gesture` is made, for `pulse_ms` (`pulse`) or
/// for as long as the gesture lasts (`follow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct SwitchConfig {
    pub number: u8,
    pub gesture: Gesture,
    #[serde(default = "default_mode")]
    pub mode: SwitchMode,
    /// Only for `pulse`; `None` takes the gesture engine's default pulse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pulse_ms: Option<u32>,
}

fn default_mode() -> SwitchMode {
    SwitchMode::Pulse
}

impl SwitchConfig {
    /// The gesture engine's mapping for this switch.
    pub fn mapping(&self) -> SwitchMapping {
        let default = SwitchMapping::default();
        SwitchMapping {
            gesture: self.gesture,
            switch: self.number,
            mode: self.mode,
            pulse_ms: self.pulse_ms.unwrap_or(default.pulse_ms),
        }
    }
}

/// The default: one switch, closed by a long blink, the most deliberate gesture.
pub fn default_switches() -> Vec<SwitchConfig> {
    vec![SwitchConfig {
        number: 1,
        gesture: Gesture::LongBlink,
        mode: SwitchMode::Pulse,
        pulse_ms: None,
    }]
}

/// Every output is optional; a present table turns it on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutputsConfig {
    pub gpio: Option<GpioConfig>,
    pub serial: Option<SerialConfig>,
    pub hid: Option<HidConfig>,
    pub stdout: Option<StdoutConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GpioConfig {
    pub chip: PathBuf,
    /// Switch lines pull low when closed (typical for an optocoupler or open-collector input).
    pub active_low: bool,
    /// Switch number (as a TOML key) → line offset on `chip`.
    pub lines: BTreeMap<String, u32>,
    pub feedback_line: Option<u32>,
    pub feedback_active_low: bool,
    pub feedback_flash_ms: u32,
}

/// Longest feedback flash: longer would hide the next press.
const MAX_FLASH_MS: u32 = 2000;

impl Default for GpioConfig {
    /// 150 ms is clearly visible or audible and well shorter than two deliberate presses apart.
    fn default() -> Self {
        Self {
            chip: PathBuf::from("/dev/gpiochip0"),
            active_low: false,
            lines: BTreeMap::new(),
            feedback_line: None,
            feedback_active_low: false,
            feedback_flash_ms: 150,
        }
    }
}

impl GpioConfig {
    /// `(switch, line offset)` pairs; call after [`OutputsConfig::validate`].
    pub fn switch_lines(&self) -> Vec<(u8, u32)> {
        self.lines
            .iter()
            .filter_map(|(k, &v)| k.parse().ok().map(|s| (s, v)))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SerialConfig {
    pub device: String,
    pub baud: u32,
    pub mode: SerialMode,
}

/// Rates every USB serial adapter and microcontroller UART supports.
pub const BAUD_RATES: [u32; 5] = [9600, 19200, 38400, 57600, 115200];

impl Default for SerialConfig {
    fn default() -> Self {
        Self {
            device: "/dev/ttyUSB0".to_owned(),
            baud: 115_200,
            mode: SerialMode::Text,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HidConfig {
    pub device: PathBuf,
    pub keys: HidKeys,
}

/// `keys`: a named layout (`"ios"`) or a table of switch number → key name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HidKeys {
    /// See [`hid_keys::PRESETS`].
    Preset(String),
    /// Switch number (as a TOML key) → key name, see [`hid_keys::ALLOWED`].
    Table(BTreeMap<String, String>),
}

/// A string is a preset name, a table maps switches: say so when it is neither.
impl<'de> Deserialize<'de> for HidKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys;
        impl<'de> serde::de::Visitor<'de> for Keys {
            type Value = HidKeys;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a layout name such as \"ios\" or a table such as { 1 = \"space\" }")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<HidKeys, E> {
                Ok(HidKeys::Preset(name.to_owned()))
            }
            fn visit_map<M: serde::de::MapAccess<'de>>(self, map: M) -> Result<HidKeys, M::Error> {
                let de = serde::de::value::MapAccessDeserializer::new(map);
                BTreeMap::deserialize(de).map(HidKeys::Table)
            }
        }
        d.deserialize_any(Keys)
    }
}

impl Default for HidConfig {
    /// Switch 1 → Space, switch 2 → Enter (see [`hid_keys::SPACE`]).
    fn default() -> Self {
        Self {
            device: PathBuf::from("/dev/hidg0"),
            keys: HidKeys::Table(
                [("1", "space"), ("2", "enter")]
                    .into_iter()
                    .map(|(s, k)| (s.to_owned(), k.to_owned()))
                    .collect(),
            ),
        }
    }
}

impl HidConfig {
    /// `(switch, usage ID)` pairs; call after [`OutputsConfig::validate`].
    pub fn key_map(&self) -> Vec<(u8, u8)> {
        match &self.keys {
            HidKeys::Preset(name) => hid_keys::preset(name)
                .unwrap_or_default()
                .iter()
                .filter_map(|&(s, k)| Some((s, hid_keys::usage(k)?)))
                .collect(),
            HidKeys::Table(keys) => keys
                .iter()
                .filter_map(|(s, k)| Some((s.parse().ok()?, hid_keys::usage(k)?)))
                .collect(),
        }
    }
}

/// `[outputs.stdout]` has no settings; its presence turns JSON lines on stdout on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StdoutConfig {}

/// Checks the `[[switch]]` list: numbers in range and unique, one switch per gesture, and a mode
/// and pulse length the gesture engine accepts.
pub fn validate_switches(file: &str, switches: &[SwitchConfig]) -> Result<(), ConfigError> {
    for (i, s) in switches.iter().enumerate() {
        validate_switch_mode(file, i, s)?;
        if switches[..i].iter().any(|o| o.gesture == s.gesture) {
            return Err(ConfigError::invalid(
                file,
                format!("switch[{i}].gesture"),
                format!("{:?}", s.gesture.name()),
                "each gesture can close only one switch",
            ));
        }
        if !(1..=MAX_SWITCH).contains(&s.number) {
            return Err(ConfigError::invalid(
                file,
                format!("switch[{i}].number"),
                s.number,
                format!("use a number from 1 to {MAX_SWITCH}"),
            ));
        }
        if switches[..i].iter().any(|o| o.number == s.number) {
            return Err(ConfigError::invalid(
                file,
                format!("switch[{i}].number"),
                s.number,
                "each [[switch]] needs its own number",
            ));
        }
    }
    Ok(())
}

fn validate_switch_mode(file: &str, i: usize, s: &SwitchConfig) -> Result<(), ConfigError> {
    match (s.mode, s.pulse_ms) {
        (SwitchMode::Follow, _) if !can_follow(s.gesture) => Err(ConfigError::invalid(
            file,
            format!("switch[{i}].mode"),
            "\"follow\"",
            format!(
                "{} is over the moment it is recognised, so nothing can be held; use \"pulse\"",
                s.gesture.name()
            ),
        )),
        (SwitchMode::Follow, Some(ms)) => Err(ConfigError::invalid(
            file,
            format!("switch[{i}].pulse_ms"),
            ms,
            "mode \"follow\" releases when the gesture ends; remove pulse_ms or use mode = \"pulse\"",
        )),
        (SwitchMode::Pulse, Some(ms)) if !(PULSE_RANGE.0..=PULSE_RANGE.1).contains(&ms) => {
            Err(ConfigError::invalid(
                file,
                format!("switch[{i}].pulse_ms"),
                ms,
                format!("use a value from {} to {}", PULSE_RANGE.0, PULSE_RANGE.1),
            ))
        }
        _ => Ok(()),
    }
}

impl OutputsConfig {
    /// Whether any output is configured; without one, presses go nowhere.
    pub fn any(&self) -> bool {
        self.gpio.is_some() || self.serial.is_some() || self.hid.is_some() || self.stdout.is_some()
    }

    /// Checks every output against the defined switch numbers.
    pub fn validate(&self, file: &str, switches: &[SwitchConfig]) -> Result<(), ConfigError> {
        if let Some(gpio) = &self.gpio {
            validate_gpio(file, gpio, switches)?;
        }
        if let Some(serial) = &self.serial {
            validate_serial(file, serial)?;
        }
        if let Some(hid) = &self.hid {
            validate_hid_keys(file, &hid.keys, switches)?;
        }
        Ok(())
    }
}

/// A preset must exist (its keys for switches that are not defined are never sent); a table's
/// keys must name defined switches and known keys.
fn validate_hid_keys(
    file: &str,
    keys: &HidKeys,
    switches: &[SwitchConfig],
) -> Result<(), ConfigError> {
    let table = match keys {
        HidKeys::Preset(name) if hid_keys::preset(name).is_some() => return Ok(()),
        HidKeys::Preset(name) => {
            let names: Vec<String> = hid_keys::PRESETS
                .iter()
                .map(|(n, _)| format!("{n:?}"))
                .collect();
            return Err(ConfigError::invalid(
                file,
                "outputs.hid.keys",
                format!("{name:?}"),
                format!(
                    "use {} or a table such as {{ 1 = \"space\", 2 = \"enter\" }}",
                    names.join(", ")
                ),
            ));
        }
        HidKeys::Table(table) => table,
    };
    for (switch, key) in table {
        check_switch_key(
            file,
            "outputs.hid.keys",
            switch,
            format!("{key:?}"),
            switches,
        )?;
        if hid_keys::usage(key).is_none() {
            return Err(ConfigError::invalid(
                file,
                format!("outputs.hid.keys.{switch}"),
                format!("{key:?}"),
                format!("use {}", hid_keys::ALLOWED),
            ));
        }
    }
    Ok(())
}

fn validate_gpio(
    file: &str,
    gpio: &GpioConfig,
    switches: &[SwitchConfig],
) -> Result<(), ConfigError> {
    let mut used: Vec<u32> = Vec::new();
    for (switch, &line) in &gpio.lines {
        check_switch_key(file, "outputs.gpio.lines", switch, line, switches)?;
        if used.contains(&line) {
            return Err(ConfigError::invalid(
                file,
                format!("outputs.gpio.lines.{switch}"),
                line,
                "each switch needs its own GPIO line",
            ));
        }
        used.push(line);
    }
    if let Some(line) = gpio.feedback_line {
        if used.contains(&line) {
            return Err(ConfigError::invalid(
                file,
                "outputs.gpio.feedback_line",
                line,
                "use a line that no switch uses",
            ));
        }
    }
    if !(1..=MAX_FLASH_MS).contains(&gpio.feedback_flash_ms) {
        return Err(ConfigError::invalid(
            file,
            "outputs.gpio.feedback_flash_ms",
            gpio.feedback_flash_ms,
            format!("use a value from 1 to {MAX_FLASH_MS}"),
        ));
    }
    Ok(())
}

fn validate_serial(file: &str, serial: &SerialConfig) -> Result<(), ConfigError> {
    if !BAUD_RATES.contains(&serial.baud) {
        let list: Vec<String> = BAUD_RATES.iter().map(u32::to_string).collect();
        return Err(ConfigError::invalid(
            file,
            "outputs.serial.baud",
            serial.baud,
            format!("use one of {}", list.join(", ")),
        ));
    }
    if !serial.device.starts_with('/') {
        return Err(ConfigError::invalid(
            file,
            "outputs.serial.device",
            format!("{:?}", serial.device),
            "use an absolute path such as \"/dev/ttyUSB0\"",
        ));
    }
    Ok(())
}

/// A TOML key under `table` must be the number of a defined `[[switch]]`.
fn check_switch_key(
    file: &str,
    table: &str,
    key: &str,
    value: impl std::fmt::Display,
    switches: &[SwitchConfig],
) -> Result<(), ConfigError> {
    let defined = key
        .parse::<u8>()
        .ok()
        .is_some_and(|n| switches.iter().any(|s| s.number == n));
    if defined {
        return Ok(());
    }
    let numbers: Vec<String> = switches.iter().map(|s| s.number.to_string()).collect();
    Err(ConfigError::invalid(
        file,
        format!("{table}.{key}"),
        value,
        format!(
            "no [[switch]] has number {key}; use one of {} or add that [[switch]]",
            numbers.join(", ")
        ),
    ))
}
