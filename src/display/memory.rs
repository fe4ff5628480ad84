//! An in-memory 128×64 monochrome framebuffer: the test target, and the source for the Linux
//! framebuffer backend, which scales it up.

use std::convert::Infallible;
use std::path::Path;

use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use image::{GrayImage, Luma};

use crate::display::render::{HEIGHT, WIDTH};
use crate::display::DisplayError;

/// Grey level of a lit pixel in the PNG (white, like an OLED pixel).
const ON: u8 = 255;

#[derive(Clone, PartialEq, Eq)]
pub struct MonoFramebuffer {
    pixels: [bool; (WIDTH * HEIGHT) as usize],
}

impl Default for MonoFramebuffer {
    fn default() -> Self {
        Self::new()
    }
}

impl MonoFramebuffer {
    pub const fn new() -> Self {
        Self {
            pixels: [false; (WIDTH * HEIGHT) as usize],
        }
    }

    /// Whether the pixel at (`x`, `y`) is lit; outside the screen is dark.
    pub fn pixel(&self, x: u32, y: u32) -> bool {
        x < WIDTH && y < HEIGHT && self.pixels[(y * WIDTH + x) as usize]
    }

    /// The screen as an 8-bit grey image, lit pixels white.
    pub fn to_image(&self) -> GrayImage {
        GrayImage::from_fn(WIDTH, HEIGHT, |x, y| {
            Luma([if self.pixel(x, y) { ON } else { 0 }])
        })
    }

    pub fn save_png(&self, path: &Path) -> Result<(), DisplayError> {
        self.to_image()
            .save_with_format(path, image::ImageFormat::Png)
            .map_err(|source| DisplayError::Png {
                path: path.to_owned(),
                source,
            })
    }
}

impl OriginDimensions for MonoFramebuffer {
    fn size(&self) -> Size {
        Size::new(WIDTH, HEIGHT)
    }
}

impl DrawTarget for MonoFramebuffer {
    type Color = BinaryColor;
    type Error = Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        for Pixel(point, color) in pixels {
            if let (Ok(x), Ok(y)) = (u32::try_from(point.x), u32::try_from(point.y)) {
                if x < WIDTH && y < HEIGHT {
                    self.pixels[(y * WIDTH + x) as usize] = color.is_on();
                }
            }
        }
        Ok(())
    }
}
