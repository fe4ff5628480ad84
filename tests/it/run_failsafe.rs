//! `run` fails safe, seen from outside as systemd and a user see it: a FIFO that stops
//! delivering frames releases the switch and says so on stdout; the watchdog is fed through
//! `NOTIFY_SOCKET`; errors exit non-zero, config errors with EX_CONFIG; `doctor` and `run`
//! give a bad `[gesture]` the same verdict.

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixDatagram;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use eyeswitch::capture::JpegSplitter;

use crate::common;
use crate::live_stall::{blink_clip, CONFIG, FPS};

fn tmp(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(name)
}

/// `CONFIG` with the models and JSON lines on stdout.
fn write_config(name: &str, extra: &str) -> PathBuf {
    let path = tmp(name);
    let text = format!(
        "{CONFIG}[models]\ndir = {:?}\n[outputs.stdout]\n{extra}",
        common::models_dir().display().to_string()
    );
    std::fs::write(&path, text).unwrap();
    path
}

fn frames_of(clip: &Path) -> Vec<Vec<u8>> {
    let file = std::fs::File::open(clip).unwrap();
    let mut splitter = JpegSplitter::new(BufReader::new(file));
    let mut frames = Vec::new();
    let mut frame = Vec::new();
    while splitter.next_into(&mut frame).unwrap().is_some() {
        frames.push(frame.clone());
    }
    frames
}

#[test]
fn a_fifo_left_open_releases_the_switch_and_reports_the_camera_on_stdout() {
    if common::emulated() {
        eprintln!("SKIPPED under emulation: the FIFO is fed in real time");
        return;
    }
    let Some(clip) = blink_clip() else { return };
    let frames = frames_of(&clip);
    let fifo = tmp("run-stall.fifo");
    let _ = std::fs::remove_file(&fifo);
    nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
    let config = write_config("run-stall.toml", "");
    let mut child = common::eyeswitch_command()
        .args(["run", "--fps", &FPS.to_string(), "--config"])
        .arg(&config)
        .arg("--source")
        .arg(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = mpsc::channel::<(Instant, serde_json::Value)>();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(v) = serde_json::from_str(&line) {
                let _ = tx.send((Instant::now(), v));
            }
        }
    });
    let pressed = Arc::new(AtomicBool::new(false));
    let resume = Arc::new(AtomicBool::new(false));
    let (p, r) = (Arc::clone(&pressed), Arc::clone(&resume));
    let fifo_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let mut w = std::fs::OpenOptions::new()
            .write(true)
            .open(&fifo_path)
            .unwrap();
        let mut sent = 0;
        for f in &frames {
            // After the press, stop writing but keep the FIFO open: a camera that hangs.
            while p.load(Ordering::SeqCst) && !r.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(5));
            }
            if w.write_all(f).is_err() {
                return sent;
            }
            sent += 1;
            std::thread::sleep(Duration::from_secs_f64(1.0 / FPS));
        }
        sent
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut press, mut release, mut lost, mut streaming_again) = (None, None, None, None);
    while Instant::now() < deadline && streaming_again.is_none() {
        let Ok((at, v)) = rx.recv_timeout(Duration::from_millis(100)) else {
            continue;
        };
        match (
            v["kind"].as_str(),
            v["action"].as_str(),
            v["status"].as_str(),
        ) {
            (Some("switch"), Some("press"), _) if press.is_none() => {
                pressed.store(true, Ordering::SeqCst);
                press = Some((at, v));
            }
            (Some("switch"), Some("release"), _) if press.is_some() && release.is_none() => {
                release = Some((at, v));
            }
            (Some("camera"), _, Some("lost")) if press.is_some() => {
                lost = Some(at);
                resume.store(true, Ordering::SeqCst);
            }
            (Some("camera"), _, Some("streaming")) if lost.is_some() => streaming_again = Some(at),
            _ => {}
        }
    }
    let ((press_at, press), (release_at, release)) = (
        press.expect("a long blink pressed the switch"),
        release.expect("the switch was released"),
    );
    let latency = release_at.duration_since(press_at);
    let stream_gap = release["t_ms"].as_u64().unwrap() - press["t_ms"].as_u64().unwrap();
    eprintln!(
        "FIFO stall: release {} ms after the press line on stdout (pulse 2000 ms), {stream_gap} ms of stream time",
        latency.as_millis()
    );
    // The last frame came at most one frame period after the press: the writer's reaction.
    let period = Duration::from_secs_f64(1.0 / FPS);
    assert!(
        latency < Duration::from_millis(300 + 100) + period,
        "{latency:?}"
    );
    assert!(lost.is_some(), "a camera lost event on stdout");
    assert!(
        streaming_again.is_some(),
        "streaming again once frames resume"
    );
    let sent = writer.join().unwrap();
    let status = child.wait().unwrap();
    assert!(sent > 100, "the whole clip was written: {sent}");
    assert!(status.success(), "the recording's end exits 0: {status:?}");
}

#[test]
fn the_watchdog_is_fed_through_notify_socket() {
    let Some(clip) = common::media("pyfeat__single_face") else {
        return;
    };
    let socket_path = tmp("notify.sock");
    let _ = std::fs::remove_file(&socket_path);
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let config = write_config("run-notify.toml", "");
    let mut child = common::eyeswitch_command()
        .args(["run", "--fps", "30", "--config"])
        .arg(&config)
        .arg("--source")
        .arg(&clip)
        .env("NOTIFY_SOCKET", &socket_path)
        // Pings every second; hung after 2 s without a turn, longer than a tracked frame takes
        // even under qemu.
        .env("WATCHDOG_USEC", "4000000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(180);
    let mut buf = [0u8; 512];
    while Instant::now() < deadline && child.try_wait().unwrap().is_none() {
        if let Ok(n) = socket.recv(&mut buf) {
            got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let ready = got.iter().position(|m| m.contains("READY=1"));
    let ping = got.iter().rposition(|m| m.contains("WATCHDOG=1"));
    assert!(
        ready.is_some() && ping > ready,
        "READY, then WATCHDOG: {got:?}"
    );
    assert!(
        got.iter()
            .any(|m| m.contains("STATUS=") && m.contains(" fps, ") && m.contains("camera")),
        "{got:?}"
    );
}

fn run_status(args: &[&str], config: Option<&Path>) -> (Option<i32>, String) {
    let mut cmd: Command = common::eyeswitch_command();
    cmd.args(args);
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_config_error_exits_78_and_a_missing_source_exits_1() {
    let bad = tmp("bad-gesture.toml");
    std::fs::write(&bad, "[gesture]\nlong_blink_ms = 0\n").unwrap();
    let (code, err) = run_status(&["run"], Some(&bad));
    assert_eq!(code, Some(78), "{err}");
    assert!(err.contains("gesture.long_blink_ms = 0"), "{err}");
    let config = write_config("run-missing-source.toml", "");
    let (code, err) = run_status(
        &["run", "--source", "/nonexistent/clip.mjpeg", "--fps", "25"],
        Some(&config),
    );
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("/nonexistent/clip.mjpeg"), "{err}");
}

#[test]
fn doctor_and_run_give_a_bad_gesture_section_the_same_verdict() {
    for (name, text, needle) in [
        (
            "unknown-key.toml",
            "[gesture]\nhold_ms = 600\n",
            "unknown field `hold_ms`",
        ),
        (
            "zero-time.toml",
            "[gesture]\nrefractory_ms = -5\n",
            "gesture.refractory_ms: invalid value: integer `-5`",
        ),
        (
            "out-of-range.toml",
            "[gesture]\ngaze_dwell_ms = 0\n",
            "gesture.gaze_dwell_ms = 0 is not allowed: use a value in 100..=5000",
        ),
    ] {
        let path = tmp(name);
        std::fs::write(&path, text).unwrap();
        let (run_code, run_err) = run_status(&["run"], Some(&path));
        let doctor = common::eyeswitch_command()
            .args(["doctor", "--config"])
            .arg(&path)
            .output()
            .unwrap();
        let doctor_out = String::from_utf8_lossy(&doctor.stdout);
        assert_eq!(run_code, Some(78), "{name}: {run_err}");
        assert!(run_err.contains(needle), "{name}: {run_err}");
        assert!(
            run_err.contains(path.to_str().unwrap()),
            "{name}: {run_err}"
        );
        assert_eq!(doctor.status.code(), Some(1), "{name}: {doctor_out}");
        let line = doctor_out
            .lines()
            .find(|l| l.starts_with("FAIL config"))
            .unwrap_or_else(|| panic!("{name}: {doctor_out}"));
        assert!(line.contains(needle), "{name}: {line}");
    }
}

#[test]
fn no_output_is_a_doctor_warning() {
    let path = tmp("no-outputs.toml");
    std::fs::write(&path, "").unwrap();
    let out = common::eyeswitch_command()
        .args(["doctor", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("WARN outputs: no output is configured")),
        "{text}"
    );
}
