//! The setup page's address on the status screen: a QR code a phone scans, and `host:port` as
//! text, both made once when `run` starts the page, so the display thread draws them without
//! encoding or allocating.

use std::fmt::Write;

use qrcode::bits::Bits;
use qrcode::{Color, EcLevel, QrCode, Version};

use crate::display::FixedText;

/// The largest version drawn, and its modules across.
const MAX_VERSION: i16 = 3;
/// Modules across the largest code drawn: version 3. At 2 pixels a module (0.34 mm on a 0.96"
/// SSD1306) a phone reads it from a hand's length; version 4 (33 modules, 66 pixels) would not
/// fit the 64 rows at that size, and 1-pixel modules are too fine to scan off the panel.
pub const MAX_MODULES: usize = 29;

/// Characters kept of `host:port`: a `.local` name, a dotted IPv4 or a bracketed IPv6 address.
pub const ADDRESS_CHARS: usize = 48;

/// Error correction, strongest first: the first level whose code fits is used. A lit panel is
/// not smudged like print, so the weakest (7 %) is enough when the URL needs all the room.
const LEVELS: [EcLevel; 4] = [EcLevel::H, EcLevel::Q, EcLevel::M, EcLevel::L];

/// A QR code's modules, one row per `u32` (bit `x` set: dark).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QrBitmap {
    width: u32,
    rows: [u32; MAX_MODULES],
}

impl QrBitmap {
    /// The code for `text` at the strongest error correction that fits [`MAX_MODULES`], in the
    /// smallest version at that level, or `None` when even the weakest needs a larger code.
    pub fn encode(text: &str) -> Option<Self> {
        let code = LEVELS.iter().find_map(|&level| {
            (1..=MAX_VERSION).find_map(|version| {
                let bits = segments(text.as_bytes(), Version::Normal(version), level)?;
                QrCode::with_bits(bits, level).ok()
            })
        })?;
        let width = code.width();
        let mut rows = [0u32; MAX_MODULES];
        for (i, color) in code.to_colors().into_iter().enumerate() {
            if color == Color::Dark {
                rows[i / width] |= 1 << (i % width);
            }
        }
        Some(Self {
            // At most MAX_MODULES (29), so the conversion is exact.
            width: width as u32,
            rows,
        })
    }

    /// Modules across (and down): 21, 25 or 29.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Whether the module at (`x`, `y`) is dark; outside the code is light (the quiet zone).
    pub fn dark(&self, x: u32, y: u32) -> bool {
        x < self.width && y < self.width && self.rows[y as usize] & (1 << x) != 0
    }
}

/// What the status screen's setup page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetupCode {
    qr: Option<QrBitmap>,
    address: FixedText<ADDRESS_CHARS>,
}

impl SetupCode {
    /// From the URL the page logs at start ([`crate::web::WebServer::url`]).
    pub fn new(url: &str) -> Self {
        let mut address = FixedText::new();
        // FixedText truncates instead of failing.
        let _ = address.write_str(authority(url));
        Self {
            qr: QrBitmap::encode(&qr_text(url)),
            address,
        }
    }

    /// The code, when the URL fits one at a readable size.
    pub fn qr(&self) -> Option<&QrBitmap> {
        self.qr.as_ref()
    }

    /// `host:port`, what a carer types when the code cannot be scanned.
    pub fn address(&self) -> &str {
        self.address.as_str()
    }
}

/// `url` as the code carries it: scheme and host in capitals (case-blind by RFC 3986, so the
/// same URL), and the token too, which the page accepts in either case (it is hex). QR's
/// alphanumeric mode then packs those at 5.5 bits a character instead of 8, which is what lets
/// `http://<ipv4>:<port>/?token=<32 hex>` fit version 3 at 2 pixels a module.
pub fn qr_text(url: &str) -> String {
    let head_len = url.find("://").map_or(0, |i| i + 3) + authority(url).len();
    let (head, rest) = url.split_at(head_len);
    let mut text = head.to_ascii_uppercase();
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    text.push_str(path);
    for (i, pair) in query.split('&').enumerate().filter(|_| !query.is_empty()) {
        text.push(if i == 0 { '?' } else { '&' });
        match pair.strip_prefix("token=") {
            Some(token) => {
                text.push_str("token=");
                text.push_str(&token.to_ascii_uppercase());
            }
            None => text.push_str(pair),
        }
    }
    text
}

/// `text` as segments in `version`, or `None` when it does not fit at `level`: each run of
/// alphanumeric characters in that mode, the rest as bytes. The crate's own segmenter packs a
/// URL worse (it spends bytes on hex that could be alphanumeric), one version too large.
fn segments(text: &[u8], version: Version, level: EcLevel) -> Option<Bits> {
    let mut bits = Bits::new(version);
    for run in text.chunk_by(|a, b| alphanumeric(*a) == alphanumeric(*b)) {
        let pushed = if alphanumeric(run[0]) {
            bits.push_alphanumeric_data(run)
        } else {
            bits.push_byte_data(run)
        };
        pushed.ok()?;
    }
    bits.push_terminator(level).ok()?;
    Some(bits)
}

/// Whether QR's alphanumeric mode holds `b`.
fn alphanumeric(b: u8) -> bool {
    b.is_ascii_digit() || b.is_ascii_uppercase() || b" $%*+-./:".contains(&b)
}

/// The `host:port` of `url`: between the scheme and the path.
fn authority(url: &str) -> &str {
    let after = url.split_once("://").map_or(url, |(_, a)| a);
    after.split(['/', '?']).next().unwrap_or(after)
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://192.168.178.20:8080/?token=3f9c0a1b2c3d4e5f60718293a4b5c6d7";

    #[test]
    fn capitals_only_where_case_does_not_matter() {
        assert_eq!(
            qr_text(URL),
            "HTTP://192.168.178.20:8080/?token=3F9C0A1B2C3D4E5F60718293A4B5C6D7"
        );
        assert_eq!(qr_text("http://h.local:80/"), "HTTP://H.LOCAL:80/");
        assert_eq!(
            qr_text("http://h:1/a?x=b&token=ab"),
            "HTTP://H:1/a?x=b&token=AB"
        );
    }

    #[test]
    fn a_setup_url_fits_version_3_and_its_address_is_kept() {
        let code = SetupCode::new(URL);
        assert_eq!(code.address(), "192.168.178.20:8080");
        assert_eq!(code.qr().map(QrBitmap::width), Some(29));
        let named =
            SetupCode::new("http://eyeswitch.local:8080/?token=3f9c0a1b2c3d4e5f60718293a4b5c6d7");
        assert_eq!(named.address(), "eyeswitch.local:8080");
        assert!(named.qr().is_some(), "a .local name fits too");
    }

    #[test]
    fn a_local_name_fits_up_to_17_characters() {
        let url = |host: &str| format!("http://{host}:8080/?token={}", "ab".repeat(16));
        assert!(SetupCode::new(&url("raspberrypi.local")).qr().is_some());
        assert!(SetupCode::new(&url("raspberrypi2.local")).qr().is_none());
        let widest = "http://255.255.255.255:65535/?token=00112233445566778899aabbccddeeff";
        assert!(
            SetupCode::new(widest).qr().is_some(),
            "any IPv4 address fits"
        );
    }

    #[test]
    fn a_url_too_long_for_a_readable_code_keeps_the_text() {
        let long = format!(
            "http://{}.local:8080/?token={}",
            "a".repeat(40),
            "0".repeat(32)
        );
        let code = SetupCode::new(&long);
        assert!(code.qr().is_none());
        assert!(code.address().starts_with("aaaa"));
    }

    #[test]
    fn short_text_makes_a_smaller_code() {
        let qr = QrBitmap::encode("HTTP://A/").unwrap();
        assert_eq!(qr.width(), 21);
        // The finder pattern's corner is dark, the module next to it outside the code light.
        assert!(qr.dark(0, 0));
        assert!(!qr.dark(21, 0));
    }
}
