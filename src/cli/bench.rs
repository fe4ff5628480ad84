//! `eyeswitch bench`: per-stage timing and allocations of the live pipeline on a recording.

use std::path::Path;
use std::time::{Duration, Instant};

use super::replay::{build_pipeline, open_source, ReplayError};
use crate::alloc_count;
use crate::capture::FrameSource;
use crate::gesture;

/// Frames run before measuring, so start-up allocations and cold caches are left out.
const WARM_UP: usize = 10;

/// Times of one stage, one entry per frame it ran on.
struct Stage {
    name: &'static str,
    ms: Vec<f64>,
}

impl Stage {
    fn new(name: &'static str, capacity: usize) -> Stage {
        Stage {
            name,
            ms: Vec::with_capacity(capacity),
        }
    }
    fn push(&mut self, d: Duration) {
        if !d.is_zero() {
            self.ms.push(d.as_secs_f64() * 1000.0);
        }
    }
    fn quantile(&mut self, q: f64) -> f64 {
        if self.ms.is_empty() {
            return 0.0;
        }
        self.ms.sort_by(f64::total_cmp);
        self.ms[((self.ms.len() - 1) as f64 * q).round() as usize]
    }
}

/// Runs up to `max_frames` frames of `source` (all when `None`) and prints the figures.
pub fn run(
    models_dir: &Path,
    source: &Path,
    fps: f64,
    max_frames: Option<usize>,
) -> Result<(), ReplayError> {
    alloc_count::track_this_thread();
    let load = Instant::now();
    let mut pipeline = build_pipeline(models_dir, &gesture::Config::default())?;
    let mut frames_in = open_source(source, fps)?;
    let capacity = max_frames.unwrap_or(4096);
    let mut stages = ["decode", "detector", "mesh", "iris", "gestures", "frame"]
        .map(|n| Stage::new(n, capacity));
    let mut frames = 0usize;
    let mut first_frame_ms = 0.0;
    let mut counts = alloc_count::counts();
    let mut measured = Duration::ZERO;
    loop {
        if max_frames.is_some_and(|m| frames >= m + WARM_UP) {
            break;
        }
        let t0 = Instant::now();
        let Some(frame) = frames_in.next_frame()? else {
            break;
        };
        let decode = t0.elapsed();
        let report = pipeline.process(&frame, &mut |_| {})?;
        let total = t0.elapsed();
        frames += 1;
        if frames == 1 {
            first_frame_ms = load.elapsed().as_secs_f64() * 1000.0;
        }
        if frames == WARM_UP {
            counts = alloc_count::counts();
        }
        if frames <= WARM_UP {
            continue;
        }
        measured += total;
        for (stage, d) in stages.iter_mut().zip([
            decode,
            report.times.detector,
            report.times.mesh,
            report.times.iris,
            report.gestures,
            total,
        ]) {
            stage.push(d);
        }
    }
    let n = frames.saturating_sub(WARM_UP);
    let allocs = alloc_count::counts().since(counts);
    let per = |v: u64| if n > 0 { v as f64 / n as f64 } else { 0.0 };
    println!(
        "{:<9} {:>6} {:>10} {:>8}",
        "stage", "runs", "median ms", "p90 ms"
    );
    let mut json_stages = serde_json::Map::new();
    for s in stages.iter_mut() {
        let (median, p90) = (s.quantile(0.5), s.quantile(0.9));
        println!(
            "{:<9} {:>6} {:>10.3} {:>8.3}",
            s.name,
            s.ms.len(),
            median,
            p90
        );
        json_stages.insert(
            s.name.into(),
            serde_json::json!({"runs": s.ms.len(), "median_ms": median, "p90_ms": p90}),
        );
    }
    let fps_out = if measured.is_zero() {
        0.0
    } else {
        n as f64 / measured.as_secs_f64()
    };
    println!("frames/s {fps_out:.1} over {n} frames (after {WARM_UP} warm-up); start-up to first frame {first_frame_ms:.0} ms");
    println!(
        "allocations per frame: eyeswitch {:.2}, tract + jpeg decoder {:.1} ({:.0} bytes)",
        per(allocs.own),
        per(allocs.foreign),
        per(allocs.foreign_bytes)
    );
    let line = serde_json::json!({"bench": {
        "source": source.display().to_string(),
        "frames": n,
        "stages": json_stages,
        "fps": fps_out,
        "first_frame_ms": first_frame_ms,
        "allocations_per_frame": {"eyeswitch": per(allocs.own), "libraries": per(allocs.foreign), "library_bytes": per(allocs.foreign_bytes)},
    }});
    println!("{line}");
    Ok(())
}
