//! Real-kernel tests: the capture and output code against real Linux drivers, inside a QEMU VM
//! that `scripts/vm-test` boots (vivid for V4L2; dummy_hcd + usb_f_hid + usbhid for the HID
//! gadget, on x86_64; the PL061 GPIO controller of QEMU's aarch64 `virt` machine).
//!
//! Every test is `#[ignore]`d and returns at once unless `EYESWITCH_VM=1`: they load and unload
//! kernel modules and bind USB gadgets, which must never happen on a developer's machine.
//! Each test prints `VMTEST <name> key=value ...` lines with its figures and, last,
//! `VMTEST <name> result=ok`; scripts/vm-test collects them.

use std::fs::{File, OpenOptions};
use std::io::{ErrorKind, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use eyeswitch::capture::{
    choose_format, probe_formats, CameraFormat, CaptureThread, Decoder, FrameSource, V4l2Source,
    Wanted,
};
use eyeswitch::config::Config;
use eyeswitch::event::{CameraStatus, Event, EventKind, Gesture, SwitchAction};
use eyeswitch::output::hid_gadget::{bind_keyboard_gadget, remove_keyboard_gadget};
use eyeswitch::output::setup;
use linux_embedded_hal::gpio_cdev::{Chip, LineDirection, LineRequestFlags};

/// Frames to stream before and after the camera is unplugged.
const FRAMES: usize = 100;

fn in_vm() -> bool {
    let yes = std::env::var("EYESWITCH_VM").is_ok_and(|v| v == "1");
    if !yes {
        eprintln!("skipped: only runs inside scripts/vm-test's VM (EYESWITCH_VM=1)");
    }
    yes
}

fn figures(test: &str, text: &str) {
    println!("VMTEST {test} {text}");
}

fn wait_for(path: &Path, timeout: Duration) -> bool {
    let deadline = Instant::now() + timeout;
    while !path.exists() {
        if Instant::now() > deadline {
            return false;
        }
        thread::sleep(Duration::from_millis(10));
    }
    true
}

/// Runs a busybox command in the VM; returns whether it succeeded, with its stderr.
fn sh(program: &str, args: &[&str]) -> (bool, String) {
    let out = Command::new(program)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {program}: {e}"));
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).trim().to_owned(),
    )
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn switch(number: u8, action: SwitchAction) -> Event {
    Event {
        t_ms: 0,
        frame: 0,
        kind: EventKind::Switch {
            switch: number,
            action,
            gesture: Gesture::LongBlink,
        },
    }
}

/// vivid's video capture node through V4l2Source + CaptureThread + Decoder, exactly as `run`
/// builds them; then the device is unplugged while streaming (the driver unbound, the module
/// removed) and loaded again, and the same source must stream again without a restart.
#[test]
#[ignore = "needs the VM of scripts/vm-test"]
fn camera_vivid() {
    if !in_vm() {
        return;
    }
    let config = Config::parse("[camera]\ndevice = \"/dev/video0\"\n", "vm.toml").unwrap();
    let cam = &config.camera;
    let device = cam.device.clone();
    assert!(
        wait_for(&device, Duration::from_secs(10)),
        "{} did not appear",
        device.display()
    );
    let wanted = cam.wanted();
    let offers = probe_formats(&device, &wanted).unwrap();
    let has = |f| offers.iter().any(|o| o.format == f);
    let choice = choose_format(&offers, &wanted).expect("vivid offers YUYV or MJPEG");
    figures(
        "camera",
        &format!(
            "driver=vivid offers={} yuyv={} mjpeg={} chosen={:?}:{}x{}@{}",
            offers.len(),
            has(CameraFormat::Yuyv),
            has(CameraFormat::Mjpeg),
            choice.format,
            choice.width,
            choice.height,
            choice.fps
        ),
    );
    assert!(has(CameraFormat::Yuyv), "vivid offers no YUYV: {offers:?}");
    assert_eq!(
        (choice.format, choice.width, choice.height),
        (CameraFormat::Yuyv, wanted.width, wanted.height)
    );

    // Another size through the same negotiation: 1280x720, a few frames, then closed.
    let hd = Wanted {
        width: 1280,
        height: 720,
        fps: 30.0,
        format: None,
    };
    let mut hd_frames = Decoder::new(V4l2Source::new(&device, hd));
    for _ in 0..5 {
        let frame = hd_frames
            .next_frame()
            .unwrap()
            .expect("a camera never ends");
        assert_eq!((frame.image.width, frame.image.height), (1280, 720));
    }
    drop(hd_frames);
    figures(
        "camera",
        "phase=negotiate wanted=1280x720 got=1280x720 frames=5",
    );

    let (status_tx, status_rx) = mpsc::channel();
    let source = V4l2Source::new(&device, wanted).on_status(move |s| {
        let _ = status_tx.send((Instant::now(), s));
    });
    let mut frames = Decoder::new(CaptureThread::spawn(source).unwrap());

    // 1. Stream FRAMES frames; each decodes to the wanted size and is not blank.
    let start = Instant::now();
    let mut first_index = None;
    let mut last_index = 0;
    for _ in 0..FRAMES {
        let frame = frames.next_frame().unwrap().expect("a camera never ends");
        assert_eq!(
            (frame.image.width, frame.image.height),
            (wanted.width as usize, wanted.height as usize)
        );
        assert!(
            frame.image.data.iter().any(|&b| b > 16),
            "frame {} is black",
            frame.index
        );
        first_index.get_or_insert(frame.index);
        last_index = frame.index;
    }
    let elapsed = start.elapsed();
    figures(
        "camera",
        &format!(
            "phase=stream frames={FRAMES} seconds={:.2} fps={:.1} captured={} corrupt={}",
            elapsed.as_secs_f64(),
            FRAMES as f64 / elapsed.as_secs_f64(),
            last_index - first_index.unwrap() + 1,
            frames.corrupt_frames()
        ),
    );

    // 2. Unplug while streaming, from another thread: the frame loop keeps asking for frames.
    // rmmod alone cannot work while the device is open (the open file holds a module
    // reference), so the driver is unbound first, as a USB unplug would, then the module goes.
    let unplugged = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&unplugged);
    let plug = thread::spawn(move || {
        let (rmmod_while_open, why) = sh("rmmod", &["vivid"]);
        let t_unplug = Instant::now();
        if !rmmod_while_open {
            let unbind = "/sys/bus/platform/drivers/vivid/unbind";
            std::fs::write(unbind, "vivid.0").unwrap_or_else(|e| panic!("{unbind}: {e}"));
        }
        flag.store(true, Ordering::SeqCst);
        // Once the source has closed the dead device, the module can go.
        let deadline = Instant::now() + Duration::from_secs(20);
        let mut removed = rmmod_while_open;
        while !removed && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(50));
            removed = sh("rmmod", &["vivid"]).0;
        }
        assert!(removed, "vivid could not be removed after the unbind");
        let t_removed = Instant::now();
        // Stay unplugged for a second, as a person replugging a cable would.
        thread::sleep(Duration::from_secs(1));
        let (loaded, err) = sh("modprobe", &["vivid", "n_devs=1", "node_types=0x1"]);
        assert!(loaded, "modprobe vivid: {err}");
        let t_loaded = Instant::now();
        (rmmod_while_open, why, t_unplug, t_removed, t_loaded)
    });
    let mut frames_during = 0;
    while !unplugged.load(Ordering::SeqCst) {
        frames.next_frame().unwrap().expect("a camera never ends");
        frames_during += 1;
    }
    // The first frame after the status went Lost and back to Streaming is from the new device.
    let mut statuses: Vec<(Instant, CameraStatus)> = Vec::new();
    let t_first_new = loop {
        frames.next_frame().unwrap().expect("a camera never ends");
        let got = Instant::now();
        statuses.extend(status_rx.try_iter());
        let lost = statuses.iter().position(|s| s.1 == CameraStatus::Lost);
        if lost.is_some_and(|i| statuses[i..].iter().any(|s| s.1 == CameraStatus::Streaming)) {
            break got;
        }
    };
    let (rmmod_while_open, why, t_unplug, t_removed, t_loaded) = plug.join().unwrap();
    let t_lost = statuses
        .iter()
        .find(|s| s.1 == CameraStatus::Lost)
        .map(|s| s.0)
        .unwrap();
    assert!(
        t_first_new > t_loaded,
        "a frame arrived before vivid was back"
    );
    let sequence: Vec<String> = statuses.iter().map(|s| format!("{:?}", s.1)).collect();
    figures(
        "camera",
        &format!(
            "phase=unplug rmmod_while_open={} ({}) lost_after_ms={:.0} module_removed_after_ms={:.0} \
             statuses={}",
            rmmod_while_open,
            if rmmod_while_open { "ok" } else { why.as_str() },
            ms(t_lost.saturating_duration_since(t_unplug)),
            ms(t_removed - t_unplug),
            sequence.join(">")
        ),
    );

    // 3. Streams again, same source, no restart.
    let start = Instant::now();
    for _ in 0..FRAMES {
        let frame = frames.next_frame().unwrap().expect("a camera never ends");
        assert_eq!(frame.image.width, wanted.width as usize);
    }
    let elapsed = start.elapsed();
    figures(
        "camera",
        &format!(
            "phase=reconnect reconnect_ms={:.0} outage_ms={:.0} frames_after={FRAMES} fps_after={:.1} \
             frames_total={} corrupt={}",
            ms(t_first_new - t_loaded),
            ms(t_first_new - t_unplug),
            FRAMES as f64 / elapsed.as_secs_f64(),
            2 * FRAMES + frames_during + 1,
            frames.corrupt_frames()
        ),
    );
    figures("camera", "result=ok");
}

/// Reads one report from a non-blocking hidraw device, waiting up to `timeout`.
fn read_report(hidraw: &mut File, timeout: Duration) -> Option<Vec<u8>> {
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 64];
    loop {
        match hidraw.read(&mut buf) {
            Ok(n) => return Some(buf[..n].to_vec()),
            Err(e) if e.kind() == ErrorKind::WouldBlock && Instant::now() < deadline => {
                thread::sleep(Duration::from_micros(500));
            }
            Err(e) if e.kind() == ErrorKind::WouldBlock => return None,
            Err(e) => panic!("reading hidraw: {e}"),
        }
    }
}

/// The hidraw node the host side made for our gadget (HID_NAME from the gadget's strings).
fn find_hidraw(timeout: Duration) -> Option<PathBuf> {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        for entry in std::fs::read_dir("/sys/class/hidraw").into_iter().flatten() {
            let entry = entry.unwrap();
            let uevent = std::fs::read_to_string(entry.path().join("device/uevent"));
            if uevent.is_ok_and(|u| u.contains("eyeswitch")) {
                let dev = Path::new("/dev").join(entry.file_name());
                if dev.exists() {
                    return Some(dev);
                }
            }
        }
        thread::sleep(Duration::from_millis(20));
    }
    None
}

/// A boot keyboard gadget bound to dummy_hcd's device controller; the host side of the same
/// dummy_hcd enumerates it with usbhid, and every report HidOutput writes to /dev/hidg0 is
/// read back from /dev/hidrawN.
#[test]
#[ignore = "needs the VM of scripts/vm-test"]
fn hid_gadget_dummy_hcd() {
    if !in_vm() {
        return;
    }
    let t_bind = Instant::now();
    let gadget = bind_keyboard_gadget("vmtest").unwrap();
    let hidg = gadget.device_path().unwrap();
    assert!(wait_for(&hidg, Duration::from_secs(10)), "{hidg:?}");
    let hidraw_path = find_hidraw(Duration::from_secs(20)).expect("no hidraw for the gadget");
    let enumerated = t_bind.elapsed();
    let mut hidraw = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(&hidraw_path)
        .unwrap();
    // Let usbhid start polling the interrupt endpoint now that hidraw is open.
    thread::sleep(Duration::from_millis(200));

    let text = format!(
        "[[switch]]\nnumber = 1\ngesture = \"long_blink\"\n[[switch]]\nnumber = 2\n\
         gesture = \"wink_left\"\n[outputs.hid]\ndevice = {:?}\n\
         keys = {{ 1 = \"space\", 2 = \"enter\" }}\n",
        hidg.display().to_string()
    );
    let config = Config::parse(&text, "vm.toml").unwrap();
    let mut fan = setup::start(&config.outputs).unwrap();
    // Every output starts by releasing everything a crashed earlier run may have left down.
    let start = read_report(&mut hidraw, Duration::from_secs(5)).expect("release at start");
    assert_eq!(start, [0; 8]);
    let steps: [(u8, SwitchAction, [u8; 8]); 4] = [
        (1, SwitchAction::Press, [0, 0, 0x2C, 0, 0, 0, 0, 0]),
        (2, SwitchAction::Press, [0, 0, 0x2C, 0x28, 0, 0, 0, 0]),
        (1, SwitchAction::Release, [0, 0, 0x28, 0, 0, 0, 0, 0]),
        (2, SwitchAction::Release, [0; 8]),
    ];
    let mut latencies = Vec::new();
    for (number, action, want) in steps {
        let sent = Instant::now();
        fan.send(&switch(number, action));
        let got = read_report(&mut hidraw, Duration::from_secs(5))
            .unwrap_or_else(|| panic!("no report for switch {number} {action:?}"));
        latencies.push(ms(sent.elapsed()));
        assert_eq!(got, want, "switch {number} {action:?}");
    }
    // A press left held is released on shutdown: key-down, then the all-zero report.
    fan.send(&switch(1, SwitchAction::Press));
    let down = read_report(&mut hidraw, Duration::from_secs(5)).expect("press before shutdown");
    assert_eq!(down, [0, 0, 0x2C, 0, 0, 0, 0, 0]);
    fan.shutdown();
    let up = read_report(&mut hidraw, Duration::from_secs(5)).expect("release on shutdown");
    assert_eq!(up, [0; 8]);
    let max = latencies.iter().copied().fold(0.0, f64::max);
    figures(
        "hid",
        &format!(
            "driver=dummy_hcd+usb_f_hid->usbhid gadget={} host={} enumerate_ms={:.0} reports=6 \
             press_space=002c000000000000 latency_ms_max={max:.1} release_on_shutdown=ok",
            hidg.display(),
            hidraw_path.display(),
            ms(enumerated)
        ),
    );
    drop(fan);
    drop(gadget);

    // What `eyeswitch gadget` does as root before the service starts: the gadget outlives
    // the process that bound it, and the next start finds it by name and replaces it.
    let kept = bind_keyboard_gadget("vmtest").unwrap().persist().unwrap();
    assert!(wait_for(&kept, Duration::from_secs(10)), "{kept:?}");
    assert!(
        remove_keyboard_gadget().unwrap(),
        "the kept gadget is registered"
    );
    assert!(!remove_keyboard_gadget().unwrap(), "and gone once removed");
    figures("hid", "persist_and_remove=ok");
    figures("hid", "result=ok");
}

/// One line's level as gpiolib reads it from the controller (debugfs `gpio-N (...) out hi`).
fn debugfs_level(text: &str, chip_label: &str, offset: u32) -> Option<bool> {
    let mut base = None;
    for line in text.lines() {
        if line.starts_with("gpiochip") {
            // "gpiochip0: GPIOs 512-519, parent: platform/9030000.pl061, 9030000.pl061:"
            base = if line.contains(chip_label) {
                line.split("GPIOs ")
                    .nth(1)
                    .and_then(|r| r.split('-').next())
                    .and_then(|n| n.trim().parse::<u32>().ok())
            } else {
                None
            };
            continue;
        }
        let Some(base) = base else { continue };
        let line = line.trim_start();
        let Some(rest) = line.strip_prefix("gpio-") else {
            continue;
        };
        let number: u32 = rest.split(' ').next()?.parse().ok()?;
        if number == base + offset {
            return Some(line.contains(" hi"));
        }
    }
    None
}

/// A line's level at each change, from `sample_line`: `None` once the line is not requested.
type Changes = Vec<(Instant, Option<bool>)>;

/// Samples a line's level every ~0.5 ms until stopped; returns (time, level) at each change.
fn sample_line(
    chip_label: String,
    offset: u32,
    stop: Arc<AtomicBool>,
) -> thread::JoinHandle<Changes> {
    thread::spawn(move || {
        let mut changes: Changes = Vec::new();
        while !stop.load(Ordering::SeqCst) {
            let text = std::fs::read_to_string("/sys/kernel/debug/gpio").unwrap();
            let now = Instant::now();
            let level = debugfs_level(&text, &chip_label, offset);
            if changes.last().is_none_or(|c| c.1 != level) {
                changes.push((now, level));
            }
            thread::sleep(Duration::from_micros(500));
        }
        changes
    })
}

/// Requests `offset` without touching its direction or level (gpio-cdev v1 "as is") and reads
/// the level the controller holds: on an output line, the level last driven.
fn level_as_is(chip: &mut Chip, offset: u32) -> u8 {
    let handle = chip
        .get_line(offset)
        .unwrap()
        .request(LineRequestFlags::empty(), 0, "vm-probe")
        .unwrap();
    handle.get_value().unwrap()
}

/// The PL061 controller of QEMU's aarch64 `virt` machine through gpio-cdev: the gpio output
/// (started from config as `run` does) drives a pulse on a free line and releases it on
/// shutdown; the level is read back by gpiolib from the controller's data register.
#[test]
#[ignore = "needs the VM of scripts/vm-test"]
fn gpio_pl061() {
    if !in_vm() {
        return;
    }
    const PULSE: Duration = Duration::from_millis(200);
    const FLASH_MS: u64 = 100;
    // Generous: TCG on a host busy with other builds delays the vCPU by tens of ms at times.
    const TOLERANCE_MS: f64 = 50.0;
    let chip_path = Path::new("/dev/gpiochip0");
    assert!(wait_for(chip_path, Duration::from_secs(10)));
    let mut chip = Chip::new(chip_path).unwrap();
    let label = chip.label().to_owned();
    assert!(
        label.contains("pl061"),
        "gpiochip0 is {label:?}, not the PL061"
    );
    // Lines 0..7; the virt machine wires line 3 to gpio-keys (power button): use free ones.
    let free: Vec<u32> = (0..chip.num_lines())
        .filter(|&o| !chip.get_line(o).unwrap().info().unwrap().is_kernel() && o != 3)
        .collect();
    assert!(free.len() >= 3, "free PL061 lines: {free:?}");
    let (switch_line, feedback_line, probe_line) = (free[0], free[1], free[2]);

    // gpio-cdev reads back what it drives on this controller.
    let probe = chip
        .get_line(probe_line)
        .unwrap()
        .request(LineRequestFlags::OUTPUT, 1, "vm-probe")
        .unwrap();
    assert_eq!(probe.get_value().unwrap(), 1);
    probe.set_value(0).unwrap();
    assert_eq!(probe.get_value().unwrap(), 0);
    probe.set_value(1).unwrap();
    drop(probe);
    // A freed output line keeps its level, and an as-is request reads it back.
    assert_eq!(level_as_is(&mut chip, probe_line), 1);

    let text = format!(
        "[outputs.gpio]\nchip = \"{}\"\nlines = {{ 1 = {switch_line} }}\nfeedback_line = {feedback_line}\n\
         feedback_flash_ms = {FLASH_MS}\n",
        chip_path.display()
    );
    let config = Config::parse(&text, "vm.toml").unwrap();
    let mut fan = setup::start(&config.outputs).unwrap();
    let info = chip.get_line(switch_line).unwrap().info().unwrap();
    // gpio-cdev's is_used() is any flag (an output is "used"); is_kernel() means requested.
    assert!(info.is_kernel());
    assert_eq!(info.consumer(), Some("eyeswitch"));
    assert_eq!(info.direction(), LineDirection::Out);

    let stop = Arc::new(AtomicBool::new(false));
    let switch_samples = sample_line(label.clone(), switch_line, Arc::clone(&stop));
    let flash_samples = sample_line(label.clone(), feedback_line, Arc::clone(&stop));
    thread::sleep(Duration::from_millis(100));
    let t_press = Instant::now();
    fan.send(&switch(1, SwitchAction::Press));
    thread::sleep(PULSE);
    let t_release = Instant::now();
    fan.send(&switch(1, SwitchAction::Release));
    thread::sleep(Duration::from_millis(300));
    // Held at shutdown: released by it.
    fan.send(&switch(1, SwitchAction::Press));
    thread::sleep(Duration::from_millis(100));
    let t_shutdown = Instant::now();
    fan.shutdown();
    thread::sleep(Duration::from_millis(50));
    stop.store(true, Ordering::SeqCst);
    let changes = switch_samples.join().unwrap();
    let flash = flash_samples.join().unwrap();
    // Requested low, the pulse, low, the press held at shutdown, then low (if sampled in the
    // moment between release and freeing) and no longer requested.
    let levels: Vec<Option<bool>> = changes.iter().map(|c| c.1).collect();
    let (f, t) = (Some(false), Some(true));
    assert!(
        levels == [f, t, f, t, f, None] || levels == [f, t, f, t, None],
        "switch line levels: {levels:?}"
    );
    let rise_ms = ms(changes[1].0 - t_press);
    let fall_ms = ms(changes[2].0.saturating_duration_since(t_release));
    let width_ms = ms(changes[2].0 - changes[1].0);
    let shutdown_release_ms = ms(changes[4].0.saturating_duration_since(t_shutdown));
    let flash_levels: Vec<Option<bool>> = flash.iter().map(|c| c.1).collect();
    assert!(
        flash_levels.starts_with(&[f, t, f]),
        "feedback line: {flash_levels:?}"
    );
    let flash_ms = ms(flash[2].0 - flash[1].0);

    // Released on shutdown: the line is free again, still an output, and left low.
    let info = chip.get_line(switch_line).unwrap().info().unwrap();
    let released = !info.is_kernel();
    let direction_after = info.direction();
    let left_at = level_as_is(&mut chip, switch_line);
    let feedback_left_at = level_as_is(&mut chip, feedback_line);
    figures(
        "gpio",
        &format!(
            "driver=pl061 chip={label} line={switch_line} feedback={feedback_line} pulse_ms={:.1} \
             (sent {:.0}) rise_latency_ms={rise_ms:.1} fall_latency_ms={fall_ms:.1} \
             flash_ms={flash_ms:.1} (configured {FLASH_MS}) shutdown_release_ms={shutdown_release_ms:.1} \
             released={released} direction_after={direction_after:?} left_at={left_at} \
             feedback_left_at={feedback_left_at} cdev_readback=ok",
            width_ms,
            ms(t_release - t_press)
        ),
    );
    assert!(
        released,
        "line {switch_line} still requested after shutdown"
    );
    assert_eq!(
        (left_at, feedback_left_at),
        (0, 0),
        "levels left after shutdown"
    );
    assert!(
        (width_ms - ms(t_release - t_press)).abs() <= TOLERANCE_MS,
        "pulse {width_ms:.1} ms, sent {:.1} ms apart",
        ms(t_release - t_press)
    );
    assert!(rise_ms <= TOLERANCE_MS && fall_ms <= TOLERANCE_MS);
    assert!((flash_ms - FLASH_MS as f64).abs() <= TOLERANCE_MS);
    figures("gpio", "result=ok");
}
