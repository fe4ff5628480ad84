//! Gesture → switch mapping: presses with a refractory time, pulse releases timed from
//! observation timestamps, follow releases when the gesture ends.

use super::config::{Config, SwitchMapping, SwitchMode, MAX_MAPPINGS};
use crate::event::{EventKind, Gesture, SwitchAction};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Pressed {
    No,
    /// Pulse: release at the first observation at or after this time.
    Until(u64),
    /// Follow: release when the gesture ends.
    WhileHeld,
}

/// Switch state for every mapping, in fixed storage.
#[derive(Debug, Clone)]
pub struct SwitchMap {
    mappings: [Option<SwitchMapping>; MAX_MAPPINGS],
    pressed: [Pressed; MAX_MAPPINGS],
    refractory_ms: u64,
    last_press: Option<u64>,
}

impl SwitchMap {
    /// Copies the (validated) mappings into fixed storage.
    pub fn new(cfg: &Config) -> Self {
        let mut mappings = [None; MAX_MAPPINGS];
        for (slot, m) in mappings.iter_mut().zip(&cfg.switch) {
            *slot = Some(*m);
        }
        Self {
            mappings,
            pressed: [Pressed::No; MAX_MAPPINGS],
            refractory_ms: cfg.gesture.refractory_ms.into(),
            last_press: None,
        }
    }

    /// Releases pulses that are due. The engine has no clock: a release is emitted on the first
    /// observation at or after press time + `pulse_ms`, so at 25 fps it is up to 40 ms late.
    pub fn tick(&mut self, t: u64, emit: &mut impl FnMut(EventKind)) {
        for (m, p) in self.mappings.iter().zip(self.pressed.iter_mut()) {
            if let (Some(m), Pressed::Until(at)) = (m, *p) {
                if t >= at {
                    *p = Pressed::No;
                    emit(edge(m, SwitchAction::Release));
                }
            }
        }
    }

    /// Releases every pressed switch at once, pulse or follow (the camera was lost).
    pub fn release_all(&mut self, emit: &mut impl FnMut(EventKind)) {
        for (m, p) in self.mappings.iter().zip(self.pressed.iter_mut()) {
            if let (Some(m), Pressed::Until(_) | Pressed::WhileHeld) = (m, *p) {
                *p = Pressed::No;
                emit(edge(m, SwitchAction::Release));
            }
        }
    }

    /// A gesture fired: press its switch unless it is still pressed or the last press was
    /// within the refractory time.
    pub fn start(&mut self, gesture: Gesture, t: u64, emit: &mut impl FnMut(EventKind)) {
        let Some((i, m)) = self.find(gesture) else {
            return;
        };
        let refractory = self
            .last_press
            .is_some_and(|last| t.saturating_sub(last) < self.refractory_ms);
        if refractory || self.pressed[i] != Pressed::No {
            return;
        }
        self.last_press = Some(t);
        self.pressed[i] = match m.mode {
            SwitchMode::Pulse => Pressed::Until(t.saturating_add(m.pulse_ms.into())),
            SwitchMode::Follow => Pressed::WhileHeld,
        };
        emit(edge(&m, SwitchAction::Press));
    }

    /// A gesture ended: release a `follow` switch it holds.
    pub fn end(&mut self, gesture: Gesture, emit: &mut impl FnMut(EventKind)) {
        let Some((i, m)) = self.find(gesture) else {
            return;
        };
        if self.pressed[i] == Pressed::WhileHeld {
            self.pressed[i] = Pressed::No;
            emit(edge(&m, SwitchAction::Release));
        }
    }

    fn find(&self, gesture: Gesture) -> Option<(usize, SwitchMapping)> {
        self.mappings
            .iter()
            .enumerate()
            .find_map(|(i, m)| m.filter(|m| m.gesture == gesture).map(|m| (i, m)))
    }
}

fn edge(m: &SwitchMapping, action: SwitchAction) -> EventKind {
    EventKind::Switch {
        switch: m.switch,
        action,
        gesture: m.gesture,
    }
}
