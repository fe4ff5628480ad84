//! Config: defaults, TOML, and `validate()` errors that name the key, the value and the range.

use eyeswitch::event::Gesture;
use eyeswitch::gesture::{Config, ConfigError, Engine, SwitchMapping, SwitchMode};

#[test]
fn defaults_are_valid_and_map_long_blink_to_a_200_ms_pulse_of_switch_1() {
    let cfg = Config::default();
    assert_eq!(cfg.validate(), Ok(()));
    assert_eq!(cfg.gesture.long_blink_ms, 500);
    assert_eq!(cfg.gesture.refractory_ms, 1000);
    assert_eq!(cfg.gesture.max_closure_ms, 5000);
    assert_eq!(cfg.gesture.gaze_dwell_ms, 600);
    assert_eq!(
        cfg.switch,
        vec![SwitchMapping {
            gesture: Gesture::LongBlink,
            switch: 1,
            mode: SwitchMode::Pulse,
            pulse_ms: 200,
        }]
    );
}

#[test]
fn out_of_range_errors_name_key_value_and_range() {
    let mut cfg = Config::default();
    cfg.gesture.long_blink_ms = 50;
    let err = cfg.validate().expect_err("50 ms is too short");
    assert_eq!(
        err.to_string(),
        "gesture.long_blink_ms = 50 is out of range: allowed 100..=2000"
    );
    assert!(Engine::new(&cfg).is_err());

    let mut cfg = Config::default();
    cfg.gesture.long_blink_ms = 2001;
    assert!(cfg.validate().is_err());

    let mut cfg = Config::default();
    cfg.gesture.close_fraction = 0.6;
    cfg.gesture.open_fraction = 0.5;
    assert_eq!(
        cfg.validate().map_err(|e| e.to_string()),
        Err("gesture.open_fraction = 0.5 is out of range: allowed 0.6..=0.95".into())
    );

    let mut cfg = Config::default();
    cfg.switch[0].pulse_ms = 10;
    assert_eq!(
        cfg.validate().map_err(|e| e.to_string()),
        Err("switch.pulse_ms = 10 is out of range: allowed 50..=2000".into())
    );

    let mut cfg = Config::default();
    cfg.gesture.max_closure_ms = 1500;
    cfg.gesture.long_blink_ms = 2000;
    assert_eq!(
        cfg.validate().map_err(|e| e.to_string()),
        Err("gesture.max_closure_ms = 1500 is out of range: allowed 2000..=30000".into())
    );
}

#[test]
fn mappings_are_checked() {
    let mut cfg = Config::default();
    cfg.switch.push(SwitchMapping::default());
    assert_eq!(
        cfg.validate(),
        Err(ConfigError::DuplicateGesture {
            gesture: Gesture::LongBlink
        })
    );

    let cfg = Config {
        switch: vec![SwitchMapping {
            gesture: Gesture::DoubleBlink,
            mode: SwitchMode::Follow,
            ..SwitchMapping::default()
        }],
        ..Config::default()
    };
    assert!(matches!(
        cfg.validate(),
        Err(ConfigError::FollowNotLasting { .. })
    ));

    let cfg = Config {
        switch: vec![SwitchMapping {
            switch: 0,
            ..SwitchMapping::default()
        }],
        ..Config::default()
    };
    assert_eq!(
        cfg.validate().map_err(|e| e.to_string()),
        Err("switch.switch = 0 is out of range: allowed 1..=255".into())
    );
}

#[test]
fn reads_toml_with_defaults_for_missing_keys() {
    let cfg: Config = toml::from_str(
        r#"
        [gesture]
        long_blink_ms = 800

        [[switch]]
        gesture = "wink_left"
        switch = 2
        mode = "follow"

        [[switch]]
        gesture = "double_blink"
        switch = 3
        pulse_ms = 100
        "#,
    )
    .expect("valid TOML");
    assert_eq!(cfg.validate(), Ok(()));
    assert_eq!(cfg.gesture.long_blink_ms, 800);
    assert_eq!(cfg.gesture.wink_ms, 500);
    assert_eq!(cfg.switch.len(), 2);
    assert_eq!(cfg.switch[0].mode, SwitchMode::Follow);
    assert_eq!(cfg.switch[1].mode, SwitchMode::Pulse);

    let text = toml::to_string(&cfg).expect("serialises");
    assert_eq!(toml::from_str::<Config>(&text).expect("round trip"), cfg);

    assert!(toml::from_str::<Config>("[gesture]\nlong_blink = 800\n").is_err());
}
