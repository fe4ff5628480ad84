//! The Linux framebuffer (`/dev/fb0`: HDMI or an SPI TFT), showing the 128×64 status screen
//! scaled up by the largest whole factor that fits, in the top-left corner.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::display::render::{HEIGHT, WIDTH};
use crate::display::{render, DisplayError, MonoFramebuffer, Screen, StatusModel};

/// Size and pixel layout of a framebuffer, as the kernel reports it in sysfs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FbGeometry {
    pub width: u32,
    pub height: u32,
    /// 16 (RGB565) or 32 (XRGB8888).
    pub bits_per_pixel: u32,
    /// Bytes from one row to the next.
    pub stride: u32,
}

/// Bits per pixel of RGB565, common on SPI TFTs.
const RGB565: u32 = 16;
/// Bits per pixel of XRGB8888, the usual HDMI console format.
const XRGB8888: u32 = 32;

pub struct LinuxFramebuffer {
    file: File,
    path: PathBuf,
    geometry: FbGeometry,
    canvas: MonoFramebuffer,
    row: Vec<u8>,
}

impl LinuxFramebuffer {
    /// Opens e.g. `/dev/fb0`, reading its geometry from `/sys/class/graphics/fb0/`.
    pub fn open(path: &Path) -> Result<Self, DisplayError> {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("fb0");
        let sys = Path::new("/sys/class/graphics").join(name);
        let size_path = sys.join("virtual_size");
        let size = read_sys(&size_path)?;
        let (width, height) = size.split_once(',').unwrap_or((&size, ""));
        let bpp_path = sys.join("bits_per_pixel");
        let stride_path = sys.join("stride");
        let geometry = FbGeometry {
            width: number(&size_path, width)?,
            height: number(&size_path, height)?,
            bits_per_pixel: number(&bpp_path, &read_sys(&bpp_path)?)?,
            stride: number(&stride_path, &read_sys(&stride_path)?)?,
        };
        let file = OpenOptions::new()
            .write(true)
            .open(path)
            .map_err(|source| DisplayError::Io {
                action: "opening",
                path: path.to_owned(),
                source,
                hint: "add the user to the video group",
            })?;
        Self::with_geometry(file, path, geometry)
    }

    /// Uses an already open file with a known geometry (a test file, or a device set up elsewhere).
    pub fn with_geometry(
        file: File,
        path: &Path,
        geometry: FbGeometry,
    ) -> Result<Self, DisplayError> {
        if geometry.bits_per_pixel != RGB565 && geometry.bits_per_pixel != XRGB8888 {
            return Err(DisplayError::UnsupportedDepth {
                path: path.to_owned(),
                bits: geometry.bits_per_pixel,
            });
        }
        Ok(Self {
            file,
            path: path.to_owned(),
            geometry,
            canvas: MonoFramebuffer::new(),
            row: Vec::new(),
        })
    }

    /// Whole-number scale at which 128×64 fits the screen (at least 1: the screen crops).
    pub fn scale(&self) -> u32 {
        (self.geometry.width / WIDTH)
            .min(self.geometry.height / HEIGHT)
            .max(1)
    }

    /// Draws `model` and writes it to the framebuffer.
    pub fn show(&mut self, model: &StatusModel) -> Result<(), DisplayError> {
        // Drawing into memory cannot fail.
        let _ = render(model, &mut self.canvas);
        let scale = self.scale();
        let columns = (WIDTH * scale).min(self.geometry.width);
        let rows = (HEIGHT * scale).min(self.geometry.height);
        for y in 0..rows {
            self.row.clear();
            for x in 0..columns {
                let lit = self.canvas.pixel(x / scale, y / scale);
                push_pixel(&mut self.row, self.geometry.bits_per_pixel, lit);
            }
            let offset = u64::from(y) * u64::from(self.geometry.stride);
            self.file
                .write_all_at(&self.row, offset)
                .map_err(|source| DisplayError::Io {
                    action: "writing to",
                    path: self.path.clone(),
                    source,
                    hint: "the framebuffer went away or is smaller than sysfs said",
                })?;
        }
        Ok(())
    }
}

impl Screen for LinuxFramebuffer {
    fn show(&mut self, model: &StatusModel) -> Result<(), DisplayError> {
        LinuxFramebuffer::show(self, model)
    }
}

/// Appends one white or black pixel in the framebuffer's native (little-endian) format.
fn push_pixel(row: &mut Vec<u8>, bits_per_pixel: u32, lit: bool) {
    match (bits_per_pixel, lit) {
        (RGB565, true) => row.extend_from_slice(&0xFFFFu16.to_le_bytes()),
        (RGB565, false) => row.extend_from_slice(&[0, 0]),
        (_, true) => row.extend_from_slice(&0x00FF_FFFFu32.to_le_bytes()),
        (_, false) => row.extend_from_slice(&[0, 0, 0, 0]),
    }
}

fn read_sys(path: &Path) -> Result<String, DisplayError> {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .map_err(|source| DisplayError::Io {
            action: "reading",
            path: path.to_owned(),
            source,
            hint: "check that the framebuffer device exists (ls /dev/fb*)",
        })
}

fn number(path: &Path, text: &str) -> Result<u32, DisplayError> {
    text.trim().parse().map_err(|_| DisplayError::BadGeometry {
        path: path.to_owned(),
        detail: format!("read {text:?}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_unsupported_depth() {
        let path = std::env::temp_dir().join("eyeswitch-fb-depth-test");
        let file = File::create(&path).unwrap();
        let geometry = FbGeometry {
            width: 128,
            height: 64,
            bits_per_pixel: 24,
            stride: 384,
        };
        let err = LinuxFramebuffer::with_geometry(file, &path, geometry)
            .err()
            .unwrap();
        assert!(err
            .to_string()
            .contains("24 bits per pixel is not supported"));
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn rgb565_pixels_are_two_bytes() {
        let mut row = Vec::new();
        push_pixel(&mut row, RGB565, true);
        push_pixel(&mut row, RGB565, false);
        assert_eq!(row, [0xFF, 0xFF, 0, 0]);
    }
}
