//! Key names accepted in the config, their USB HID usage IDs (HID Usage Tables, page 0x07), and
//! the named key layouts (`keys = "ios"`).
//!
//! iOS Switch Control has no default key: it learns whichever key arrives while the user adds
//! the switch (Settings → Accessibility → Switch Control → Switches → Add New Switch → External),
//! so any key works for one switch there.

/// Usage ID of Space, the default key of switch 1: what USB switch interfaces commonly send,
/// and what AAC software takes as a switch by default.
pub const SPACE: u8 = 0x2C;
/// Usage ID of Enter, the default key of switch 2, for the same reason.
pub const ENTER: u8 = 0x28;

/// Named layouts for `keys = "<name>"`: switch number → key name.
///
/// `ios`: two-switch manual scanning on iPadOS 13 and later misbehaves when the switches are
/// learned from Space and Enter, and works with `1` and `2`.
pub const PRESETS: &[(&str, &[(u8, &str)])] = &[("ios", &[(1, "1"), (2, "2")])];

/// The layout called `name` (see [`PRESETS`]).
pub fn preset(name: &str) -> Option<&'static [(u8, &'static str)]> {
    PRESETS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|&(_, keys)| keys)
}

/// Named keys other than letters, digits and F-keys.
const NAMED: &[(&str, u8)] = &[
    ("space", SPACE),
    ("enter", ENTER),
    ("escape", 0x29),
    ("backspace", 0x2A),
    ("tab", 0x2B),
    ("page_up", 0x4B),
    ("page_down", 0x4E),
    ("right", 0x4F),
    ("left", 0x50),
    ("down", 0x51),
    ("up", 0x52),
];

/// Usage ID of `a`; `b`..`z` follow.
const LETTER_A: u8 = 0x04;
/// Usage ID of `1`; `2`..`9` then `0` follow.
const DIGIT_1: u8 = 0x1E;
/// Usage ID of `0`, which comes after `9`.
const DIGIT_0: u8 = 0x27;
/// Usage ID of F1; F2..F12 follow.
const F1: u8 = 0x3A;

/// The allowed names, for error messages.
pub const ALLOWED: &str = "a letter a..z, a digit 0..9, f1..f12, or one of space, enter, escape, \
backspace, tab, page_up, page_down, right, left, down, up";

/// The usage ID for a key name such as `space`, `a`, `7` or `f5` (lower case).
pub fn usage(name: &str) -> Option<u8> {
    if let Some(&(_, id)) = NAMED.iter().find(|(n, _)| *n == name) {
        return Some(id);
    }
    match name.as_bytes() {
        [c @ b'a'..=b'z'] => Some(LETTER_A + (c - b'a')),
        [b'0'] => Some(DIGIT_0),
        [c @ b'1'..=b'9'] => Some(DIGIT_1 + (c - b'1')),
        // Digits only, no leading zero or sign: "f1".."f12".
        [b'f', b'1'..=b'9', rest @ ..] if rest.iter().all(u8::is_ascii_digit) => {
            match name[1..].parse::<u8>() {
                Ok(n @ 1..=12) => Some(F1 + (n - 1)),
                _ => None,
            }
        }
        _ => None,
    }
}
