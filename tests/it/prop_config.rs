//! Property test of the config parser: TOML-ish texts built from the real section and key
//! names with random values never panic, and every error names the file and either a key or a
//! line and column.

use eyeswitch::config::{Config, ConfigError};
use proptest::prelude::*;

use crate::prop_cases;

const FILE: &str = "/etc/eyeswitch/eyeswitch.toml";

/// Every section and its keys, as config/eyeswitch.example.toml documents them.
const SECTIONS: &[(&str, &[&str])] = &[
    ("", &["board"]),
    (
        "[camera]",
        &[
            "device",
            "format",
            "width",
            "height",
            "fps",
            "stall_release_ms",
            "hfov_deg",
        ],
    ),
    ("[models]", &["dir", "threads"]),
    (
        "[models.precision]",
        &["face_detector", "face_landmark", "iris_landmark"],
    ),
    (
        "[gesture]",
        &[
            "close_fraction",
            "open_fraction",
            "baseline_window",
            "baseline_min_samples",
            "long_blink_ms",
            "acceptance_time_ms",
            "wink_ms",
            "double_blink_ms",
            "max_closure_ms",
            "refractory_ms",
            "release_time_ms",
            "gaze_dwell_ms",
        ],
    ),
    ("[gaze]", &["profile"]),
    (
        "[face]",
        &["enter_score", "exit_score", "settle_ms", "lost_ms"],
    ),
    (
        "[outputs.gpio]",
        &[
            "chip",
            "active_low",
            "lines",
            "feedback_line",
            "feedback_active_low",
            "feedback_flash_ms",
        ],
    ),
    ("[outputs.serial]", &["device", "baud", "mode"]),
    ("[outputs.hid]", &["device", "keys"]),
    ("[outputs.stdout]", &[]),
    (
        "[display]",
        &["kind", "i2c_bus", "i2c_address", "fb_device"],
    ),
];

/// Any value: of every type a key may take, in and out of range, plus broken syntax.
fn any_value() -> BoxedStrategy<String> {
    prop_oneof![
        strings(),
        integers(),
        floats(),
        tables(),
        prop::sample::select(vec![
            "true",
            "false",
            "[]",
            "[1, 2]",
            "\"unterminated",
            "=",
            "[",
            "1970-01-01"
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

fn strings() -> BoxedStrategy<String> {
    prop::sample::select(vec![
        "rpi4",
        "rpi-zero2w",
        "jetson-nano",
        "nope",
        "",
        "mjpeg",
        "yuyv",
        "f32",
        "int8",
        "long_blink",
        "double_blink",
        "wink_left",
        "wink_right",
        "gaze_up",
        "pulse",
        "follow",
        "text",
        "json",
        "none",
        "ssd1306",
        "framebuffer",
        "space",
        "f13",
        "/dev/video0",
        "/dev/ttyUSB0",
        "/nonexistent/dir",
        "/tmp",
        "models",
        "\\n",
    ])
    .prop_map(|s| format!("\"{s}\""))
    .boxed()
}

/// The words a string key takes, with a wrong one now and then.
fn words_for(key: &str) -> BoxedStrategy<String> {
    let words: &[&str] = match key {
        "board" => &[
            "rpi4",
            "rpi5",
            "rpi-zero2w",
            "jetson-nano",
            "jetson-orin-nano",
            "pc",
        ],
        "format" => &["mjpeg", "yuyv"],
        "face_detector" | "face_landmark" | "iris_landmark" => &["f32", "int8"],
        "gesture" => &[
            "long_blink",
            "double_blink",
            "wink_left",
            "wink_right",
            "gaze_left",
            "gaze_up",
        ],
        "mode" => &["pulse", "follow", "text", "json"],
        "kind" => &["none", "ssd1306", "framebuffer"],
        "dir" => &["/nonexistent/dir", "/tmp", "models", ""],
        _ => &[
            "/dev/video0",
            "/dev/ttyUSB0",
            "/dev/gpiochip0",
            "/dev/hidg0",
            "/dev/i2c-1",
            "/dev/fb0",
            "/tmp/p.toml",
            "",
        ],
    };
    let words: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
    prop_oneof![8 => prop::sample::select(words), 1 => strings()].boxed()
}

fn integers() -> BoxedStrategy<String> {
    prop_oneof![
        prop::sample::select(vec![
            0i64,
            1,
            2,
            3,
            7,
            8,
            9,
            17,
            30,
            50,
            60,
            100,
            120,
            200,
            255,
            256,
            300,
            480,
            500,
            640,
            1000,
            1080,
            2000,
            5000,
            9600,
            30_000,
            115_200,
            1 << 31,
            -1,
            -300,
            i64::MAX,
            i64::MIN,
        ])
        .prop_map(|n| n.to_string()),
        prop::sample::select(vec!["0x3C", "0x3D", "0x00", "0xFF"]).prop_map(str::to_owned),
    ]
    .boxed()
}

fn floats() -> BoxedStrategy<String> {
    prop_oneof![
        (-0.5f64..1.5).prop_map(|x| format!("{x:.3}")),
        prop::sample::select(vec!["nan", "inf", "-inf", "0.0", "1e30", "60.0"])
            .prop_map(str::to_owned),
        any::<f64>().prop_map(|x| format!("{x:e}")),
    ]
    .boxed()
}

fn tables() -> BoxedStrategy<String> {
    prop::sample::select(vec![
        "{}",
        "{ 1 = 17, 2 = 27 }",
        "{ 1 = 17, 2 = 17 }",
        "{ 3 = 4 }",
        "{ 0 = 1 }",
        "{ 1 = \"space\", 2 = \"enter\" }",
        "{ 1 = \"space\", 9 = \"f13\" }",
        "{ 1 = -1 }",
    ])
    .prop_map(str::to_owned)
    .boxed()
}

/// A value of the type `key` takes, mostly; sometimes anything.
fn value_for(key: &str) -> BoxedStrategy<String> {
    let typed = if key.ends_with("_low") {
        prop::sample::select(vec!["true", "false"])
            .prop_map(str::to_owned)
            .boxed()
    } else if ["lines", "keys"].contains(&key) {
        tables()
    } else if key.contains("fraction") || key.contains("score") || key == "hfov_deg" {
        floats()
    } else if key.ends_with("_ms")
        || key.ends_with("_line")
        || key.ends_with("_window")
        || key.ends_with("_samples")
        || key.ends_with("_address")
        || ["width", "height", "fps", "threads", "baud", "number"].contains(&key)
    {
        integers()
    } else {
        words_for(key)
    };
    prop_oneof![12 => typed, 1 => any_value()].boxed()
}

/// One `key = value` line: a real key (sometimes misspelt), or a stray token.
fn line(key: &'static str) -> BoxedStrategy<String> {
    prop_oneof![
        60 => value_for(key).prop_map(move |v| format!("{key} = {v}")),
        2 => value_for(key).prop_map(move |v| format!("{key}x = {v}")),
        1 => prop::sample::select(vec!["=", "x", "[x", "\"", "# comment", ""]).prop_map(str::to_owned),
    ]
    .boxed()
}

/// One section: its header and some of its keys, each at most once.
fn section(header: &'static str, keys: &'static [&'static str]) -> BoxedStrategy<String> {
    prop::sample::subsequence(keys.to_vec(), 0..=keys.len())
        .prop_flat_map(|keys| keys.into_iter().map(line).collect::<Vec<_>>())
        .prop_map(move |lines| {
            let mut text = format!("{header}\n");
            for l in lines {
                text.push_str(&l);
                text.push('\n');
            }
            text
        })
        .boxed()
}

/// A whole file: some sections, each at most once, except `[[switch]]` (an array).
fn config_text() -> impl Strategy<Value = String> {
    let sections: Vec<BoxedStrategy<String>> = SECTIONS
        .iter()
        .map(|(header, keys)| section(header, keys))
        .collect();
    let switches = prop::collection::vec(section("[[switch]]", SWITCH_KEYS), 0..3);
    (
        prop::sample::subsequence((0..SECTIONS.len()).collect::<Vec<_>>(), 0..=SECTIONS.len()),
        sections,
        switches,
    )
        .prop_map(|(chosen, sections, switches)| {
            // The top-level keys must come before any table.
            let mut text: String = chosen.iter().map(|&i| sections[i].as_str()).collect();
            text.push_str(&switches.concat());
            text
        })
}

/// `[[switch]]` keys; a file may hold several switches.
const SWITCH_KEYS: &[&str] = &["number", "gesture", "mode", "pulse_ms"];

/// Whether `key` (as an error names it: `gesture.wink_ms`, `switch[1].number`, ...) names a
/// real key or section.
fn names_a_key(key: &str) -> bool {
    SECTIONS.iter().any(|(header, keys)| {
        let section = header.trim_matches(|c| c == '[' || c == ']');
        (!section.is_empty() && key.contains(section)) || keys.iter().any(|k| key.contains(k))
    }) || key.starts_with("switch")
}

/// Checks one error's shape; a message for the failure, if any.
fn check(err: &ConfigError, text: &str) -> Result<(), String> {
    let shown = err.to_string();
    match err {
        ConfigError::Syntax {
            file, line, column, ..
        } => {
            let lines = text.lines().count().max(1);
            let located = file == FILE && (1..=lines + 1).contains(line) && *column >= 1;
            let prefix = format!("{FILE}:{line}:{column}: ");
            (located && shown.starts_with(&prefix))
                .then_some(())
                .ok_or(shown)
        }
        ConfigError::Invalid { file, key, .. } => {
            let named =
                file == FILE && names_a_key(key) && shown.starts_with(&format!("{FILE}: {key} = "));
            named.then_some(()).ok_or(shown)
        }
        ConfigError::Read { .. } => Err(format!("parse read a file: {shown}")),
    }
}

proptest! {
    #![proptest_config(prop_cases::config())]

    #[test]
    fn config_errors_name_a_key_or_a_position(text in config_text()) {
        match Config::parse(&text, FILE) {
            Err(e) => {
                if let Err(msg) = check(&e, &text) {
                    prop_assert!(false, "{}\n--- text ---\n{}", msg, text);
                }
            }
            Ok(config) => {
                // What `run` asks of a valid config must not panic either, and its errors
                // name a key too.
                let derived = [
                    config.models_dir().err(),
                    config.board_profile().err(),
                    config.threads().err(),
                    config.precisions().err(),
                ];
                for e in derived.into_iter().flatten() {
                    if let Err(msg) = check(&e, &text) {
                        prop_assert!(false, "{}\n--- text ---\n{}", msg, text);
                    }
                }
                // One validation: what the parser accepts, the engine accepts.
                let engine = eyeswitch::gesture::Engine::new(&config.engine_config());
                prop_assert!(engine.is_ok(), "{:?}\n--- text ---\n{}", engine.err(), text);
            }
        }
    }
}
