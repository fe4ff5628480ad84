//! eyeswitch: a camera-based assistive switch.
//!
//! See ARCHITECTURE.md for the data flow and which module owns what.

pub mod alloc_count;
pub mod capture;
pub mod cli;
pub mod config;
pub mod crop;
pub mod display;
pub mod doctor;
pub mod draw;
pub mod event;
pub mod event_text;
pub mod frame;
pub mod geometry;
pub mod gesture;
pub mod inference;
pub mod live;
pub mod models;
pub mod offload;
pub mod output;
pub mod pipeline;
pub mod profile;
pub mod service;
pub mod vision;
pub mod web;
