//! The status screen: what the camera sees and what eyeswitch decided, for the user and carers.
//!
//! [`render`] draws a [`StatusModel`] into any embedded-graphics `BinaryColor` target, so the
//! same drawing code feeds the in-memory framebuffer (tests, PNG), an SSD1306 OLED and the Linux
//! framebuffer.

pub mod error;
pub mod framebuffer;
pub mod memory;
pub mod oled;
pub mod render;
pub mod status;
pub mod text;

pub use error::DisplayError;
pub use framebuffer::{FbGeometry, LinuxFramebuffer};
pub use memory::MonoFramebuffer;
pub use oled::Oled;
pub use render::render;
pub use status::StatusModel;
pub use text::FixedText;
