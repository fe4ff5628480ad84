//! Command-line front end: one module per subcommand.

pub mod bench;
pub mod detect;
pub mod doctor;
pub mod gadget;
pub mod replay;
pub mod run;
