//! The live loop behind `run`: frames in, events out to every sink, and switches released when
//! frames stop coming.
//!
//! The source must give up on a frame now and then ([`CaptureError::NoFrame`], from a
//! [`crate::capture::CaptureThread`] with a timeout): each wait is when due pulses are
//! released, a stall is judged and the watchdog's heartbeat is kept, so a dead camera never
//! holds a switch closed and a merely absent one never trips the watchdog.

mod camera_watch;

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

pub use camera_watch::{CameraWatch, Idle, StatusCell};

use crate::capture::{CaptureError, Frame, FrameSource};
use crate::event::{Event, EventKind};
use crate::gesture::Observation;
use crate::pipeline::Pipeline;
use crate::service::Health;

/// Where the loop's results go: the outputs and the status screen.
pub trait LiveSink {
    /// Every event, in order: switch edges, gestures, face and camera changes.
    fn event(&mut self, event: &Event);
    /// Every processed frame's observation.
    fn frame(&mut self, observation: &Observation);
    /// After each processed frame, with the frame and the pipeline: for a sink that shows the
    /// picture or changes the pipeline's settings between frames (the setup page).
    fn after_frame(&mut self, _frame: &Frame<'_>, _pipeline: &mut Pipeline) {}
}

/// How the loop ended without an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// A stop was requested (SIGINT/SIGTERM).
    Stopped,
    /// The recording ended (`run --source`); a camera never ends.
    EndOfStream,
}

/// The pipeline, the camera's state as reported, and the vital signs the watchdog reads.
pub struct Live<'a> {
    pub pipeline: &'a mut Pipeline,
    pub watch: CameraWatch,
    /// Statuses from the camera source's thread.
    pub camera: &'a StatusCell,
    pub health: &'a Health,
    pub stop: &'a AtomicBool,
}

impl Live<'_> {
    /// Runs until a stop, the end of a recording, or a capture error that ends the source (after
    /// releasing every switch, so the caller can exit non-zero and be restarted).
    pub fn run(
        &mut self,
        frames: &mut impl FrameSource,
        sink: &mut impl LiveSink,
    ) -> Result<End, CaptureError> {
        let mut last_frame = Instant::now();
        loop {
            self.health.beat();
            if self.stop.load(Ordering::SeqCst) {
                return Ok(End::Stopped);
            }
            if let Some(status) = self.camera.take() {
                if let Some(news) = self.watch.source_status(status) {
                    let idle = self.watch.idle(ms_since(last_frame));
                    self.camera_event(idle.t_ms, idle.frame, news, sink);
                }
            }
            match frames.next_frame() {
                Ok(Some(frame)) => {
                    last_frame = Instant::now();
                    if let Some(news) = self.watch.frame(frame.t_ms, frame.index) {
                        self.camera_event(frame.t_ms, frame.index, news, sink);
                    }
                    let processed = self
                        .pipeline
                        .process(&frame, &mut |e: Event| sink.event(&e));
                    match processed {
                        Ok(report) => {
                            self.health.frame(report.observation.face.is_some());
                            sink.frame(&report.observation);
                            sink.after_frame(&frame, self.pipeline);
                        }
                        Err(e) => log::error!("frame {}: {e}", frame.index),
                    }
                }
                Ok(None) => {
                    self.release(ms_since(last_frame), sink);
                    return Ok(End::EndOfStream);
                }
                Err(CaptureError::NoFrame { .. }) => {
                    let idle = self.watch.idle(ms_since(last_frame));
                    self.pipeline
                        .tick(idle.t_ms, idle.frame, &mut |e: Event| sink.event(&e));
                    if idle.lost_now {
                        self.lose(idle, sink);
                    }
                }
                Err(e) => {
                    self.release(ms_since(last_frame), sink);
                    return Err(e);
                }
            }
        }
    }

    /// Every switch released and the camera reported lost, as after a stall.
    fn release(&mut self, waited_ms: u64, sink: &mut impl LiveSink) {
        let idle = self.watch.idle(waited_ms);
        self.lose(idle, sink);
    }

    fn lose(&mut self, idle: Idle, sink: &mut impl LiveSink) {
        self.pipeline
            .camera_lost(idle.t_ms, idle.frame, &mut |e: Event| sink.event(&e));
        if let Some(news) = self.watch.lost() {
            self.camera_event(idle.t_ms, idle.frame, news, sink);
        }
    }

    fn camera_event(
        &mut self,
        t_ms: u64,
        frame: u64,
        status: crate::event::CameraStatus,
        sink: &mut impl LiveSink,
    ) {
        self.health.camera(status);
        sink.event(&Event {
            t_ms,
            frame,
            kind: EventKind::Camera { status },
        });
    }
}

fn ms_since(t: Instant) -> u64 {
    t.elapsed().as_millis() as u64
}
