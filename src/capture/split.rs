//! Splits a raw MJPEG stream (concatenated JPEGs, as `ffmpeg -f mjpeg` or
//! `v4l2-ctl --stream-to` write) into frames, reading it in buffered chunks.
//!
//! A frame is cut from SOI (FF D8) to EOI (FF D9) by walking the marker segments, not by
//! searching for FF D9: header segments are skipped by their length (an EXIF thumbnail holds
//! its own SOI/EOI), and in entropy-coded data FF is always followed by 00 (stuffing) or a
//! restart marker, so any other marker there is real. An SOI where a frame was still open
//! means that frame was cut short: it is returned as [`Split::Truncated`].
//!
//! A frame starts only at an SOI followed by a marker that may open a JPEG (a table, a frame
//! header, an APPn or a comment). Any other SOI is garbage between frames (FF D8 occurs by
//! chance in random bytes): it is skipped and counted, and returns no frame, so it cannot take
//! a timestamp slot from the real frames around it.

use std::io::{self, BufRead};

/// Upper bound for one frame: a 4K MJPEG frame at the highest quality is under 10 MB, so a
/// frame still open after this is garbage; it is cut and reported truncated.
const MAX_FRAME_BYTES: usize = 32 << 20;

const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;
/// TEM and RST0–7 carry no length field.
const TEM: u8 = 0x01;
const RST: std::ops::RangeInclusive<u8> = 0xD0..=0xD7;
/// APP0–15: application segments, where thumbnails (with their own SOI/EOI) live.
const APP: std::ops::RangeInclusive<u8> = 0xE0..=0xEF;

/// How a frame returned by [`JpegSplitter::next_into`] ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// SOI through EOI.
    Complete,
    /// The next SOI, the end of the file or the size cap came before EOI.
    Truncated,
}

/// Where the parser is inside a frame.
#[derive(Clone, Copy)]
enum State {
    /// Expecting a marker (after SOI or a header segment).
    Marker,
    /// Inside entropy-coded data (after SOS), or resynchronising after a malformed header.
    Scan,
}

/// Cuts frames out of a buffered byte stream.
#[derive(Debug)]
pub struct JpegSplitter<R> {
    reader: R,
    /// The previous frame ended because this frame's SOI was already read.
    soi_pending: bool,
    /// Bytes read outside any frame (before, between and after frames).
    skipped_bytes: u64,
    /// SOI markers skipped as garbage because no JPEG marker followed them.
    false_starts: u64,
}

impl<R: BufRead> JpegSplitter<R> {
    pub fn new(reader: R) -> JpegSplitter<R> {
        JpegSplitter {
            reader,
            soi_pending: false,
            skipped_bytes: 0,
            false_starts: 0,
        }
    }

    /// Bytes skipped outside frames so far, including the SOIs of false starts.
    pub fn skipped_bytes(&self) -> u64 {
        self.skipped_bytes
    }

    /// SOI markers skipped so far because they did not start a JPEG (garbage between frames).
    pub fn false_starts(&self) -> u64 {
        self.false_starts
    }

    /// Reads the next frame into `out` (cleared first; its capacity is reused).
    ///
    /// Bytes between frames that are not a JPEG are skipped. `None` at end of stream.
    pub fn next_into(&mut self, out: &mut Vec<u8>) -> io::Result<Option<Split>> {
        out.clear();
        if !self.seek_frame()? {
            return Ok(None);
        }
        // The first marker's FF is consumed; its code is next.
        out.extend_from_slice(&[0xFF, SOI]);
        let mut step = self.marker_code(out)?;
        loop {
            let state = match step {
                Step::Continue(next) => next,
                Step::Done(split) => return Ok(Some(split)),
            };
            if out.len() > MAX_FRAME_BYTES {
                return Ok(Some(Split::Truncated));
            }
            step = match state {
                State::Marker => self.marker(out)?,
                State::Scan => self.scan(out)?,
            };
        }
    }

    /// Skips to the start of the next frame: an SOI and the FF of a marker that may open a
    /// JPEG, both consumed, with the marker code next. False at end of stream.
    fn seek_frame(&mut self) -> io::Result<bool> {
        let mut at_soi = std::mem::take(&mut self.soi_pending);
        loop {
            if !at_soi && !self.seek_soi()? {
                return Ok(false);
            }
            at_soi = false;
            if self.peek()? == Some(0xFF) {
                self.reader.consume(1);
                match self.peek()? {
                    Some(code) if opens_jpeg(code) => return Ok(true),
                    // FF D8 FF D8: the second SOI may start the frame.
                    Some(SOI) => {
                        self.reader.consume(1);
                        at_soi = true;
                    }
                    _ => self.skipped_bytes += 1,
                }
            }
            self.false_starts += 1;
            self.skipped_bytes += 2;
        }
    }

    /// Skips to just past the next SOI, counting the bytes before it; false at end of stream.
    fn seek_soi(&mut self) -> io::Result<bool> {
        let mut prev_ff = false;
        loop {
            let buf = self.reader.fill_buf()?;
            let Some(&last) = buf.last() else {
                return Ok(false);
            };
            if let Some(end) = soi_end(prev_ff, buf) {
                // `end` is just past the D8; the SOI is not skipped (the caller counts it if it
                // turns out false), and with end == 1 its FF was counted with the last chunk.
                self.skipped_bytes = self.skipped_bytes + end as u64 - 2;
                self.reader.consume(end);
                return Ok(true);
            }
            prev_ff = last == 0xFF;
            let n = buf.len();
            self.skipped_bytes += n as u64;
            self.reader.consume(n);
        }
    }

    /// Reads one marker and, for a segment with a length, its payload.
    fn marker(&mut self, out: &mut Vec<u8>) -> io::Result<Step> {
        match self.byte()? {
            None => Ok(Step::Done(Split::Truncated)),
            Some(0xFF) => self.marker_code(out),
            Some(b) => {
                // Not a marker where one must be: malformed, so resynchronise by scanning.
                out.push(b);
                Ok(Step::Continue(State::Scan))
            }
        }
    }

    /// Reads a marker code (its FF already consumed) and the segment it starts.
    fn marker_code(&mut self, out: &mut Vec<u8>) -> io::Result<Step> {
        let m = loop {
            // Any number of FF fill bytes may precede a marker code.
            match self.byte()? {
                None => return Ok(Step::Done(Split::Truncated)),
                Some(0xFF) => out.push(0xFF),
                Some(m) => break m,
            }
        };
        match m {
            SOI => {
                self.soi_pending = true;
                return Ok(Step::Done(Split::Truncated));
            }
            EOI => {
                out.extend_from_slice(&[0xFF, EOI]);
                return Ok(Step::Done(Split::Complete));
            }
            _ => out.extend_from_slice(&[0xFF, m]),
        }
        if m == TEM || RST.contains(&m) {
            return Ok(Step::Continue(State::Marker));
        }
        let (Some(hi), Some(lo)) = (self.byte()?, self.byte()?) else {
            return Ok(Step::Done(Split::Truncated));
        };
        if [hi, lo] == [0xFF, SOI] {
            // The frame was cut right after this marker.
            self.soi_pending = true;
            return Ok(Step::Done(Split::Truncated));
        }
        out.extend_from_slice(&[hi, lo]);
        // The length counts its own two bytes.
        let Some(payload) = usize::from(u16::from_be_bytes([hi, lo])).checked_sub(2) else {
            return Ok(Step::Continue(State::Scan));
        };
        // Only APPn segments may hold an SOI (an EXIF or JFXX thumbnail); anywhere else it
        // means this frame was cut and the next one begins.
        let watch_soi = !APP.contains(&m);
        match self.copy(payload, out, watch_soi)? {
            Copied::All => Ok(Step::Continue(if m == SOS {
                State::Scan
            } else {
                State::Marker
            })),
            Copied::Soi => {
                self.soi_pending = true;
                Ok(Step::Done(Split::Truncated))
            }
            Copied::Eof => Ok(Step::Done(Split::Truncated)),
        }
    }

    /// Copies entropy-coded data up to the next real marker and handles that marker.
    fn scan(&mut self, out: &mut Vec<u8>) -> io::Result<Step> {
        loop {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(Step::Done(Split::Truncated));
            }
            match buf.iter().position(|&b| b == 0xFF) {
                Some(i) => {
                    out.extend_from_slice(&buf[..i]);
                    self.reader.consume(i + 1);
                    break;
                }
                None => {
                    let n = buf.len();
                    out.extend_from_slice(buf);
                    self.reader.consume(n);
                    if out.len() > MAX_FRAME_BYTES {
                        return Ok(Step::Done(Split::Truncated));
                    }
                }
            }
        }
        // Just consumed an FF; look at what follows it.
        let mut next = self.peek()?;
        while next == Some(0xFF) {
            out.push(0xFF);
            self.reader.consume(1);
            next = self.peek()?;
        }
        match next {
            None => Ok(Step::Done(Split::Truncated)),
            Some(b) if b == 0x00 || RST.contains(&b) => {
                out.extend_from_slice(&[0xFF, b]);
                self.reader.consume(1);
                Ok(Step::Continue(State::Scan))
            }
            // A real marker: EOI, SOI, or DHT/SOS between progressive scans.
            Some(_) => self.marker_code(out),
        }
    }

    /// Copies `n` bytes of segment payload. With `watch_soi`, stops at an SOI inside it or
    /// right after it (leaving the SOI consumed and not copied).
    fn copy(&mut self, mut n: usize, out: &mut Vec<u8>, watch_soi: bool) -> io::Result<Copied> {
        let mut prev_ff = out.last() == Some(&0xFF);
        while n > 0 {
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                return Ok(Copied::Eof);
            }
            let take = n.min(buf.len());
            let soi = watch_soi.then(|| soi_end(prev_ff, &buf[..take])).flatten();
            if let Some(end) = soi {
                // `end` is just past the D8; the FF before it may already be in `out`.
                out.extend_from_slice(&buf[..end.saturating_sub(2)]);
                if end < 2 {
                    out.pop();
                }
                self.reader.consume(end);
                return Ok(Copied::Soi);
            }
            prev_ff = buf[take - 1] == 0xFF;
            out.extend_from_slice(&buf[..take]);
            self.reader.consume(take);
            n -= take;
        }
        if watch_soi && prev_ff && self.peek()? == Some(SOI) {
            self.reader.consume(1);
            out.pop();
            return Ok(Copied::Soi);
        }
        Ok(Copied::All)
    }

    fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.reader.fill_buf()?.first().copied())
    }

    fn byte(&mut self) -> io::Result<Option<u8>> {
        let b = self.peek()?;
        if b.is_some() {
            self.reader.consume(1);
        }
        Ok(b)
    }
}

/// Whether a marker right after SOI can open a JPEG: SOFn, DHT and DAC (C0–CF), DQT, DNL, DRI,
/// DHP and EXP (DB–DF), APPn (E0–EF) or COM (FE). Anything else (stuffing, RSTn, SOI, EOI,
/// SOS, JPGn, TEM) never comes first in a real frame.
fn opens_jpeg(code: u8) -> bool {
    matches!(code, 0xC0..=0xCF | 0xDB..=0xDF | 0xE0..=0xEF | 0xFE)
}

/// Where an SOI (FF D8) ends in `chunk`, given whether the byte before the chunk was FF.
fn soi_end(prev_ff: bool, chunk: &[u8]) -> Option<usize> {
    if prev_ff && chunk.first() == Some(&SOI) {
        return Some(1);
    }
    chunk
        .windows(2)
        .position(|w| w == [0xFF, SOI])
        .map(|i| i + 2)
}

/// How a segment payload copy ended.
enum Copied {
    All,
    /// An SOI was found: the next frame starts.
    Soi,
    Eof,
}

/// The outcome of one parser step.
enum Step {
    Continue(State),
    Done(Split),
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::BufReader;

    /// A structurally valid JPEG: an APP1 holding a thumbnail's SOI/EOI, an SOS, and entropy
    /// data with stuffed FF 00, a restart marker and fill bytes before EOI.
    fn fake_jpeg(tag: u8) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        j.extend_from_slice(&[0xFF, 0xE1, 0x00, 0x08, 0xFF, 0xD8, tag, 0xFF, 0xD9, 0x00]);
        j.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x04, 0xFF, 0xD9]);
        j.extend_from_slice(&[tag, 0xFF, 0x00, 0x12, 0xFF, 0xD3, 0x34, 0xFF, 0xFF, 0xD9]);
        j
    }

    /// All frames of `stream`, read through a tiny buffer so chunk edges fall everywhere.
    fn split_all(stream: &[u8]) -> Vec<(Split, Vec<u8>)> {
        let mut splitter = JpegSplitter::new(BufReader::with_capacity(3, stream));
        let mut frames = Vec::new();
        let mut out = Vec::new();
        while let Some(split) = splitter.next_into(&mut out).expect("in-memory read") {
            frames.push((split, out.clone()));
        }
        frames
    }

    #[test]
    fn splits_on_structure_not_on_byte_patterns() {
        let (a, b) = (fake_jpeg(1), fake_jpeg(2));
        let mut stream = vec![0x00, 0xFF, 0x17];
        stream.extend_from_slice(&a);
        stream.extend_from_slice(&[0xAA, 0xBB]);
        stream.extend_from_slice(&b);
        let frames = split_all(&stream);
        assert_eq!(frames, vec![(Split::Complete, a), (Split::Complete, b)]);
    }

    #[test]
    fn cut_frames_are_truncated_and_the_next_survives() {
        let (a, b) = (fake_jpeg(1), fake_jpeg(2));
        // SOI and the APP1 segment: a cut inside an APPn payload cannot be told from a thumbnail.
        let headers = 2 + 10;
        for cut in 1..a.len() - 1 {
            let mut stream = a[..cut].to_vec();
            stream.extend_from_slice(&b);
            let frames = split_all(&stream);
            assert!(!frames.is_empty() && frames.len() <= 2, "cut at {cut}");
            // A cut inside an APPn payload may swallow the next frame's start; a cut anywhere
            // else costs only the cut frame.
            if cut >= headers {
                assert_eq!(frames.len(), 2, "cut at {cut}");
                assert_eq!(frames[0].0, Split::Truncated, "cut at {cut}");
                assert_eq!(frames[1], (Split::Complete, b.clone()), "cut at {cut}");
            }
        }
    }

    #[test]
    fn a_start_marker_in_garbage_between_frames_is_no_frame() {
        let (a, b) = (fake_jpeg(1), fake_jpeg(2));
        // SOI then data; SOI then stuffing; SOI then SOI (the second is b's start, then b's).
        let garbage = [0x12, 0xFF, 0xD8, 0x34, 0xFF, 0xD8, 0xFF, 0x00, 0xFF, 0xD8];
        let mut stream = a.clone();
        stream.extend_from_slice(&garbage);
        stream.extend_from_slice(&b);
        let mut splitter = JpegSplitter::new(BufReader::with_capacity(3, stream.as_slice()));
        let mut out = Vec::new();
        let mut frames = Vec::new();
        while let Some(split) = splitter.next_into(&mut out).expect("in-memory read") {
            frames.push((split, out.clone()));
        }
        assert_eq!(frames, vec![(Split::Complete, a), (Split::Complete, b)]);
        assert_eq!(splitter.false_starts(), 3);
        assert_eq!(splitter.skipped_bytes(), garbage.len() as u64);
    }

    #[test]
    fn end_of_stream_mid_frame_is_truncated() {
        let a = fake_jpeg(1);
        let frames = split_all(&a[..a.len() - 3]);
        assert_eq!(frames.len(), 1);
        assert_eq!(frames[0].0, Split::Truncated);
        assert!(split_all(&[]).is_empty());
        assert!(split_all(&[0xFF, 0x00, 0xFF]).is_empty());
    }
}
