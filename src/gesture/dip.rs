//! Blinks that the frames catch only mid-closure: at 24 fps a short blink often shows as one or
//! two frames in which both eyes are well below their open baseline but never under the close
//! fraction. A temporal rule over the few frames around the dip (after Soukupová & Čech 2016,
//! who classify the EAR over ±6 frames) tells it from a slow squint, a smile or a downward look:
//! the lids leave the open level fast, go well down in both eyes together, and are back within
//! a blink's time.

use super::openness::EyeRatios;
use super::sink::{ms, GestureSink};
use crate::event::EventKind;

/// Open level: the mean ratio of both eyes at or above which the lids count as open before and
/// after a dip. Open eyes jitter by up to ~10 % of the baseline between frames on 18–20 px eyes
/// (shared traces, steady segments), and the baseline is their lower quartile.
const OPEN_LEVEL: f32 = 0.85;
/// A dip must bring the mean of both eyes to this fraction of the baseline or lower: more than
/// a third closed. Blinks caught mid-closure read about 0.6 (issue 14); the half-lowered lids of
/// cap12 774–776 (labelled AMBIG: a blink or a glance down) read 0.64–0.71 with the iris model
/// and 0.61–0.69 with the attention mesh, which so reports a blink there.
const DIP_LEVEL: f32 = 0.65;
/// Neither eye may stay above this fraction at the dip: both lids move together in a blink,
/// while a one-sided drop is a wink starting or a landmark slip on one eye.
const EYE_LEVEL: f32 = 0.8;
/// Longest time from the last open frame to the dip: a blink closes in 70–100 ms (physiology),
/// plus one frame at 15 fps; lids that lower more slowly are a squint or a look down.
const DESCENT_MS: u64 = 150;
/// Most frames between the open level and the dip level on the way down. Closing lids cross
/// that band (0.85 → 0.65 of open) in about 30 ms, so at camera rates up to 30 fps at most one
/// frame falls inside it; two or more mean the lids were lowered, not blinked. (Faster cameras
/// see the closure itself, which the close fraction catches.)
const DESCENT_FRAMES: u32 = 1;
/// Longest time from the first to the last frame at the dip level: a blink crosses that band on
/// the way down (~25 ms) and up (~60 ms) around a closed moment that fell between two frames
/// (physiology: closing 70–100 ms, reopening 150–250 ms). Lids held half-lowered longer are a
/// squint or a look down.
const DEEP_SPAN_MS: u64 = 100;
/// Longest time from the last frame at the dip level back to open lids: reopening from closed
/// to open took 100–120 ms on the shared blinks, and the dip frame may come up to one frame
/// (67 ms at 15 fps) before the closed moment. Lids that linger part-lowered after the dip are
/// a squint or a look down.
const REOPEN_MS: u64 = 180;
/// Longest time the lids may stay under the open level: a blink is down and back within about
/// 250 ms (its opening phase is the slow one); smiles, squints and looks down last longer.
const DIP_MAX_MS: u64 = 250;

/// The frames at the dip level: first and latest time.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Deep {
    first: u64,
    last: u64,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum State {
    /// The last frame was open; `t` is its time.
    Open { t: u64 },
    /// Under the open level since the open frame at `open_t` (first frame under it at
    /// `first_t`, latest at `last_t`), and the frames at the dip level so far.
    Dipping {
        open_t: u64,
        first_t: u64,
        last_t: u64,
        /// Frames under the open level so far.
        frames: u32,
        deep: Option<Deep>,
    },
    /// A closure, a slow lowering or no baseline: wait for open lids before judging again.
    Waiting,
}

/// Finds short bilateral dips that the close/open hysteresis never sees as a closure.
#[derive(Debug, Clone)]
pub struct DipDetector {
    state: State,
}

impl DipDetector {
    /// Nothing seen yet: the lids must be seen open first.
    pub fn new() -> Self {
        Self {
            state: State::Waiting,
        }
    }

    /// Feeds one frame. `closure` is true while the close/open rule sees a bilateral closure: it
    /// reports that blink itself, so a dip under way is dropped. A dip emits `blink` only: it
    /// never presses a switch or counts toward a double blink, because it is inferred from lids
    /// that were never seen closed.
    pub fn update(&mut self, t: u64, eyes: &EyeRatios, closure: bool, sink: &mut impl GestureSink) {
        if closure {
            self.state = State::Waiting;
            return;
        }
        let open = eyes.mean() >= OPEN_LEVEL;
        self.state = match self.state {
            State::Waiting if !open => State::Waiting,
            State::Waiting | State::Open { .. } if open => State::Open { t },
            State::Open { t: open_t } => dipping(open_t, t, 0, None, t, eyes),
            State::Dipping {
                open_t,
                first_t,
                last_t,
                deep,
                ..
            } if open => {
                if deep.is_some_and(|d| t.saturating_sub(d.last) <= REOPEN_MS) {
                    // Crossings taken halfway between the frames on each side.
                    let duration = (last_t + t).saturating_sub(open_t + first_t) / 2;
                    sink.event(EventKind::Blink {
                        duration_ms: ms(duration),
                    });
                }
                State::Open { t }
            }
            State::Dipping {
                open_t,
                first_t,
                frames,
                deep,
                ..
            } => dipping(open_t, first_t, frames, deep, t, eyes),
            State::Waiting => State::Waiting,
        };
    }

    /// Face lost or baselines not ready: a dip in progress is dropped.
    pub fn reset(&mut self) {
        self.state = State::Waiting;
    }
}

/// The next state while under the open level: a dip that lasts too long, comes too slowly or
/// holds its depth too long is no blink, and judging waits for open lids again.
/// `frames` counts the earlier frames of this dip.
fn dipping(
    open_t: u64,
    first_t: u64,
    frames: u32,
    deep: Option<Deep>,
    t: u64,
    eyes: &EyeRatios,
) -> State {
    let since_open = t.saturating_sub(open_t);
    let low = eyes.mean() <= DIP_LEVEL && eyes.right <= EYE_LEVEL && eyes.left <= EYE_LEVEL;
    let too_slow = low && deep.is_none() && (since_open > DESCENT_MS || frames > DESCENT_FRAMES);
    let held = low && deep.is_some_and(|d| t.saturating_sub(d.first) > DEEP_SPAN_MS);
    if since_open > DIP_MAX_MS || too_slow || held {
        return State::Waiting;
    }
    let deep = match (deep, low) {
        (Some(d), true) => Some(Deep { last: t, ..d }),
        (None, true) => Some(Deep { first: t, last: t }),
        (d, false) => d,
    };
    State::Dipping {
        open_t,
        first_t,
        last_t: t,
        frames: frames + 1,
        deep,
    }
}
