//! Property tests of the capture path on arbitrary bytes: the MJPEG splitter, the frame
//! decoder and a whole stream replay never panic, and never report more frames than the
//! input holds start-of-image markers.

use std::io::{BufReader, Write};
use std::sync::OnceLock;

use eyeswitch::capture::{
    Decoder, EncodedFrame, Encoding, FrameDecoder, FrameSource, JpegSplitter, ReplaySource, Split,
};
use proptest::prelude::*;

use crate::prop_cases;

/// A small real JPEG, so generated streams hold real frames and real headers to cut.
fn real_jpeg() -> &'static [u8] {
    static JPEG: OnceLock<Vec<u8>> = OnceLock::new();
    JPEG.get_or_init(|| {
        let img =
            image::RgbImage::from_fn(24, 16, |x, y| image::Rgb([x as u8 * 9, y as u8 * 13, 77]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
            .encode_image(&img)
            .expect("encode a JPEG in memory");
        out
    })
}

/// Byte streams made of JPEG-like pieces: markers, segments with random lengths, whole and
/// cut real frames, and plain random bytes.
fn jpegish() -> impl Strategy<Value = Vec<u8>> {
    let jpeg = real_jpeg().to_vec();
    let len = jpeg.len();
    let piece = prop_oneof![
        6 => prop::collection::vec(any::<u8>(), 1..16),
        2 => Just(vec![0xFF, 0xD8]),
        2 => Just(vec![0xFF, 0xD9]),
        1 => Just(vec![0xFF, 0x00]),
        1 => Just(vec![0xFF, 0xFF]),
        1 => (0xD0u8..=0xD7).prop_map(|rst| vec![0xFF, rst]),
        2 => (0xC0u8..=0xFE, any::<u16>()).prop_map(|(m, n)| {
            let mut v = vec![0xFF, m];
            v.extend_from_slice(&n.to_be_bytes());
            v
        }),
        2 => Just(jpeg.clone()),
        2 => (1..len).prop_map(move |cut| jpeg[..cut].to_vec()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

/// FF D8 pairs in `data`: the most frames any split may find.
fn start_markers(data: &[u8]) -> usize {
    data.windows(2).filter(|w| w == &[0xFF, 0xD8]).count()
}

proptest! {
    #![proptest_config(prop_cases::config())]

    #[test]
    fn splitter_never_panics_nor_invents_frames(data in jpegish(), chunk in 1usize..64) {
        let mut splitter = JpegSplitter::new(BufReader::with_capacity(chunk, data.as_slice()));
        let (mut frames, mut out) = (0usize, Vec::new());
        while let Some(split) = splitter.next_into(&mut out).expect("in-memory read") {
            frames += 1;
            prop_assert!(out.starts_with(&[0xFF, 0xD8]));
            prop_assert!(out.len() <= data.len());
            if split == Split::Complete {
                prop_assert!(out.ends_with(&[0xFF, 0xD9]));
            }
        }
        prop_assert!(frames <= start_markers(&data), "{} frames", frames);
        prop_assert!(splitter.skipped_bytes() <= data.len() as u64);
        prop_assert!(splitter.false_starts() as usize <= start_markers(&data));
    }

    #[test]
    fn every_split_is_one_frame_whatever_the_read_size(data in jpegish(), chunk in 1usize..64) {
        let split_all = |capacity| {
            let mut splitter = JpegSplitter::new(BufReader::with_capacity(capacity, data.as_slice()));
            let mut out = Vec::new();
            let mut frames = Vec::new();
            while let Some(split) = splitter.next_into(&mut out).expect("in-memory read") {
                frames.push((split, out.clone()));
            }
            frames
        };
        prop_assert_eq!(split_all(chunk), split_all(1 << 16));
    }
}

proptest! {
    #![proptest_config(prop_cases::scaled(2))]

    #[test]
    fn frame_decoder_never_panics(
        data in prop_oneof![jpegish(), prop::collection::vec(any::<u8>(), 0..512)],
        png_header in any::<bool>(),
        (width, height, stride) in (0usize..48, 0usize..48, 0usize..128),
    ) {
        let mut decoder = FrameDecoder::new();
        let mut data = data;
        if png_header {
            let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
            png.append(&mut data);
            data = png;
        }
        let encodings = [
            Encoding::Jpeg,
            Encoding::Png,
            Encoding::Yuyv { width, height, stride },
        ];
        for encoding in encodings {
            let frame = EncodedFrame { data: &data, encoding, t_ms: 0, index: 0 };
            if let Ok((w, h)) = decoder.decode(&frame) {
                prop_assert_eq!(decoder.rgb().len(), w * h * 3);
            }
        }
    }

    #[test]
    fn stream_replay_never_panics_nor_invents_frames(data in jpegish()) {
        let mut file = tempfile_in_tmp();
        file.1.write_all(&data).expect("write the stream");
        drop(file.1);
        let mut frames = Decoder::new(ReplaySource::open(&file.0, 30.0).expect("open"));
        let mut decoded = 0u64;
        let mut last_index = None;
        loop {
            match frames.next_frame() {
                Ok(Some(frame)) => {
                    prop_assert!(last_index < Some(frame.index));
                    prop_assert_eq!(frame.t_ms, frame.index * 1000 / 30);
                    last_index = Some(frame.index);
                    decoded += 1;
                }
                Ok(None) => break,
                // Not an MJPEG stream: an error, never a panic.
                Err(e) => {
                    prop_assert!(e.to_string().contains("not an MJPEG stream"), "{}", e);
                    break;
                }
            }
        }
        let _ = std::fs::remove_file(&file.0);
        let found = decoded + frames.corrupt_frames();
        prop_assert!(found as usize <= start_markers(&data));
    }
}

/// A fresh file in the temp dir for one case.
fn tempfile_in_tmp() -> (std::path::PathBuf, std::fs::File) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let path =
        std::env::temp_dir().join(format!("eyeswitch-prop-{}-{n}.mjpeg", std::process::id()));
    let file = std::fs::File::create(&path).expect("create a file in the temp dir");
    (path, file)
}
