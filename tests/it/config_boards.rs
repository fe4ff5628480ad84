//! Board profiles in boards/: every one parses and validates, and bad profiles are rejected with
//! the key, the value and what is allowed.

use std::path::Path;

use eyeswitch::config::board::{board_names, Board};

fn profile(name: &str) -> String {
    let path = format!("{}/boards/{name}.toml", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn every_profile_loads_from_its_file_and_is_built_in() {
    let names: Vec<&str> = board_names().collect();
    assert_eq!(
        names,
        [
            "rpi4",
            "rpi5",
            "rpi-zero2w",
            "jetson-nano",
            "jetson-orin-nano"
        ]
    );
    for name in names {
        let path = format!("{}/boards/{name}.toml", env!("CARGO_MANIFEST_DIR"));
        let board = Board::load(Path::new(&path)).unwrap();
        assert_eq!(board, Board::builtin(name).unwrap());
        assert_eq!(board.name, name);
        assert!(
            board.gpio.switch_lines.len() >= 2,
            "{name} suggests switch lines"
        );
        let otg = board.advice.iter().any(|a| a.contains("OTG port"));
        assert!(otg, "{name} says which port is the OTG port");
        let sdot = board.advice.iter().any(|a| a.contains("SDOT"));
        assert!(sdot, "{name} says whether it has SDOT");
    }
}

#[test]
fn sdot_matches_the_cores() {
    let sdot = |name| Board::builtin(name).unwrap().cpu.sdot;
    assert!(sdot("rpi5") && sdot("jetson-orin-nano"));
    assert!(!sdot("rpi4") && !sdot("rpi-zero2w") && !sdot("jetson-nano"));
}

#[test]
fn unknown_builtin_board() {
    let e = Board::builtin("beaglebone").unwrap_err().to_string();
    assert!(
        e.contains(r#"board = "beaglebone" is not allowed: use one of rpi4"#),
        "{e}"
    );
}

#[test]
fn int8_on_a_core_without_sdot_is_rejected() {
    let text = profile("rpi4").replace("face_landmark = \"f32\"", "face_landmark = \"int8\"");
    let e = Board::parse(&text, "boards/rpi4.toml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "boards/rpi4.toml: precision.face_landmark = \"int8\" is not allowed: cortex-a72 has no \
         SDOT instruction, where int8 runs slower than f32; use \"f32\""
    );
}

#[test]
fn bad_target_and_threads() {
    let text = profile("rpi5").replace("aarch64-unknown-linux-gnu", "x86_64-unknown-linux-gnu");
    let e = Board::parse(&text, "boards/rpi5.toml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "boards/rpi5.toml: target = \"x86_64-unknown-linux-gnu\" is not allowed: use one of \
         aarch64-unknown-linux-gnu, armv7-unknown-linux-gnueabihf"
    );
    let text = profile("rpi5").replace("threads = 3", "threads = 0");
    let e = Board::parse(&text, "boards/rpi5.toml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "boards/rpi5.toml: threads = 0 is not allowed: use a value from 1 to 8"
    );
}

#[test]
fn duplicate_line_offsets() {
    let text = profile("rpi4").replace("offset = 27", "offset = 17");
    let e = Board::parse(&text, "boards/rpi4.toml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "boards/rpi4.toml: gpio line offset = 17 is not allowed: each switch and the feedback \
         line need their own line"
    );
}

#[test]
fn bad_camera_in_profile() {
    let text = profile("rpi-zero2w").replace("fps = 15", "fps = 500");
    let e = Board::parse(&text, "boards/rpi-zero2w.toml")
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "boards/rpi-zero2w.toml: camera.fps = 500 is not allowed: use a value from 10 to 120"
    );
}

#[test]
fn unknown_profile_key_names_line() {
    let text = profile("rpi4").replace("[cpu]\n", "[cpu]\nclock_mhz = 1500\n");
    let e = Board::parse(&text, "boards/rpi4.toml")
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown field `clock_mhz`"), "{e}");
    assert!(e.starts_with("boards/rpi4.toml:"), "{e}");
}

#[test]
fn profile_name_must_match_file_name() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("myboard.toml");
    std::fs::write(&path, profile("rpi4")).unwrap();
    let e = Board::load(&path).unwrap_err().to_string();
    assert!(
        e.ends_with(r#"name = "rpi4" is not allowed: use "myboard", the file name without .toml"#),
        "{e}"
    );
}
