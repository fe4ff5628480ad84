//! Which page the status screen shows: the status, or the setup page's address.

use std::time::Duration;

use crate::display::StatusModel;

/// How long the setup page stays up in each turn: time to take out a phone and scan.
pub const SETUP_SHOWN: Duration = Duration::from_secs(6);
/// How long the status comes back between two setup pages.
pub const STATUS_SHOWN: Duration = Duration::from_secs(3);

/// A page of the status screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Page {
    /// Face, eye bars, gaze, distance and the last event.
    #[default]
    Status,
    /// The setup page's QR code and `host:port`, with the face line kept.
    Setup,
}

impl Page {
    /// The page `elapsed` after the display started. While a face is tracked the switch is in
    /// use, so the status stays and its bars and presses are always readable. With no face no
    /// gesture can press (face loss releases every switch) and someone is usually setting up: a
    /// first start, a camera being aimed. Only then does the setup page alternate with the
    /// status, and it repeats "NO FACE". A carer who needs the address while the person is in
    /// view covers the lens for a moment.
    pub fn at(elapsed: Duration, model: &StatusModel) -> Page {
        if model.face_found || model.setup().is_none() {
            return Page::Status;
        }
        let cycle = (SETUP_SHOWN + STATUS_SHOWN).as_millis();
        if elapsed.as_millis() % cycle < SETUP_SHOWN.as_millis() {
            Page::Setup
        } else {
            Page::Status
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_setup_page_alternates_only_without_a_face() {
        let mut m = StatusModel::new();
        let at = |m: &StatusModel, s: u64| Page::at(Duration::from_millis(s), m);
        assert_eq!(at(&m, 0), Page::Status, "no [web]: never");
        m.set_setup_url("http://10.0.0.2:8080/?token=00112233445566778899aabbccddeeff");
        assert_eq!(at(&m, 0), Page::Setup);
        assert_eq!(at(&m, 5_999), Page::Setup);
        assert_eq!(at(&m, 6_000), Page::Status);
        assert_eq!(at(&m, 8_999), Page::Status);
        assert_eq!(at(&m, 9_000), Page::Setup, "the next turn");
        m.face_found = true;
        assert_eq!(at(&m, 0), Page::Status, "a tracked face keeps the status");
    }
}
