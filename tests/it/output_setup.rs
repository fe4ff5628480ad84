//! Starting outputs from a parsed config: the configured outputs receive the switch edges, and
//! a device that cannot be opened is reported by name.

use std::path::Path;
use std::time::{Duration, Instant};

use eyeswitch::config::Config;
use eyeswitch::event::{Event, EventKind, Gesture, SwitchAction};
use eyeswitch::output::setup::start;
use eyeswitch::output::OutputCounters;

fn edge(action: SwitchAction) -> Event {
    Event {
        t_ms: 0,
        frame: 0,
        kind: EventKind::Switch {
            switch: 1,
            action,
            gesture: Gesture::LongBlink,
        },
    }
}

#[test]
fn hid_and_stdout_from_config() {
    let device = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hidg-setup");
    std::fs::write(&device, b"").unwrap();
    let text = format!(
        "[outputs.hid]\ndevice = {:?}\nkeys = {{ 1 = \"a\" }}\n[outputs.stdout]\n",
        device.display().to_string()
    );
    let config = Config::parse(&text, "test.toml").unwrap();
    let mut fan = start(&config.outputs).unwrap();
    let names: Vec<String> = fan.counters().into_iter().map(|c| c.name).collect();
    assert_eq!(
        names,
        [format!("hid {}", device.display()), "stdout".to_owned()]
    );
    fan.send(&edge(SwitchAction::Press));
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::fs::read(&device).unwrap().len() < 16 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(2));
    }
    fan.shutdown();
    let bytes = std::fs::read(&device).unwrap();
    // The all-zero report at start (a crashed earlier run may have left a key down), key "a"
    // (0x04) down, then the all-zero report from the release on shutdown.
    let zero = [0u8; 8];
    let down = [0, 0, 0x04, 0, 0, 0, 0, 0];
    assert_eq!(bytes, [zero, down, zero].concat());
}

#[test]
fn missing_gpio_chip_is_named() {
    let text = "[outputs.gpio]\nchip = \"/nonexistent/gpiochip9\"\nlines = { 1 = 17 }\n";
    let config = Config::parse(text, "test.toml").unwrap();
    let err = start(&config.outputs).err().unwrap().to_string();
    assert!(
        err.contains("cannot open GPIO chip /nonexistent/gpiochip9"),
        "{err}"
    );
    assert!(
        !err.contains("17"),
        "the chip is at fault, not line 17: {err}"
    );
    assert!(err.contains("gpio group"), "{err}");
}

#[test]
fn missing_serial_device_is_waited_for_not_fatal() {
    let text = "[outputs.serial]\ndevice = \"/nonexistent/ttyUSB9\"\n[outputs.stdout]\n";
    let config = Config::parse(text, "test.toml").unwrap();
    let mut fan = start(&config.outputs).expect("a missing serial device must not stop start-up");
    let names: Vec<String> = fan.counters().into_iter().map(|c| c.name).collect();
    assert_eq!(names, ["serial /nonexistent/ttyUSB9", "stdout"]);
    fan.send(&edge(SwitchAction::Press));
    let deadline = Instant::now() + Duration::from_secs(5);
    // Each output has its own thread: wait for both to have handled the press.
    let handled = |c: &[OutputCounters]| c[0].failed > 0 && c[1].delivered > 0;
    while !handled(&fan.counters()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    let counters = fan.counters();
    assert_eq!(
        counters[0].failed, 1,
        "sent while the device is away: {counters:?}"
    );
    assert_eq!(
        counters[1].delivered, 1,
        "the other outputs still run: {counters:?}"
    );
    fan.shutdown();
}
