//! Replay of recorded frames: a directory of images or a raw MJPEG stream file.
//!
//! Both yield encoded frames, so a replay goes through the same [`Decoder`](super::Decoder)
//! as a camera. Every frame of the recording keeps its time slot, readable or not, so a bad
//! frame never shifts the timing of the good ones after it: an unreadable image file and a cut
//! or corrupt JPEG are passed on for the decoder to count and skip. Garbage between stream
//! frames is not a frame and takes no slot (see [`JpegSplitter`]).

use super::split::{JpegSplitter, Split};
use super::{CaptureError, EncodedFrame, EncodedSource, Encoding};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

/// Read buffer for stream files: a few typical MJPEG frames, so reads stay large.
const STREAM_BUFFER: usize = 256 << 10;
/// Room for one encoded frame from the start, so a frame larger than any before it does not
/// grow the buffer mid-stream (an allocation in the hot loop). 2 MiB holds a 1080p MJPEG frame.
pub(super) const FRAME_CAPACITY: usize = 2 << 20;

/// Frames from a recording, stamped `t_ms = index * 1000 / fps`.
#[derive(Debug)]
pub struct ReplaySource {
    path: PathBuf,
    input: Input,
    fps: f64,
    index: u64,
    /// The current frame's bytes; reused for every frame.
    buf: Vec<u8>,
    /// Stream frames split with their end marker so far.
    complete: u64,
}

#[derive(Debug)]
enum Input {
    /// Image files sorted by name, and the next one to read.
    Dir {
        files: Vec<PathBuf>,
        next: usize,
    },
    Stream(JpegSplitter<BufReader<File>>),
}

impl ReplaySource {
    /// Opens `path`: a directory of .png/.jpg/.jpeg files, or any other file as an MJPEG stream.
    pub fn open(path: impl AsRef<Path>, fps: f64) -> Result<ReplaySource, CaptureError> {
        let path = path.as_ref().to_path_buf();
        if !(fps.is_finite() && fps > 0.0) {
            return Err(CaptureError::BadFps { fps });
        }
        let open_err = |source| CaptureError::Open {
            path: path.clone(),
            source,
        };
        let input = if path.is_dir() {
            let mut files = Vec::new();
            for entry in std::fs::read_dir(&path).map_err(open_err)? {
                let file = entry.map_err(open_err)?.path();
                if is_image(&file) {
                    files.push(file);
                }
            }
            if files.is_empty() {
                return Err(CaptureError::EmptyDir { path });
            }
            files.sort();
            Input::Dir { files, next: 0 }
        } else {
            let file = File::open(&path).map_err(open_err)?;
            Input::Stream(JpegSplitter::new(BufReader::with_capacity(
                STREAM_BUFFER,
                file,
            )))
        };
        Ok(ReplaySource {
            path,
            input,
            fps,
            index: 0,
            buf: Vec::with_capacity(FRAME_CAPACITY),
            complete: 0,
        })
    }

    /// Bytes of a stream file skipped outside frames, and SOI markers among them that did not
    /// start a frame (garbage between frames); zero for an image directory.
    pub fn skipped(&self) -> (u64, u64) {
        match &self.input {
            Input::Stream(splitter) => (splitter.skipped_bytes(), splitter.false_starts()),
            Input::Dir { .. } => (0, 0),
        }
    }

    fn not_mjpeg(&self, why: &'static str) -> CaptureError {
        CaptureError::NotMjpeg {
            path: self.path.clone(),
            why,
        }
    }
}

impl EncodedSource for ReplaySource {
    fn next_encoded(&mut self) -> Result<Option<EncodedFrame<'_>>, CaptureError> {
        let encoding = match &mut self.input {
            Input::Dir { files, next } => {
                let Some(file) = files.get(*next) else {
                    return Ok(None);
                };
                *next += 1;
                self.buf.clear();
                let read = File::open(file).and_then(|mut f| f.read_to_end(&mut self.buf));
                if let Err(e) = read {
                    // Passed on empty: the decoder counts it with the undecodable frames.
                    log::warn!("skipping unreadable frame file {}: {e}", file.display());
                    self.buf.clear();
                }
                sniff(&self.buf)
            }
            Input::Stream(splitter) => {
                let read = splitter.next_into(&mut self.buf);
                let split = read.map_err(|source| CaptureError::Read {
                    path: self.path.clone(),
                    source,
                })?;
                let skipped = splitter.skipped_bytes();
                match split {
                    Some(_) if self.index == 0 && skipped > 0 => {
                        return Err(self.not_mjpeg("it does not start with a JPEG frame"));
                    }
                    Some(Split::Complete) => self.complete += 1,
                    // A cut frame is still a frame of the stream: the decoder counts it.
                    Some(Split::Truncated) => log::debug!(
                        "frame {} of {} has no end marker",
                        self.index,
                        self.path.display()
                    ),
                    None if self.complete > 0 => return Ok(None),
                    None if self.index == 0 && skipped == 0 => {
                        return Err(self.not_mjpeg("it is empty"));
                    }
                    None if self.index == 0 => {
                        return Err(self.not_mjpeg("it holds no JPEG frame"));
                    }
                    None => return Err(self.not_mjpeg("it holds no complete JPEG frame")),
                }
                Encoding::Jpeg
            }
        };
        let index = self.index;
        self.index += 1;
        Ok(Some(EncodedFrame {
            data: &self.buf,
            encoding,
            // Truncating to whole milliseconds, as index * 1000 / fps in integers would.
            t_ms: (index as f64 * 1000.0 / self.fps) as u64,
            index,
        }))
    }
}

/// Image files by extension, case-insensitively.
fn is_image(path: &Path) -> bool {
    path.is_file()
        && path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            ["png", "jpg", "jpeg"]
                .iter()
                .any(|known| e.eq_ignore_ascii_case(known))
        })
}

/// PNG by its signature, else JPEG (a file that is neither fails to decode and is counted).
fn sniff(data: &[u8]) -> Encoding {
    const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    if data.starts_with(&PNG_SIGNATURE) {
        Encoding::Png
    } else {
        Encoding::Jpeg
    }
}
