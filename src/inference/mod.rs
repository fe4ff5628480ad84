//! Loads an ONNX model with tract, fixes its input shape, optimises it once, and runs it from a
//! caller-owned input buffer.
//!
//! This is the only module that talks to tract, so a change of engine stays local.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tract_onnx::prelude::*;
use tract_onnx::tract_core::ops::matmul::optimized::OptMatMul;

pub mod kernels;
mod landmarks_to_transform_matrix;
mod prelu;
mod recycled;
mod transform_landmarks;
mod transform_tensor_bilinear;

/// What a model file must look like before eyeswitch will run it.
#[derive(Debug, Clone, Copy)]
pub struct ModelSpec {
    /// File name inside the models directory.
    pub file: &'static str,
    /// Expected SHA-256 of the file, lowercase hex.
    pub sha256: &'static str,
    /// Input shape (NHWC).
    pub input: [usize; 4],
    /// Output element counts, in output order.
    pub outputs: &'static [usize],
}

/// Why a model could not be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model file {path} is missing: run scripts/convert-models or point --models at the directory that holds {file}")]
    Missing { path: PathBuf, file: &'static str },
    #[error("model file {path} could not be read: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("model file {path} has SHA-256 {found}, expected {expected}: the file is corrupt or from another MediaPipe version; re-run scripts/convert-models")]
    Checksum {
        path: PathBuf,
        found: String,
        expected: &'static str,
    },
    #[error("model file {path}: {what}")]
    Shape { path: PathBuf, what: String },
    #[error("model file {path} could not be loaded by tract (eyeswitch feeds it an input of shape {input:?}): {source}")]
    Load {
        path: PathBuf,
        input: [usize; 4],
        source: TractError,
    },
    #[error("cannot start a thread to run {file} on: {source}")]
    Thread {
        file: &'static str,
        source: std::io::Error,
    },
    #[error("input buffer for {file} has {got} values, the model takes {want}")]
    InputLength {
        file: &'static str,
        got: usize,
        want: usize,
    },
    #[error("inference with {file} failed: {source}")]
    Run {
        file: &'static str,
        source: TractError,
    },
}

/// An optimised, ready-to-run model with its preallocated input tensor.
pub struct Model {
    spec: ModelSpec,
    state: TypedSimpleState,
    /// Reused between runs so a run does not allocate a new input tensor.
    input: Option<TValue>,
    outputs: TVec<TValue>,
}

type TypedSimpleState = tract_onnx::tract_core::plan::SimpleState<TypedFact, Box<dyn TypedOp>>;

impl Model {
    /// Loads `dir/spec.file`, checks its checksum and shapes, and optimises it for `spec.input`.
    pub fn load(dir: &Path, spec: ModelSpec) -> Result<Model, ModelError> {
        let path = dir.join(spec.file);
        let bytes = std::fs::read(&path).map_err(|source| {
            if source.kind() == std::io::ErrorKind::NotFound {
                ModelError::Missing {
                    path: path.clone(),
                    file: spec.file,
                }
            } else {
                ModelError::Read {
                    path: path.clone(),
                    source,
                }
            }
        })?;
        let found = sha256_hex(&bytes);
        if found != spec.sha256 {
            return Err(ModelError::Checksum {
                path,
                found,
                expected: spec.sha256,
            });
        }
        Self::from_bytes(&path, &bytes, spec)
    }

    fn from_bytes(path: &Path, bytes: &[u8], spec: ModelSpec) -> Result<Model, ModelError> {
        let load = |source| ModelError::Load {
            path: path.to_path_buf(),
            input: spec.input,
            source,
        };
        let mut model = onnx()
            .model_for_read(&mut std::io::Cursor::new(bytes))
            .map_err(load)?;
        model = model
            .with_input_fact(0, f32::fact(spec.input).into())
            .map_err(load)?;
        let typed = optimize(model).map_err(load)?;
        check_outputs(path, &typed, spec)?;
        let plan = typed.into_runnable().map_err(load)?;
        let state = plan.spawn().map_err(load)?;
        let input = Tensor::zero::<f32>(&spec.input).map_err(load)?;
        let mut model = Model {
            spec,
            state,
            input: Some(input.into_arc_tensor().into_tvalue()),
            outputs: tvec!(),
        };
        // One run now, so what tract sets up on a first run is done at start-up, not on the
        // frame where a face first appears (a first mesh run took 7.7 ms against 5.5).
        let zeros = vec![0.0; spec.input.iter().product()];
        model.run(&zeros)?;
        Ok(model)
    }

    /// The spec this model was loaded with.
    pub fn spec(&self) -> &ModelSpec {
        &self.spec
    }

    /// Names of the matrix-multiply kernels tract picked for this model on this CPU, sorted:
    /// they show whether an int8 model really runs integer kernels (an SDOT one on ARM cores
    /// that have it) or was turned back into f32 work.
    pub fn kernels(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .state
            .plan()
            .model()
            .nodes()
            .iter()
            .filter_map(|node| node.op_as::<OptMatMul>())
            .flat_map(|op| op.mmm.iter().map(|k| k.name().to_string()))
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// Runs the model on `input` (NHWC, `spec.input` elements) and returns the outputs, flat.
    pub fn run(&mut self, input: &[f32]) -> Result<Outputs<'_>, ModelError> {
        let file = self.spec.file;
        let run = |source| ModelError::Run { file, source };
        let want = self.spec.input.iter().product();
        if input.len() != want {
            return Err(ModelError::InputLength {
                file,
                got: input.len(),
                want,
            });
        }
        // Reuse the input tensor and its Arc: once the last run's state has let go of it the
        // Arc is exclusive again, so filling it allocates nothing.
        let mut arc = match self.input.take().map(IntoArcTensor::into_arc_tensor) {
            Some(arc) => arc,
            None => Arc::new(Tensor::zero::<f32>(&self.spec.input).map_err(run)?),
        };
        if Arc::get_mut(&mut arc).is_none() {
            arc = Arc::new(Tensor::zero::<f32>(&self.spec.input).map_err(run)?);
        }
        if let Some(tensor) = Arc::get_mut(&mut arc) {
            tensor
                .try_as_plain_ram_mut()
                .and_then(|mut view| {
                    view.as_slice_mut::<f32>()?.copy_from_slice(input);
                    Ok(())
                })
                .map_err(run)?;
        }
        let value = arc.into_tvalue();
        self.input = Some(value.clone());
        let state = &mut self.state;
        let start = Instant::now();
        let outputs = crate::alloc_count::foreign(|| state.run(tvec!(value)));
        IN_TRACT.set(IN_TRACT.get() + start.elapsed());
        self.outputs = outputs.map_err(run)?;
        Ok(Outputs {
            values: &self.outputs,
            file,
        })
    }
}

thread_local! {
    static IN_TRACT: Cell<Duration> = const { Cell::new(Duration::ZERO) };
}

/// How long this thread has spent inside tract's model runs in all: `bench` takes it from a
/// frame's time to show how much of the frame is our own work.
pub fn time_in_tract() -> Duration {
    IN_TRACT.get()
}

/// Types and declutters `model`, puts our kernels in place of the tract ops they replace (see
/// [`kernels`]), and lets tract optimise the rest.
pub fn optimize(model: InferenceModel) -> TractResult<TypedModel> {
    rewritten(model)?.into_optimized()
}

/// `model` typed, decluttered and with our kernels in place, before tract's own optimisation:
/// the graph `examples/op_profile.rs` inspects.
pub fn rewritten(model: InferenceModel) -> TractResult<TypedModel> {
    let mut typed = model.into_typed()?.into_decluttered()?;
    kernels::rewrite(&mut typed)?;
    Ok(typed)
}

/// The instruction-set features tract detected on this CPU and picks kernels by, e.g.
/// `aarch64,dotprod` when the int8 kernels can use SDOT.
pub fn cpu_features() -> String {
    format!("{:?}", tract_onnx::tract_core::tract_linalg::isa::native())
}

/// tract's ONNX reader, with a faster lowering of PRelu (see [`prelu`] and PERFORMANCE.md;
/// [`kernels`] then makes it one op), and the attention mesh's three MediaPipe
/// custom ops under the names tf2onnx gives them.
pub fn onnx() -> tract_onnx::Onnx {
    let mut onnx = tract_onnx::onnx();
    onnx.op_register.insert("PRelu", prelu::build);
    onnx.op_register.insert(
        "TFL_Landmarks2TransformMatrix",
        landmarks_to_transform_matrix::build,
    );
    onnx.op_register.insert(
        "TFL_TransformTensorBilinear",
        transform_tensor_bilinear::build,
    );
    onnx.op_register
        .insert("TFL_TransformLandmarks", transform_landmarks::build);
    onnx
}

/// The outputs of one run, borrowed until the next.
pub struct Outputs<'a> {
    values: &'a TVec<TValue>,
    file: &'static str,
}

impl Outputs<'_> {
    /// Output `ix` as a flat f32 slice.
    pub fn get(&self, ix: usize) -> Result<&[f32], ModelError> {
        let file = self.file;
        let value = self.values.get(ix).ok_or_else(|| ModelError::Run {
            file,
            source: missing_output(ix),
        })?;
        value
            .try_as_plain_ram()
            .and_then(|view| view.as_slice::<f32>())
            .map_err(|source| ModelError::Run { file, source })
    }
}

fn missing_output(ix: usize) -> TractError {
    TractError::msg(format!("the model produced no output #{ix}"))
}

fn check_outputs(path: &Path, model: &TypedModel, spec: ModelSpec) -> Result<(), ModelError> {
    let outputs = model.output_outlets().map_err(|source| ModelError::Load {
        path: path.to_path_buf(),
        input: spec.input,
        source,
    })?;
    let got: Vec<Option<usize>> = outputs
        .iter()
        .map(|o| {
            model
                .outlet_fact(*o)
                .ok()
                .and_then(|f| f.shape.as_concrete().map(|s| s.iter().product()))
        })
        .collect();
    let want: Vec<Option<usize>> = spec.outputs.iter().map(|n| Some(*n)).collect();
    if got != want {
        return Err(ModelError::Shape {
            path: path.to_path_buf(),
            what: format!(
                "output sizes are {got:?}, eyeswitch expects {:?}",
                spec.outputs
            ),
        });
    }
    Ok(())
}

/// Lowercase hex SHA-256 of `bytes`.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
