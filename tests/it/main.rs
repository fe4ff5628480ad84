//! The integration tests, in one binary: every test binary links its own copy of tract, so
//! one binary per concern would multiply link time and disk use by the number of files.
//! Allocation-counting tests live apart, in `tests/alloc`, where the counting allocator is
//! installed.

#[path = "../common/mod.rs"]
mod common;

mod bad_input;
mod capture_media;
mod capture_thread;
mod cli_bench;
mod cli_calibrate;
mod cli_detect;
mod cli_doctor;
mod cli_gadget;
mod cli_help;
mod cli_replay;
mod cli_run;
mod cli_run_text;
mod config_boards;
mod config_hid_keys;
mod config_validation;
mod display_feed;
mod display_setup;
mod display_status;
mod distance;
mod doctor_checks;
mod event_text;
mod gesture_blink_dips;
mod gesture_blink_recall;
mod gesture_calibration;
mod gesture_config;
mod gesture_features;
mod gesture_gaze_default;
mod gesture_profile;
mod gesture_rules;
mod gesture_traces;
mod inference_kernels;
mod inference_ops;
mod live_stall;
mod model_errors;
mod offload_eyes;
mod output_fanout;
mod output_gpio;
mod output_hid;
mod output_serial;
mod output_setup;
mod parity_attention;
mod parity_stills;
mod prop_capture;
mod prop_cases;
mod prop_config;
mod prop_gesture;
mod replay_videos;
mod run_failsafe;
mod web_run;
mod web_server;
