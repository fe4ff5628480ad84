//! Display errors, each naming the device and what to check.

use std::io;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum DisplayError {
    #[error("{action} {}: {source}; {hint}", path.display())]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
        hint: &'static str,
    },
    #[error("{}: {bits} bits per pixel is not supported; set the framebuffer to 16 or 32 bpp (fbset -depth 32)", path.display())]
    UnsupportedDepth { path: PathBuf, bits: u32 },
    #[error("{}: {detail}; expected a number", path.display())]
    BadGeometry { path: PathBuf, detail: String },
    #[error("SSD1306 on {} at address 0x{address:02X}: {detail}; check the wiring and the address with i2cdetect", bus.display())]
    Oled {
        bus: PathBuf,
        address: u8,
        detail: String,
    },
    #[error("cannot start the display thread: {source}")]
    Spawn { source: io::Error },
    #[error("saving {}: {source}", path.display())]
    Png {
        path: PathBuf,
        source: image::ImageError,
    },
}
