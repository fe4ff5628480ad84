//! The press log: every switch press with its time, gesture and how long it was held, kept for
//! [`KEEP_DAYS`] days in the state directory, as CSV a therapist's spreadsheet opens. Its own
//! thread follows the event ring, so the frame loop never touches the file.

use std::collections::HashMap;
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::event::{EventKind, Gesture, SwitchAction};
use crate::web::events::EventRing;

/// Days of presses kept.
pub const KEEP_DAYS: u64 = 7;
/// The log's file name in the state directory.
pub const FILE: &str = "presses.csv";
/// The CSV's first line.
pub const HEADER: &str = "unix_s,time_utc,switch,gesture,duration_ms";
const DAY_S: u64 = 24 * 60 * 60;

/// The log file in `state_dir`.
pub fn path(state_dir: &Path) -> PathBuf {
    state_dir.join(FILE)
}

/// The log as CSV, lines older than [`KEEP_DAYS`] left out; just the header when there is no log.
pub fn csv(state_dir: &Path, now_s: u64) -> std::io::Result<String> {
    let text = match fs::read_to_string(path(state_dir)) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let mut out = format!("{HEADER}\n");
    for line in recent(&text, now_s) {
        out.push_str(line);
        out.push('\n');
    }
    Ok(out)
}

/// Data lines no older than [`KEEP_DAYS`] before `now_s`.
fn recent(text: &str, now_s: u64) -> impl Iterator<Item = &str> {
    let oldest = now_s.saturating_sub(KEEP_DAYS * DAY_S);
    text.lines().filter(move |l| {
        l.split(',')
            .next()
            .and_then(|s| s.parse::<u64>().ok())
            .is_some_and(|t| t >= oldest)
    })
}

/// One press, as a CSV line.
fn line(unix_s: u64, switch: u8, gesture: Gesture, duration_ms: u64) -> String {
    format!(
        "{unix_s},{},{switch},{},{duration_ms}",
        utc(unix_s),
        gesture.name()
    )
}

/// `unix_s` as ISO 8601 UTC, e.g. `2026-12-01T15:49:21Z` (the civil-from-days algorithm).
pub fn utc(unix_s: u64) -> String {
    let (days, secs) = (unix_s / DAY_S, unix_s % DAY_S);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn now_s() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Follows `ring` until `stop`, appending a line per completed press (at its release) and
/// dropping lines past [`KEEP_DAYS`] once a day. A write that fails is logged and retried with
/// the next press: the log never stops the switch.
pub fn follow(ring: Arc<EventRing>, state_dir: PathBuf, stop: Arc<AtomicBool>) {
    let file = path(&state_dir);
    let mut from = ring.head();
    let mut events = Vec::with_capacity(crate::web::events::RING);
    // Per switch: the press's stream time, wall time and gesture.
    let mut held: HashMap<u8, (u64, u64, Gesture)> = HashMap::new();
    let mut pruned_day = None;
    while !stop.load(Ordering::Relaxed) {
        events.clear();
        from = ring.read(from, Duration::from_millis(200), &mut events);
        for e in &events {
            let EventKind::Switch {
                switch,
                action,
                gesture,
            } = e.kind
            else {
                continue;
            };
            match action {
                SwitchAction::Press => {
                    held.insert(switch, (e.t_ms, now_s(), gesture));
                }
                SwitchAction::Release => {
                    if let Some((t0, wall, gesture)) = held.remove(&switch) {
                        let l = line(wall, switch, gesture, e.t_ms.saturating_sub(t0));
                        if let Err(err) = append(&file, &l) {
                            log::error!(
                                "press log {}: {err}; this press is not logged",
                                file.display()
                            );
                        }
                    }
                }
            }
        }
        let today = now_s() / DAY_S;
        if pruned_day != Some(today) {
            pruned_day = Some(today);
            if let Err(err) = prune(&file, now_s()) {
                log::error!("press log {}: cannot drop old lines: {err}", file.display());
            }
        }
    }
}

fn append(file: &Path, line: &str) -> std::io::Result<()> {
    if let Some(dir) = file.parent() {
        fs::create_dir_all(dir)?;
    }
    let mut f = OpenOptions::new().create(true).append(true).open(file)?;
    writeln!(f, "{line}")
}

/// Rewrites the log without lines past [`KEEP_DAYS`], atomically (a temporary file renamed).
fn prune(file: &Path, now_s: u64) -> std::io::Result<()> {
    let text = match fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let kept: Vec<&str> = recent(&text, now_s).collect();
    if kept.len() == text.lines().count() {
        return Ok(());
    }
    let tmp = file.with_extension("csv.tmp");
    let mut out = String::new();
    for l in kept {
        out.push_str(l);
        out.push('\n');
    }
    fs::write(&tmp, out)?;
    fs::rename(&tmp, file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_formats_known_instants() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_796_053_761), "2026-11-30T15:49:21Z");
    }

    #[test]
    fn old_lines_are_left_out() {
        let now = 100 * DAY_S;
        let text = format!(
            "{},x\n{},y\nbad line\n",
            now - KEEP_DAYS * DAY_S - 1,
            now - DAY_S
        );
        let kept: Vec<_> = recent(&text, now).collect();
        assert_eq!(kept, vec![format!("{},y", now - DAY_S)]);
    }
}
