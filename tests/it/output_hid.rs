//! USB HID keyboard reports: the bytes for each key on press and release, and the writer.

use eyeswitch::event::{Event, EventKind, Gesture, SwitchAction};
use eyeswitch::output::hid::{KeyMap, Keyboard, REPORT_LEN};
use eyeswitch::output::hid_keys::usage;
use eyeswitch::output::{HidOutput, Output};

fn edge(switch: u8, action: SwitchAction) -> Event {
    Event {
        t_ms: 0,
        frame: 0,
        kind: EventKind::Switch {
            switch,
            action,
            gesture: Gesture::LongBlink,
        },
    }
}

#[test]
fn key_names_map_to_usage_ids() {
    let cases = [
        ("space", 0x2C),
        ("enter", 0x28),
        ("escape", 0x29),
        ("backspace", 0x2A),
        ("tab", 0x2B),
        ("a", 0x04),
        ("z", 0x1D),
        ("1", 0x1E),
        ("9", 0x26),
        ("0", 0x27),
        ("f1", 0x3A),
        ("f12", 0x45),
        ("right", 0x4F),
        ("left", 0x50),
        ("down", 0x51),
        ("up", 0x52),
        ("page_up", 0x4B),
        ("page_down", 0x4E),
    ];
    for (name, id) in cases {
        assert_eq!(usage(name), Some(id), "{name}");
    }
    for bad in [
        "", "f0", "f13", "f01", "f+1", "Space", "spacebar", "ä", "f1x",
    ] {
        assert_eq!(usage(bad), None, "{bad:?}");
    }
}

#[test]
fn press_and_release_reports_for_each_key() {
    for key in [0x2C, 0x28, 0x04, 0x3A, 0x52] {
        let mut kb = Keyboard::default();
        assert_eq!(kb.press(key), [0, 0, key, 0, 0, 0, 0, 0]);
        assert_eq!(kb.release(key), [0; REPORT_LEN]);
    }
}

#[test]
fn several_held_keys_release_one_at_a_time() {
    let mut kb = Keyboard::default();
    kb.press(0x2C);
    assert_eq!(kb.press(0x28), [0, 0, 0x2C, 0x28, 0, 0, 0, 0]);
    assert_eq!(
        kb.press(0x28),
        [0, 0, 0x2C, 0x28, 0, 0, 0, 0],
        "repeat press is idempotent"
    );
    assert_eq!(
        kb.release(0x2C),
        [0, 0, 0x28, 0, 0, 0, 0, 0],
        "remaining key moves up"
    );
    assert_eq!(kb.release_all(), [0; REPORT_LEN]);
}

#[test]
fn a_seventh_key_is_ignored() {
    let mut kb = Keyboard::default();
    for key in 0x04..0x0A {
        kb.press(key);
    }
    assert_eq!(kb.press(0x0A), [0, 0, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09]);
}

#[test]
fn default_keymap_is_space_then_enter() {
    let map = KeyMap::default();
    assert_eq!(map.key(1), Some(0x2C));
    assert_eq!(map.key(2), Some(0x28));
    assert_eq!(map.key(3), None);
}

#[test]
fn writes_reports_to_the_device_file() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("hidg-test");
    std::fs::write(&path, b"").unwrap();
    let mut out = HidOutput::open(&path, KeyMap::default()).unwrap();
    out.send(&edge(1, SwitchAction::Press)).unwrap();
    out.send(&edge(2, SwitchAction::Press)).unwrap();
    out.send(&edge(1, SwitchAction::Release)).unwrap();
    out.send(&edge(3, SwitchAction::Press)).unwrap(); // no key mapped: nothing written
    let blink = Event {
        t_ms: 0,
        frame: 0,
        kind: EventKind::Blink { duration_ms: 90 },
    };
    out.send(&blink).unwrap();
    out.release_all().unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let reports: Vec<&[u8]> = bytes.chunks(REPORT_LEN).collect();
    let want: [&[u8]; 4] = [
        &[0, 0, 0x2C, 0, 0, 0, 0, 0],
        &[0, 0, 0x2C, 0x28, 0, 0, 0, 0],
        &[0, 0, 0x28, 0, 0, 0, 0, 0],
        &[0; 8],
    ];
    assert_eq!(reports, want);
}

#[test]
fn missing_device_error_names_it_and_the_fix() {
    let err = HidOutput::open("/nonexistent/hidg0", KeyMap::default())
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("/nonexistent/hidg0"), "{err}");
    assert!(err.contains("USB gadget is bound"), "{err}");
}
