//! Draws landmarks over an image with embedded-graphics, for `detect --draw` and the setup
//! page's preview.

use embedded_graphics::pixelcolor::Rgb888;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{Circle, Line, PrimitiveStyle, Rectangle};
use image::RgbImage;

use crate::vision::Face;

/// An `image::RgbImage` as an embedded-graphics draw target; off-image pixels are dropped.
pub struct ImageTarget<'a>(pub &'a mut RgbImage);

impl OriginDimensions for ImageTarget<'_> {
    fn size(&self) -> Size {
        Size::new(self.0.width(), self.0.height())
    }
}

impl DrawTarget for ImageTarget<'_> {
    type Color = Rgb888;
    type Error = core::convert::Infallible;

    fn draw_iter<I>(&mut self, pixels: I) -> Result<(), Self::Error>
    where
        I: IntoIterator<Item = Pixel<Self::Color>>,
    {
        let (w, h) = (self.0.width() as i32, self.0.height() as i32);
        for Pixel(p, c) in pixels {
            if p.x >= 0 && p.y >= 0 && p.x < w && p.y < h {
                self.0
                    .put_pixel(p.x as u32, p.y as u32, image::Rgb([c.r(), c.g(), c.b()]));
            }
        }
        Ok(())
    }
}

const MESH: Rgb888 = Rgb888::new(0, 220, 0);
const CONTOUR: Rgb888 = Rgb888::new(255, 200, 0);
const IRIS: Rgb888 = Rgb888::new(0, 160, 255);
const BOX: Rgb888 = Rgb888::new(255, 60, 60);

/// Draws each face's detection box, mesh, eye contours and irises onto `img`.
pub fn draw_faces(img: &mut RgbImage, faces: &[Face]) {
    for face in faces {
        draw_face(img, face, true);
    }
}

/// One face's detection box, eye contours and irises, and its mesh when `mesh` (the setup
/// page's preview leaves the mesh out: on a phone it hides the eyes).
pub fn draw_face(img: &mut RgbImage, face: &Face, mesh: bool) {
    let mut target = ImageTarget(img);
    // Dots and lines grow with the face so the overlay reads at any resolution.
    let iod = dist(face.mesh.points[33], face.mesh.points[263]);
    let dot = ((iod / 60.0).round() as u32).clamp(1, 6);
    let stroke = dot.div_ceil(2);
    let [x0, y0, x1, y1] = face.detection.bbox;
    let _ = Rectangle::with_corners(pt(x0, y0), pt(x1, y1))
        .into_styled(PrimitiveStyle::with_stroke(BOX, stroke))
        .draw(&mut target);
    if mesh {
        for p in &face.mesh.points {
            let _ = dot_at(p, dot, MESH).draw(&mut target);
        }
    }
    for eye in [&face.right_eye, &face.left_eye] {
        for p in &eye.contour {
            let _ = dot_at(p, dot, CONTOUR).draw(&mut target);
        }
        let centre = eye.iris[0];
        let radius = eye.iris[1..].iter().map(|p| dist(*p, centre)).sum::<f32>() / 4.0;
        let d = (2.0 * radius).round().max(1.0) as u32;
        let _ = Circle::with_center(pt(centre[0], centre[1]), d)
            .into_styled(PrimitiveStyle::with_stroke(IRIS, stroke))
            .draw(&mut target);
        let [a, b] = [eye.iris[1], eye.iris[3]];
        let _ = Line::new(pt(a[0], a[1]), pt(b[0], b[1]))
            .into_styled(PrimitiveStyle::with_stroke(IRIS, 1))
            .draw(&mut target);
    }
}

fn dot_at(
    p: &[f32; 3],
    d: u32,
    color: Rgb888,
) -> embedded_graphics::primitives::Styled<Circle, PrimitiveStyle<Rgb888>> {
    Circle::with_center(pt(p[0], p[1]), d).into_styled(PrimitiveStyle::with_fill(color))
}

fn pt(x: f32, y: f32) -> Point {
    Point::new(x.round() as i32, y.round() as i32)
}

fn dist(a: [f32; 3], b: [f32; 3]) -> f32 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}
