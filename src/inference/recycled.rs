//! An op's output tensor kept from one run to the next, so the MediaPipe ops allocate nothing
//! per run: once every reader of the last output has let go of it (tract drops a value after
//! its last consumer), its `Arc` is exclusive again and is written in place.

use tract_onnx::prelude::*;
use tract_onnx::tract_core::internal::{EvalContext, LaneId, Op, OpState, TractErrorContext};

/// What a recycling op computes: its output's shape for these inputs, and the values.
pub(super) trait Fill: Op {
    fn output_shape(&self, inputs: &[TValue]) -> TractResult<TVec<usize>>;
    fn fill(&self, inputs: &[TValue], out: &mut [f32]) -> TractResult<()>;
}

/// The per-plan state of one recycling op: its last output.
#[derive(Debug)]
pub(super) struct Recycled<T> {
    last: Option<TValue>,
    op: std::marker::PhantomData<fn() -> T>,
}

impl<T> Default for Recycled<T> {
    fn default() -> Self {
        Recycled {
            last: None,
            op: std::marker::PhantomData,
        }
    }
}

/// A clone starts empty: the kept tensor is only a cache.
impl<T> Clone for Recycled<T> {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl<T: Fill + 'static> OpState for Recycled<T> {
    fn eval(
        &mut self,
        _ctx: &EvalContext,
        op: &dyn Op,
        inputs: TVec<TValue>,
    ) -> TractResult<TVec<TValue>> {
        let op = op
            .downcast_ref::<T>()
            .context("recycled state run with another op")?;
        let shape = op.output_shape(&inputs)?;
        let value = refill(&mut self.last, &shape, |out| op.fill(&inputs, out))?;
        Ok(tvec!(value))
    }

    /// The kept tensor is a cache, not a stream's state: nothing to clear per lane.
    fn reset_lanes(&mut self, _lanes: &[LaneId]) -> TractResult<()> {
        Ok(())
    }
}

/// Fills `last`'s tensor in place when it has `shape` and no reader holds it any more, a new
/// one otherwise, and keeps the result in `last` for the next run.
pub(super) fn refill(
    last: &mut Option<TValue>,
    shape: &[usize],
    fill: impl FnOnce(&mut [f32]) -> TractResult<()>,
) -> TractResult<TValue> {
    let mut arc = match last.take() {
        Some(value) => value.into_arc_tensor(),
        None => Arc::new(Tensor::zero::<f32>(shape)?),
    };
    if arc.shape() != shape || Arc::get_mut(&mut arc).is_none() {
        arc = Arc::new(Tensor::zero::<f32>(shape)?);
    }
    let tensor = Arc::get_mut(&mut arc).context("a new output tensor is shared")?;
    fill(tensor.try_as_plain_ram_mut()?.as_slice_mut::<f32>()?)?;
    let value = arc.into_tvalue();
    *last = Some(value.clone());
    Ok(value)
}

/// Input `ix` as a flat f32 slice.
pub(super) fn input(inputs: &[TValue], ix: usize) -> TractResult<&[f32]> {
    inputs
        .get(ix)
        .with_context(|| format!("missing input #{ix}"))?
        .try_as_plain_ram()?
        .as_slice::<f32>()
}
