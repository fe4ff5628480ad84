//! Every config error names the file and either the line (syntax, unknown keys, bad variants) or
//! the key, the bad value and what is allowed.

use std::path::Path;

use eyeswitch::capture::CameraFormat;
use eyeswitch::config::{Config, ConfigError, DisplayKind, Precision};
use eyeswitch::gesture::{SwitchMapping, SwitchMode};
use eyeswitch::output::SerialMode;

const FILE: &str = "/etc/eyeswitch/eyeswitch.toml";

fn error(text: &str) -> String {
    match Config::parse(text, FILE) {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(e) => e.to_string(),
    }
}

/// Asserts the whole message of a validation error.
fn invalid(text: &str, key_value_allowed: &str) {
    assert_eq!(error(text), format!("{FILE}: {key_value_allowed}"));
}

#[test]
fn empty_file_gives_defaults() {
    let c = Config::parse("", FILE).unwrap();
    assert_eq!(c.origin, FILE, "messages name the file");
    assert_eq!(
        c,
        Config {
            origin: FILE.into(),
            ..Config::default()
        }
    );
    assert_eq!(c.camera.format, None, "negotiated unless asked");
    assert_eq!(c.switches.len(), 1);
    assert!(c.outputs.gpio.is_none() && c.outputs.serial.is_none());
    assert_eq!(c.display.kind, DisplayKind::None);
}

#[test]
fn example_config_parses() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config/eyeswitch.example.toml");
    let c = Config::load(Path::new(path)).unwrap();
    assert_eq!(c.board.as_deref(), Some("rpi4"));
    assert_eq!(c.switches.len(), 2);
    let gpio = c.outputs.gpio.as_ref().unwrap();
    assert_eq!(gpio.switch_lines(), vec![(1, 17), (2, 27)]);
    assert_eq!(gpio.feedback_line, Some(22));
    let serial = c.outputs.serial.as_ref().unwrap();
    assert_eq!((serial.baud, serial.mode), (115_200, SerialMode::Text));
    let hid = c.outputs.hid.as_ref().unwrap();
    assert_eq!(hid.key_map(), vec![(1, 0x2C), (2, 0x28)]);
    assert!(c.outputs.stdout.is_some());
    assert_eq!(c.precisions().unwrap().face_landmark, Precision::F32);
    assert_eq!(c.threads().unwrap(), 3);
    assert_eq!(c.board_profile().unwrap().unwrap().name, "rpi4");
}

#[test]
fn threads_and_precision_come_from_the_board_unless_set() {
    let c = Config::parse("", FILE).unwrap();
    assert_eq!(c.threads().unwrap(), 1, "no board: one core");
    for board in [
        "rpi4",
        "rpi5",
        "rpi-zero2w",
        "jetson-nano",
        "jetson-orin-nano",
    ] {
        let c = Config::parse(&format!("board = \"{board}\"\n"), FILE).unwrap();
        let profile = c.board_profile().unwrap().unwrap();
        assert_eq!(c.threads().unwrap(), profile.threads, "{board}");
        assert_eq!(c.precisions().unwrap(), profile.precision, "{board}");
    }
    let c = Config::parse(
        "board = \"rpi4\"\n[models]\nthreads = 1\n[models.precision]\niris_landmark = \"f32\"\n",
        FILE,
    )
    .unwrap();
    assert_eq!(c.threads().unwrap(), 1);
    assert_eq!(c.precisions().unwrap().iris_landmark, Precision::F32);
    invalid(
        "[models]\nthreads = 0\n",
        "models.threads = 0 is not allowed: use a value from 1 to 8",
    );
}

#[test]
fn int8_only_where_a_variant_exists() {
    let c = Config::parse(
        "[models]\nlandmarks = \"iris\"\n[models.precision]\nface_landmark = \"int8\"\n",
        FILE,
    )
    .unwrap();
    assert_eq!(c.precisions().unwrap().face_landmark, Precision::Int8);
    // The attention mesh (the default) has only f32: an int8 key for the iris pipeline's
    // models would have no effect there, so it is refused with the way out.
    let refused = "models.precision.face_landmark = \"int8\" is not allowed: this key is for the \
                   iris pipeline's models, and the landmark model is \"attention\" \
                   (models.landmarks, which defaults to it), whose model has only f32: set \
                   models.landmarks = \"iris\" to run int8, or drop the key";
    invalid("[models.precision]\nface_landmark = \"int8\"\n", refused);
    invalid(
        "[models]\nlandmarks = \"attention\"\n[models.precision]\nface_landmark = \"int8\"\n",
        refused,
    );
    let e = error("[models]\nlandmarks = \"mesh\"\n");
    assert!(
        e.contains("unknown variant `mesh`, expected `attention` or `iris`"),
        "{e}"
    );
    invalid(
        "[models.precision]\nface_detector = \"int8\"\n",
        "models.precision.face_detector = \"int8\" is not allowed: this model has no int8 \
         variant that passes the accuracy bounds (models/README.md); use \"f32\"",
    );
}

#[test]
fn bad_baud_names_key_value_and_allowed_rates() {
    invalid(
        "[outputs.serial]\nbaud = 12345\n",
        "outputs.serial.baud = 12345 is not allowed: use one of 9600, 19200, 38400, 57600, 115200",
    );
}

#[test]
fn relative_serial_device() {
    invalid(
        "[outputs.serial]\ndevice = \"ttyUSB0\"\n",
        r#"outputs.serial.device = "ttyUSB0" is not allowed: use an absolute path such as "/dev/ttyUSB0""#,
    );
}

#[test]
fn unknown_key_names_file_and_line() {
    let e = error("[camera]\nwidth = 640\nwidht = 480\n");
    assert!(
        e.starts_with(&format!("{FILE}:3:1: unknown field `widht`")),
        "{e}"
    );
    assert!(
        e.contains("widht = 480"),
        "the offending line is quoted: {e}"
    );
}

#[test]
fn unknown_section_names_file_and_line() {
    let e = error("board = \"rpi4\"\n\n[outptus.serial]\n");
    assert!(e.starts_with(&format!("{FILE}:3:")), "{e}");
    assert!(e.contains("unknown field `outptus`"), "{e}");
}

#[test]
fn syntax_error_names_file_and_line() {
    let e = error("[camera]\nfps = 30\nwidth = = 3\n");
    assert!(e.starts_with(&format!("{FILE}:3:")), "{e}");
    assert!(e.contains("width = = 3"), "{e}");
}

#[test]
fn bad_variant_names_line_and_allowed_values() {
    let e = error("[camera]\nformat = \"h264\"\n");
    assert!(e.starts_with(&format!("{FILE}:2:")), "{e}");
    assert!(
        e.contains("unknown variant `h264`, expected `yuyv` or `mjpeg`"),
        "{e}"
    );
    assert!(e.contains("format = \"h264\""), "{e}");
}

#[test]
fn bad_serial_mode_display_kind_and_precision() {
    let e = error("[outputs.serial]\nmode = \"binary\"\n");
    assert!(
        e.contains("unknown variant `binary`, expected `text` or `json`"),
        "{e}"
    );
    let e = error("[display]\nkind = \"lcd\"\n");
    assert!(e.contains("unknown variant `lcd`"), "{e}");
    assert!(e.contains("`none`, `ssd1306`, `framebuffer`"), "{e}");
    let e = error("[models.precision]\nface_landmark = \"int4\"\n");
    assert!(
        e.contains("unknown variant `int4`, expected `f32` or `int8`"),
        "{e}"
    );
}

#[test]
fn camera_ranges() {
    invalid(
        "[camera]\nwidth = 100\n",
        "camera.width = 100 is not allowed: use a value from 160 to 1920",
    );
    invalid(
        "[camera]\nheight = 4000\n",
        "camera.height = 4000 is not allowed: use a value from 120 to 1080",
    );
    invalid(
        "[camera]\nfps = 5\n",
        "camera.fps = 5 is not allowed: use a value from 10 to 120",
    );
    invalid(
        "[camera]\ndevice = \"video0\"\n",
        r#"camera.device = "video0" is not allowed: use an absolute path such as "/dev/video0""#,
    );
}

#[test]
fn unknown_board() {
    invalid(
        "board = \"rpi3\"\n",
        r#"board = "rpi3" is not allowed: use one of rpi4, rpi5, rpi-zero2w, jetson-nano, jetson-orin-nano"#,
    );
}

#[test]
fn switch_number_out_of_range() {
    invalid(
        "[[switch]]\nnumber = 7\ngesture = \"long_blink\"\n",
        "switch[0].number = 7 is not allowed: use a number from 1 to 6",
    );
    invalid(
        "[[switch]]\nnumber = 0\ngesture = \"long_blink\"\n",
        "switch[0].number = 0 is not allowed: use a number from 1 to 6",
    );
}

#[test]
fn duplicate_switch_number() {
    invalid(
        "[[switch]]\nnumber = 1\ngesture = \"long_blink\"\n\
         [[switch]]\nnumber = 1\ngesture = \"wink_left\"\n",
        "switch[1].number = 1 is not allowed: each [[switch]] needs its own number",
    );
}

#[test]
fn unknown_gesture() {
    let e = error("[[switch]]\nnumber = 1\ngesture = \"smile\"\n");
    assert!(e.starts_with(&format!("{FILE}:3:")), "{e}");
    assert!(e.contains("unknown variant `smile`"), "{e}");
}

#[test]
fn gpio_line_for_undefined_switch() {
    invalid(
        "[outputs.gpio]\nlines = { 1 = 17, 2 = 27 }\n",
        "outputs.gpio.lines.2 = 27 is not allowed: no [[switch]] has number 2; \
         use one of 1 or add that [[switch]]",
    );
}

#[test]
fn gpio_line_used_twice() {
    invalid(
        "[[switch]]\nnumber = 1\ngesture = \"long_blink\"\n\
         [[switch]]\nnumber = 2\ngesture = \"double_blink\"\n\
         [outputs.gpio]\nlines = { 1 = 17, 2 = 17 }\n",
        "outputs.gpio.lines.2 = 17 is not allowed: each switch needs its own GPIO line",
    );
}

#[test]
fn feedback_line_shared_with_a_switch() {
    invalid(
        "[outputs.gpio]\nlines = { 1 = 17 }\nfeedback_line = 17\n",
        "outputs.gpio.feedback_line = 17 is not allowed: use a line that no switch uses",
    );
}

#[test]
fn feedback_flash_length() {
    invalid(
        "[outputs.gpio]\nfeedback_flash_ms = 0\n",
        "outputs.gpio.feedback_flash_ms = 0 is not allowed: use a value from 1 to 2000",
    );
}

#[test]
fn unknown_hid_key() {
    invalid(
        "[outputs.hid]\nkeys = { 1 = \"spacebar\" }\n",
        r#"outputs.hid.keys.1 = "spacebar" is not allowed: use a letter a..z, a digit 0..9, f1..f12, or one of space, enter, escape, backspace, tab, page_up, page_down, right, left, down, up"#,
    );
}

#[test]
fn hid_key_for_undefined_switch() {
    // The default keys map switch 2, but only switch 1 exists by default.
    invalid(
        "[outputs.hid]\n",
        r#"outputs.hid.keys.2 = "enter" is not allowed: no [[switch]] has number 2; use one of 1 or add that [[switch]]"#,
    );
    let e = error("[outputs.hid]\nkeys = { one = \"space\" }\n");
    assert!(
        e.contains(r#"outputs.hid.keys.one = "space" is not allowed"#),
        "{e}"
    );
}

#[test]
fn ssd1306_address() {
    invalid(
        "[display]\nkind = \"ssd1306\"\ni2c_address = 0x27\n",
        "display.i2c_address = 0x27 is not allowed: an SSD1306 answers only on 0x3C or 0x3D",
    );
}

#[test]
fn missing_file_says_what_to_do() {
    let e = Config::load(Path::new("/nonexistent/eyeswitch.toml")).unwrap_err();
    assert!(matches!(e, ConfigError::Read { .. }));
    let e = e.to_string();
    assert!(
        e.starts_with("cannot read /nonexistent/eyeswitch.toml:"),
        "{e}"
    );
    assert!(e.contains("--config"), "{e}");
}

#[test]
fn gesture_and_face_are_typed_and_validated_with_the_rest() {
    let c = Config::parse(
        "[gesture]\nlong_blink_ms = 600\n[face]\nsettle_ms = 400\n",
        FILE,
    )
    .unwrap();
    assert_eq!(c.engine_config().gesture.long_blink_ms, 600);
    assert_eq!(c.engine_config().face.settle_ms, 400);
    let e = error("[gesture]\nhold_ms = 600\n");
    assert!(
        e.starts_with(&format!("{FILE}:2:1: unknown field `hold_ms`")),
        "{e}"
    );
    invalid(
        "[gesture]\nlong_blink_ms = 0\n",
        "gesture.long_blink_ms = 0 is not allowed: use a value in 100..=2000",
    );
    invalid(
        "[face]\nexit_score = 0.9\n",
        "face.exit_score = 0.9 is not allowed: use a value in 0..=0.5",
    );
    let e = error("[gesture]\nrefractory_ms = -5\n");
    assert!(e.contains("refractory_ms"), "{e}");
}

#[test]
fn camera_format_and_stall_release_are_honoured_settings() {
    let c = Config::parse("[camera]\nformat = \"mjpeg\"\n", FILE).unwrap();
    assert_eq!(c.camera.wanted().format, Some(CameraFormat::Mjpeg));
    assert_eq!(c.camera.stall_release_ms, 300);
    invalid(
        "[camera]\nstall_release_ms = 5000\n",
        "camera.stall_release_ms = 5000 is not allowed: use a value from 100 to 2000",
    );
}

#[test]
fn a_models_dir_that_does_not_exist_is_an_error() {
    let c = Config::parse("[models]\ndir = \"/nonexistent/models\"\n", FILE).unwrap();
    let e = c.models_dir().unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "{FILE}: models.dir = \"/nonexistent/models\" is not allowed: it is not a directory"
        )),
        "{e}"
    );
}

#[test]
fn switch_mode_and_pulse_reach_the_engine() {
    let text = "[[switch]]\nnumber = 1\ngesture = \"long_blink\"\nmode = \"follow\"\n\
                [[switch]]\nnumber = 2\ngesture = \"wink_left\"\npulse_ms = 350\n\
                [[switch]]\nnumber = 3\ngesture = \"double_blink\"\n";
    let c = Config::parse(text, FILE).unwrap();
    let engine = c.engine_config();
    let got: Vec<(u8, SwitchMode, u32)> = engine
        .switch
        .iter()
        .map(|m| (m.switch, m.mode, m.pulse_ms))
        .collect();
    let default_pulse = SwitchMapping::default().pulse_ms;
    assert_eq!(
        got,
        [
            (1, SwitchMode::Follow, default_pulse),
            (2, SwitchMode::Pulse, 350),
            (3, SwitchMode::Pulse, default_pulse),
        ]
    );
    engine.validate().unwrap();
}

#[test]
fn unknown_switch_mode_names_line_and_allowed_values() {
    let e = error("[[switch]]\nnumber = 1\ngesture = \"long_blink\"\nmode = \"toggle\"\n");
    assert!(e.starts_with(&format!("{FILE}:4:")), "{e}");
    assert!(
        e.contains("unknown variant `toggle`, expected `pulse` or `follow`"),
        "{e}"
    );
    assert!(e.contains("mode = \"toggle\""), "{e}");
}

#[test]
fn pulse_ms_out_of_range() {
    invalid(
        "[[switch]]\nnumber = 1\ngesture = \"long_blink\"\npulse_ms = 20\n",
        "switch[0].pulse_ms = 20 is not allowed: use a value from 50 to 2000",
    );
    invalid(
        "[[switch]]\nnumber = 1\ngesture = \"long_blink\"\npulse_ms = 5000\n",
        "switch[0].pulse_ms = 5000 is not allowed: use a value from 50 to 2000",
    );
}

#[test]
fn follow_needs_a_lasting_gesture() {
    invalid(
        "[[switch]]\nnumber = 1\ngesture = \"double_blink\"\nmode = \"follow\"\n",
        r#"switch[0].mode = "follow" is not allowed: double_blink is over the moment it is recognised, so nothing can be held; use "pulse""#,
    );
}

#[test]
fn pulse_ms_with_follow() {
    invalid(
        "[[switch]]\nnumber = 1\ngesture = \"wink_right\"\nmode = \"follow\"\npulse_ms = 300\n",
        r#"switch[0].pulse_ms = 300 is not allowed: mode "follow" releases when the gesture ends; remove pulse_ms or use mode = "pulse""#,
    );
}

#[test]
fn one_switch_per_gesture() {
    invalid(
        "[[switch]]\nnumber = 1\ngesture = \"long_blink\"\n\
         [[switch]]\nnumber = 2\ngesture = \"long_blink\"\n",
        r#"switch[1].gesture = "long_blink" is not allowed: each gesture can close only one switch"#,
    );
}
