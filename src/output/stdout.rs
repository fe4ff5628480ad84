//! JSON lines on stdout (or any writer): one event per line, for piping into other programs.

use std::io::{self, Stdout, Write};

use crate::event::Event;
use crate::output::{Output, OutputError};

/// Writes each event as one JSON object and a newline, flushed so a reader sees it at once.
pub struct JsonLinesOutput<W> {
    name: String,
    writer: W,
    line: Vec<u8>,
}

impl JsonLinesOutput<Stdout> {
    pub fn stdout() -> Self {
        Self::new("stdout", io::stdout())
    }
}

impl<W: Write + Send> JsonLinesOutput<W> {
    pub fn new(name: impl Into<String>, writer: W) -> Self {
        Self {
            name: name.into(),
            writer,
            line: Vec::new(),
        }
    }

    /// The writer, e.g. to inspect a `Vec<u8>` in tests.
    pub fn into_inner(self) -> W {
        self.writer
    }

    fn error(&self, source: io::Error) -> OutputError {
        OutputError::Io {
            output: self.name.clone(),
            action: "writing to",
            path: self.name.clone().into(),
            source,
            hint: "the reader of the output closed it",
        }
    }
}

impl<W: Write + Send> Output for JsonLinesOutput<W> {
    fn name(&self) -> &str {
        &self.name
    }

    fn send(&mut self, event: &Event) -> Result<(), OutputError> {
        self.line.clear();
        serde_json::to_writer(&mut self.line, event)
            .map_err(|e| self.error(io::Error::other(e)))?;
        self.line.push(b'\n');
        let result = self
            .writer
            .write_all(&self.line)
            .and_then(|()| self.writer.flush());
        result.map_err(|e| self.error(e))
    }

    /// Nothing is held: a JSON reader sees every release as it happens.
    fn release_all(&mut self) -> Result<(), OutputError> {
        Ok(())
    }
}
