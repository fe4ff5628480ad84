//! The status screen's setup page: the QR code of the page's URL on a lit square at the left,
//! and beside it the face line and `host:port`, for a carer who types the address instead.
//!
//! ```text
//! x 0            64 68
//!   ██████████████   NO FACE
//!   ██ QR code  ██   192.168.
//!   ██ 2 px a   ██   178.20
//!   ██ module   ██   :8080
//!   ██████████████
//! ```
//!
//! Without a code (a URL too long for one at a readable size) the text takes the whole width.

use embedded_graphics::pixelcolor::BinaryColor;
use embedded_graphics::prelude::*;
use embedded_graphics::primitives::{PrimitiveStyle, Rectangle};
use embedded_graphics::text::Alignment;

use crate::display::render::{text, HEIGHT, ROW_FACE, WIDTH};
use crate::display::status::LINE_CHARS;
use crate::display::{QrBitmap, SetupCode};

/// Pixels per module: the smallest a phone reads reliably off the panel.
pub const MODULE_PX: u32 = 2;
/// The lit square behind the code: the full height, so the quiet zone is as wide as fits.
pub const QUIET_SQUARE: u32 = HEIGHT;
/// Left edge of the text beside the code.
pub const TEXT_X: i32 = QUIET_SQUARE as i32 + 4;
/// Width of a character in the 6×10 font.
const CHAR_PX: u32 = 6;
/// Top of the first address line, under the face line.
const ROW_ADDRESS: i32 = 14;
/// From one text line to the next.
const LINE_PX: i32 = 10;
/// Address lines that fit under the face line.
const ADDRESS_LINES: usize = 5;

/// Draws the page on a cleared `target`.
pub fn draw<D>(code: &SetupCode, face_found: bool, target: &mut D) -> Result<(), D::Error>
where
    D: DrawTarget<Color = BinaryColor>,
{
    let (x, chars) = match code.qr() {
        Some(qr) => {
            qr_code(qr, target)?;
            (TEXT_X, ((WIDTH - TEXT_X as u32) / CHAR_PX) as usize)
        }
        None => (0, LINE_CHARS),
    };
    let face = if face_found { "FACE" } else { "NO FACE" };
    text(target, face, Point::new(x, ROW_FACE), Alignment::Left)?;
    let (host, port) = code
        .address()
        .rsplit_once(':')
        .map_or((code.address(), ""), |(h, _)| {
            (h, &code.address()[h.len()..])
        });
    let lines = wrap(host, chars).chain((!port.is_empty()).then_some(port));
    for (i, line) in lines.take(ADDRESS_LINES).enumerate() {
        let y = ROW_ADDRESS + LINE_PX * i as i32;
        text(target, line, Point::new(x, y), Alignment::Left)?;
    }
    Ok(())
}

/// The code centred on a lit square: dark modules are unlit pixels, as a printed code is dark
/// ink on white paper, the polarity every phone reads.
fn qr_code<D>(qr: &QrBitmap, target: &mut D) -> Result<(), D::Error>
where
    D: DrawTarget<Color = BinaryColor>,
{
    Rectangle::new(Point::zero(), Size::new(QUIET_SQUARE, QUIET_SQUARE))
        .into_styled(PrimitiveStyle::with_fill(BinaryColor::On))
        .draw(target)?;
    let margin = (QUIET_SQUARE - qr.width() * MODULE_PX) / 2;
    let module = Size::new(MODULE_PX, MODULE_PX);
    for y in 0..qr.width() {
        for x in (0..qr.width()).filter(|&x| qr.dark(x, y)) {
            let at = Point::new(
                (margin + x * MODULE_PX) as i32,
                (margin + y * MODULE_PX) as i32,
            );
            Rectangle::new(at, module)
                .into_styled(PrimitiveStyle::with_fill(BinaryColor::Off))
                .draw(target)?;
        }
    }
    Ok(())
}

/// `s` in lines of at most `chars`, each broken after its last dot when it has one, so an
/// address splits between its parts (`192.168.` / `178.20`).
fn wrap(s: &str, chars: usize) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let mut end = rest
            .char_indices()
            .nth(chars)
            .map_or(rest.len(), |(i, _)| i);
        if end < rest.len() {
            if let Some(dot) = rest[..end].rfind('.') {
                end = dot + 1;
            }
        }
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_after_dots() {
        let lines: Vec<&str> = wrap("192.168.178.20", 10).collect();
        assert_eq!(lines, ["192.168.", "178.20"]);
        let lines: Vec<&str> = wrap("eyeswitch.local", 10).collect();
        assert_eq!(lines, ["eyeswitch.", "local"]);
        let lines: Vec<&str> = wrap("abcdefghijkl", 5).collect();
        assert_eq!(lines, ["abcde", "fghij", "kl"]);
        assert_eq!(wrap("", 5).count(), 0);
    }
}
