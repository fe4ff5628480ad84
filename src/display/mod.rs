//! The status screen: what the camera sees and what eyeswitch decided, for the user and carers.
//!
//! [`render`] draws a [`StatusModel`] into any embedded-graphics `BinaryColor` target, so the
//! same drawing code feeds the in-memory framebuffer (tests, PNG), an SSD1306 OLED and the Linux
//! framebuffer. In `run`, the frame loop feeds a [`StatusFeed`]; a [`DisplayThread`] shows the
//! latest model at most 10 times a second. With `[web]` on, the model also holds the setup
//! page's address, and the thread alternates the status with it while no face is tracked
//! ([`Page`]).

pub mod error;
pub mod feed;
pub mod framebuffer;
pub mod memory;
pub mod oled;
pub mod page;
pub mod render;
pub mod screen;
pub mod setup;
pub mod setup_code;
pub mod setup_page;
pub mod slot;
pub mod status;
pub mod text;
pub mod worker;

pub use error::DisplayError;
pub use feed::StatusFeed;
pub use framebuffer::{FbGeometry, LinuxFramebuffer};
pub use memory::MonoFramebuffer;
pub use oled::Oled;
pub use page::Page;
pub use render::render;
pub use screen::Screen;
pub use setup_code::{QrBitmap, SetupCode};
pub use slot::StatusSlot;
pub use status::StatusModel;
pub use text::FixedText;
pub use worker::DisplayThread;
