//! `run` under systemd: readiness, a watchdog fed only while the frame loop turns, and a
//! one-line status (`systemctl status eyeswitch`).
//!
//! The frame loop only stores to atomics ([`Health`]); a thread of its own talks to systemd,
//! so the loop never allocates or blocks for it. Without `NOTIFY_SOCKET` nothing is sent.

mod health;
mod notify;

pub use health::Health;
pub use notify::{ready, Notifier};
