//! Which of a camera's offered formats to ask for: a pure function, testable without a device.
//!
//! Order of concern: resolution first (the vision models need enough pixels on the eyes, and
//! more than needed only costs decode time), then frame rate (blink timing resolution), then
//! pixel format. Between YUYV and MJPEG at the same size and rate, **YUYV wins**: converting it
//! costs a fraction of a JPEG decode on a Pi, and it has no compression blocks around the
//! eyelids. MJPEG is chosen when it is the only way to get the size or rate, which is common
//! above 640×480 on USB 2 cameras (YUYV there often tops out at 5–10 fps).

/// A pixel format eyeswitch can decode from a camera (`[camera] format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CameraFormat {
    /// Uncompressed 4:2:2; no decode cost, but USB 2 bandwidth limits it to about 640×480 at 30 fps.
    Yuyv,
    /// JPEG frames; needed for larger sizes at full frame rate, costs a decode per frame.
    Mjpeg,
}

/// One (format, size, frame rate) combination the device offers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OfferedFormat {
    pub format: CameraFormat,
    pub width: u32,
    pub height: u32,
    pub fps: f64,
}

/// What the configuration asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wanted {
    pub width: u32,
    pub height: u32,
    pub fps: f64,
    /// Only this format, when the camera offers it at all; any format when `None`.
    pub format: Option<CameraFormat>,
}

/// The combination to request from the driver.
pub type Choice = OfferedFormat;

/// Picks the offer closest to `wanted`: the smallest size at or above it (else the largest
/// below it), then the frame rate closest to it (the higher on a tie), then YUYV over MJPEG.
/// A wanted format narrows the offers to that format if the camera has it at all; otherwise
/// the camera's best offer is taken (and the caller says so), since some picture beats none.
pub fn choose_format(offered: &[OfferedFormat], wanted: &Wanted) -> Option<Choice> {
    let usable =
        |o: &&OfferedFormat| o.width > 0 && o.height > 0 && o.fps.is_finite() && o.fps > 0.0;
    let has_wanted = wanted
        .format
        .is_some_and(|f| offered.iter().filter(usable).any(|o| o.format == f));
    offered
        .iter()
        .filter(usable)
        .filter(|o| !has_wanted || wanted.format == Some(o.format))
        .min_by(|a, b| {
            let (ka, kb) = (size_key(a, wanted), size_key(b, wanted));
            ka.cmp(&kb)
                .then_with(|| {
                    let (da, db) = ((a.fps - wanted.fps).abs(), (b.fps - wanted.fps).abs());
                    da.total_cmp(&db)
                })
                .then_with(|| b.fps.total_cmp(&a.fps))
                .then_with(|| format_rank(a.format).cmp(&format_rank(b.format)))
        })
        .copied()
}

/// Smaller is better: every size at/above the wanted one beats every size below it; among
/// those above, the smaller area wins; among those below, the larger.
fn size_key(o: &OfferedFormat, wanted: &Wanted) -> (bool, i64) {
    let area = i64::from(o.width) * i64::from(o.height);
    let below = o.width < wanted.width || o.height < wanted.height;
    (below, if below { -area } else { area })
}

fn format_rank(f: CameraFormat) -> u8 {
    match f {
        CameraFormat::Yuyv => 0,
        CameraFormat::Mjpeg => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CameraFormat::{Mjpeg, Yuyv};

    fn offer(format: CameraFormat, width: u32, height: u32, fps: f64) -> OfferedFormat {
        OfferedFormat {
            format,
            width,
            height,
            fps,
        }
    }

    /// A typical USB 2 webcam: YUYV is slow above VGA, MJPEG runs 30 fps everywhere.
    fn webcam() -> Vec<OfferedFormat> {
        vec![
            offer(Yuyv, 640, 480, 30.0),
            offer(Yuyv, 640, 480, 15.0),
            offer(Yuyv, 1280, 720, 10.0),
            offer(Yuyv, 320, 240, 30.0),
            offer(Mjpeg, 640, 480, 30.0),
            offer(Mjpeg, 1280, 720, 30.0),
            offer(Mjpeg, 1920, 1080, 30.0),
        ]
    }

    fn want(width: u32, height: u32, fps: f64) -> Wanted {
        Wanted {
            width,
            height,
            fps,
            format: None,
        }
    }

    #[test]
    fn yuyv_wins_when_it_matches_size_and_rate() {
        let c = choose_format(&webcam(), &want(640, 480, 30.0));
        assert_eq!(c, Some(offer(Yuyv, 640, 480, 30.0)));
    }

    #[test]
    fn mjpeg_wins_when_yuyv_is_too_slow() {
        let c = choose_format(&webcam(), &want(1280, 720, 30.0));
        assert_eq!(c, Some(offer(Mjpeg, 1280, 720, 30.0)));
    }

    #[test]
    fn smallest_size_at_or_above_wanted() {
        let c = choose_format(&webcam(), &want(800, 600, 30.0));
        assert_eq!(c, Some(offer(Mjpeg, 1280, 720, 30.0)));
        let c = choose_format(&webcam(), &want(300, 200, 30.0));
        assert_eq!(c, Some(offer(Yuyv, 320, 240, 30.0)));
    }

    #[test]
    fn largest_size_below_when_nothing_is_big_enough() {
        let c = choose_format(&webcam(), &want(3840, 2160, 30.0));
        assert_eq!(c, Some(offer(Mjpeg, 1920, 1080, 30.0)));
    }

    #[test]
    fn closest_rate_then_higher_on_tie() {
        let c = choose_format(&webcam(), &want(640, 480, 14.0));
        assert_eq!(c, Some(offer(Yuyv, 640, 480, 15.0)));
        let tie = [offer(Yuyv, 640, 480, 20.0), offer(Yuyv, 640, 480, 30.0)];
        assert_eq!(choose_format(&tie, &want(640, 480, 25.0)), Some(tie[1]));
    }

    #[test]
    fn nothing_offered_or_nonsense_offers() {
        assert_eq!(choose_format(&[], &want(640, 480, 30.0)), None);
        let bad = [offer(Yuyv, 0, 480, 30.0), offer(Mjpeg, 640, 480, f64::NAN)];
        assert_eq!(choose_format(&bad, &want(640, 480, 30.0)), None);
    }

    #[test]
    fn a_wanted_format_is_honoured_when_offered() {
        let mjpeg = Wanted {
            format: Some(Mjpeg),
            ..want(640, 480, 30.0)
        };
        assert_eq!(
            choose_format(&webcam(), &mjpeg),
            Some(offer(Mjpeg, 640, 480, 30.0))
        );
        let only_yuyv = [offer(Yuyv, 640, 480, 30.0)];
        assert_eq!(choose_format(&only_yuyv, &mjpeg), Some(only_yuyv[0]));
    }
}
