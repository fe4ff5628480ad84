//! The live preview: the frame loop copies a downscaled picture and the face's landmarks into
//! a preallocated slot, only while someone watches and at most [`MAX_FPS`] times a second; the
//! viewer's own thread draws the overlay and encodes the JPEG, so the frame loop never encodes.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, TryLockError};
use std::time::Duration;

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, RgbImage};

use crate::capture::Frame;
use crate::vision::Face;

/// Preview frames per second at most: live enough to aim a camera by.
pub const MAX_FPS: u64 = 10;
/// The preview's widest side, in pixels: a phone screen's width in CSS pixels.
pub const MAX_SIDE: usize = 320;
/// JPEG quality: faces stay recognisable at about 10 KB a frame.
const QUALITY: u8 = 70;
/// The multipart boundary between frames.
pub const BOUNDARY: &str = "eyeswitchframe";

/// The picture last copied, and the face on it in the picture's own pixels.
struct Picture {
    width: usize,
    height: usize,
    rgb: Vec<u8>,
    face: Option<Face>,
    version: u64,
}

/// The slot and its viewer count.
pub struct PreviewSlot {
    picture: Mutex<Picture>,
    fresh: Condvar,
    viewers: AtomicUsize,
}

impl Default for PreviewSlot {
    fn default() -> Self {
        Self {
            picture: Mutex::new(Picture {
                width: 0,
                height: 0,
                rgb: vec![0; MAX_SIDE * MAX_SIDE * 3],
                face: None,
                version: 0,
            }),
            fresh: Condvar::new(),
            viewers: AtomicUsize::new(0),
        }
    }
}

impl PreviewSlot {
    /// Whether anyone watches: the frame loop copies nothing otherwise.
    pub fn watched(&self) -> bool {
        self.viewers.load(Ordering::Relaxed) > 0
    }

    /// Copies `frame`, downscaled by a whole step so its widest side fits [`MAX_SIDE`], and the
    /// face scaled alike; skipped (never waited for) while a viewer is copying out.
    pub fn fill(&self, frame: &Frame<'_>, face: Option<&Face>) {
        let mut picture = match self.picture.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        let img = frame.image;
        let step = img.width.max(img.height).div_ceil(MAX_SIDE).max(1);
        let (w, h) = (img.width / step, img.height / step);
        let out = &mut picture.rgb[..w * h * 3];
        for y in 0..h {
            let row = &img.data[y * step * img.width * 3..];
            for x in 0..w {
                let (src, dst) = (x * step * 3, (y * w + x) * 3);
                out[dst..dst + 3].copy_from_slice(&row[src..src + 3]);
            }
        }
        picture.width = w;
        picture.height = h;
        picture.face = face.map(|f| scaled(f, 1.0 / step as f32));
        picture.version = picture.version.wrapping_add(1);
        drop(picture);
        self.fresh.notify_all();
    }

    /// A viewer: counted while it lives, so the frame loop fills the slot.
    pub fn viewer(&self) -> Viewer<'_> {
        self.viewers.fetch_add(1, Ordering::Relaxed);
        Viewer {
            slot: self,
            seen: 0,
            image: RgbImage::new(1, 1),
            jpeg: Vec::with_capacity(32 * 1024),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Picture> {
        self.picture.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One viewer's stream; dropping it stops the frame loop's copies once no viewer is left.
pub struct Viewer<'a> {
    slot: &'a PreviewSlot,
    seen: u64,
    image: RgbImage,
    jpeg: Vec<u8>,
}

impl Viewer<'_> {
    /// Waits up to `wait` for a picture newer than the last one, draws the overlay on it and
    /// writes it to `out` as one multipart part. `Ok(false)` when none came in time.
    pub fn next_part(&mut self, wait: Duration, out: &mut impl Write) -> std::io::Result<bool> {
        let face = {
            let mut picture = self.slot.lock();
            if picture.version == self.seen {
                picture = match self.slot.fresh.wait_timeout(picture, wait) {
                    Ok((guard, _)) => guard,
                    Err(p) => p.into_inner().0,
                };
            }
            if picture.version == self.seen || picture.width == 0 {
                return Ok(false);
            }
            self.seen = picture.version;
            let (w, h) = (picture.width, picture.height);
            let data = picture.rgb[..w * h * 3].to_vec();
            self.image = RgbImage::from_raw(w as u32, h as u32, data)
                .ok_or_else(|| std::io::Error::other("preview picture of the wrong size"))?;
            picture.face
        };
        if let Some(face) = &face {
            crate::draw::draw_face(&mut self.image, face, false);
        }
        self.jpeg.clear();
        JpegEncoder::new_with_quality(&mut self.jpeg, QUALITY)
            .encode(
                self.image.as_raw(),
                self.image.width(),
                self.image.height(),
                ExtendedColorType::Rgb8,
            )
            .map_err(std::io::Error::other)?;
        write!(
            out,
            "--{BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: {}\r\n\r\n",
            self.jpeg.len()
        )?;
        out.write_all(&self.jpeg)?;
        out.write_all(b"\r\n")?;
        out.flush()?;
        Ok(true)
    }
}

impl Drop for Viewer<'_> {
    fn drop(&mut self) {
        self.slot.viewers.fetch_sub(1, Ordering::Relaxed);
    }
}

/// `face` with every point multiplied by `k`.
fn scaled(face: &Face, k: f32) -> Face {
    let mut f = *face;
    for b in &mut f.detection.bbox {
        *b *= k;
    }
    for p in f.mesh.points.iter_mut() {
        p[0] *= k;
        p[1] *= k;
    }
    for eye in [&mut f.right_eye, &mut f.left_eye] {
        for p in eye.contour.iter_mut().chain(eye.iris.iter_mut()) {
            p[0] *= k;
            p[1] *= k;
        }
    }
    f
}
