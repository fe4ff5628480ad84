//! Face, mesh and iris landmarks from MediaPipe's models, following MediaPipe's graphs.

pub mod anchors;
pub mod attention;
pub mod detection;
pub mod detector;
pub mod iris;
pub mod landmarker;
pub mod mesh;
pub mod roi;

pub use detection::Detection;
pub use iris::{Eye, Side};
pub use landmarker::{Face, Landmarker, Landmarks};
pub use mesh::Mesh;
