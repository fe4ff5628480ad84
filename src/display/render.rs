//! Draws a [`StatusModel`] on a 128×64 monochrome layout: the setup page
//! ([`crate::display::setup_page`]) when the display thread chose it, else the status:
//!
//! ```text
//! y  0  FACE            30fps
//! y 12  R [#####   ] L [###    ]
//! y 26  GAZE left        60cm    (NEAR 18cm / FAR 140cm outside the accurate range)
//! y 40  PRESS 1 long_blink
//! ```

use std::fmt::Write;

use embedded_graphics::mono_font::ascii::FONT_6X10;
use embedded_graphics::mono_font::MonoTextStyle;
use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{PrimitiveStyle, Rectangle};
use embedded_graphics::text::{Alignment, Baseline, Text, TextStyleBuilder};

use crate::display::status::LINE_CHARS;
use crate::display::{setup_page, FixedText, Page, StatusModel};
use crate::event::GazeRegion;
use crate::gesture::distance::Guidance;

/// Screen width the layout is drawn for (SSD1306 128×64).
pub const WIDTH: u32 = 128;
/// Screen height the layout is drawn for.
pub const HEIGHT: u32 = 64;

/// Top of each text row; the font is 10 pixels tall, rows leave a gap for legibility.
pub(super) const ROW_FACE: i32 = 0;
const ROW_BARS: i32 = 12;
const ROW_GAZE: i32 = 26;
const ROW_EVENT: i32 = 40;

/// Left edge of the right-eye bar, after its one-character label.
pub const RIGHT_BAR_X: i32 = 8;
/// Left edge of the left-eye bar, after the gap and its label.
pub const LEFT_BAR_X: i32 = 74;
/// Outer bar size: two bars and labels fill the 128-pixel width.
pub const BAR_SIZE: Size = Size::new(54, 9);
/// Top of both bars.
pub const BAR_Y: i32 = ROW_BARS;
/// Label of the left-eye bar.
const LEFT_LABEL_X: i32 = 66;

/// Clears `target` and draws the page `model.page` names.
pub fn render<D>(model: &StatusModel, target: &mut D) -> Result<(), D::Error>
where
    D: DrawTarget<Color = BinaryColor>,
{
    target.clear(BinaryColor::Off)?;
    if let (Page::Setup, Some(code)) = (model.page, model.setup()) {
        return setup_page::draw(code, model.face_found, target);
    }
    let face = if model.face_found { "FACE" } else { "NO FACE" };
    text(target, face, Point::new(0, ROW_FACE), Alignment::Left)?;

    let mut fps = FixedText::<8>::new();
    // FixedText truncates instead of failing.
    let _ = write!(fps, "{:.0}fps", model.fps.max(0.0));
    let right_edge = Point::new(WIDTH as i32 - 1, ROW_FACE);
    text(target, fps.as_str(), right_edge, Alignment::Right)?;

    text(target, "R", Point::new(0, ROW_BARS), Alignment::Left)?;
    bar(target, Point::new(RIGHT_BAR_X, BAR_Y), model.right_eye)?;
    text(
        target,
        "L",
        Point::new(LEFT_LABEL_X, ROW_BARS),
        Alignment::Left,
    )?;
    bar(target, Point::new(LEFT_BAR_X, BAR_Y), model.left_eye)?;

    let mut gaze = FixedText::<LINE_CHARS>::new();
    let _ = write!(gaze, "GAZE {}", model.gaze.map_or("-", GazeRegion::name));
    text(
        target,
        gaze.as_str(),
        Point::new(0, ROW_GAZE),
        Alignment::Left,
    )?;

    let mut dist = FixedText::<12>::new();
    if let Some(mm) = model.distance_mm {
        let word = match model.distance {
            Some(Guidance::TooClose) => "NEAR ",
            Some(Guidance::TooFar) => "FAR ",
            _ => "",
        };
        let _ = write!(dist, "{word}{:.0}cm", mm / 10.0);
    }
    let gaze_right = Point::new(WIDTH as i32 - 1, ROW_GAZE);
    text(target, dist.as_str(), gaze_right, Alignment::Right)?;

    text(
        target,
        model.last_event(),
        Point::new(0, ROW_EVENT),
        Alignment::Left,
    )
}

/// One line of text in the 6×10 font, `at` being its top-left (or top-right) corner.
pub(super) fn text<D>(
    target: &mut D,
    s: &str,
    at: Point,
    alignment: Alignment,
) -> Result<(), D::Error>
where
    D: DrawTarget<Color = BinaryColor>,
{
    let font = MonoTextStyle::new(&FONT_6X10, BinaryColor::On);
    let style = TextStyleBuilder::new()
        .baseline(Baseline::Top)
        .alignment(alignment)
        .build();
    Text::with_text_style(s, at, font, style).draw(target)?;
    Ok(())
}

/// The filled width inside a bar's 1-pixel outline for `openness` (clamped; NaN counts as 0).
pub fn fill_width(openness: f32) -> u32 {
    let inner = BAR_SIZE.width - 2;
    let openness = if openness.is_nan() {
        0.0
    } else {
        openness.clamp(0.0, 1.0)
    };
    // At most `inner` (52), so the conversion is exact.
    (openness * inner as f32).round() as u32
}

/// An outlined bar whose interior is filled from the left in proportion to `openness`.
fn bar<D>(target: &mut D, at: Point, openness: f32) -> Result<(), D::Error>
where
    D: DrawTarget<Color = BinaryColor>,
{
    Rectangle::new(at, BAR_SIZE)
        .into_styled(PrimitiveStyle::with_stroke(BinaryColor::On, 1))
        .draw(target)?;
    let fill = Size::new(fill_width(openness), BAR_SIZE.height - 2);
    Rectangle::new(at + Point::new(1, 1), fill)
        .into_styled(PrimitiveStyle::with_fill(BinaryColor::On))
        .draw(target)
}
