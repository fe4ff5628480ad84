"""int8 variants of one eyeswitch model with onnxruntime's quantisation tools.

Usage: quantize.py MODEL.onnx CALIB.f32 OUT_DIR [--activations u8|i8] [--quantize-heads] [VARIANT...]

CALIB.f32 holds the model's own input tensors, raw little-endian float32 NHWC, one after the
other, as `examples/calibration_inputs.rs` writes them. Each variant is written to
OUT_DIR/<model stem>.<variant>.onnx. Variants:

  qdq-tensor   quantize_static, QDQ format, per-tensor weights
  qdq-channel  quantize_static, QDQ format, per-channel weights
  qop-conv     quantize_static, QOperator format, only Conv (QLinearConv), per-tensor weights
  qop-conv-channel  the same with per-channel weights
  qop-conv-pointwise  qop-conv with the depthwise Convs left float (see `depthwise_nodes`)
  dynamic      quantize_dynamic, int8 weights, activations quantised at run time
  dynamic-pointwise  dynamic with the depthwise Convs left float

Static variants use MinMax calibration (deterministic), int8 weights and the chosen activation
type (u8 and i8 give the same values: activations are asymmetric, so only the zero point moves).
The output layers stay float unless --quantize-heads (see `head_nodes`). Outputs are
byte-identical on re-run with the same inputs and package versions.
"""
import argparse
import copy
import os
import sys

import numpy as np
import onnx
from onnxruntime.quantization import (
    CalibrationDataReader,
    CalibrationMethod,
    QuantFormat,
    QuantType,
    quantize_dynamic,
    quantize_static,
)

VARIANTS = (
    "qdq-tensor",
    "qdq-channel",
    "qop-conv",
    "qop-conv-channel",
    "qop-conv-pointwise",
    "dynamic",
    "dynamic-pointwise",
)
ACTIVATIONS = {"u8": QuantType.QUInt8, "i8": QuantType.QInt8}


def input_spec(model_path: str) -> tuple[str, tuple[int, ...]]:
    """The model's single input: its name and its static shape."""
    graph = onnx.load(model_path).graph
    inits = {i.name for i in graph.initializer}
    inputs = [i for i in graph.input if i.name not in inits]
    if len(inputs) != 1:
        raise ValueError(f"{model_path}: expected one input, found {len(inputs)}")
    dims = tuple(d.dim_value for d in inputs[0].type.tensor_type.shape.dim)
    if not dims or any(d <= 0 for d in dims):
        raise ValueError(f"{model_path}: input {inputs[0].name} has no static shape: {dims}")
    return inputs[0].name, dims


def unshare_initializers(model: onnx.ModelProto) -> onnx.ModelProto:
    """A copy of `model` in which no initializer feeds more than one node input.

    tf2onnx shares equal constants between nodes (one zero bias for several Convs). onnxruntime
    1.32's QDQ quantiser then makes a per-Conv bias under a name that collides with an
    activation tensor ("Quantization parameter shared mode is not supported for weight yet"),
    so each use gets its own copy first, named `<initializer>.<node>`. The computation is
    unchanged.
    """
    model = copy.deepcopy(model)
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    uses: dict[str, int] = {}
    for node in graph.node:
        for name in node.input:
            if name in inits:
                uses[name] = uses.get(name, 0) + 1
    seen: dict[str, int] = {}
    for node in graph.node:
        for j, name in enumerate(node.input):
            if uses.get(name, 0) < 2:
                continue
            seen[name] = seen.get(name, 0) + 1
            if seen[name] == 1:
                continue  # the first use keeps the original
            copy_init = copy.deepcopy(inits[name])
            copy_init.name = f"{name}.{node.name}"
            graph.initializer.append(copy_init)
            node.input[j] = copy_init.name
    return model


def head_nodes(model: onnx.ModelProto) -> list[str]:
    """Names of the Conv/MatMul/Gemm nodes that compute the graph outputs and of the layout-only
    ops (Reshape, Transpose, Concat, Flatten, Squeeze) between them and the outputs.

    These are left in float: one 8-bit scale over a whole output tensor is too coarse for
    landmark coordinates in pixels, and the detector's regressors and logits span thousands of
    units over all anchors; quantised, the best anchor's box was off by ~28 px of 128 on average.
    """
    producer = {out: node for node in model.graph.node for out in node.output}
    layout = {"Reshape", "Transpose", "Concat", "Flatten", "Squeeze", "Unsqueeze"}
    heads: list[str] = []
    todo = [o.name for o in model.graph.output]
    seen: set[str] = set()
    while todo:
        node = producer.get(todo.pop())
        if node is None or node.name in seen:
            continue
        seen.add(node.name)
        if node.op_type in layout:
            heads.append(node.name)
            todo.extend(node.input)
        elif node.op_type in ("Conv", "MatMul", "Gemm"):
            heads.append(node.name)
    return sorted(heads)


def depthwise_nodes(model: onnx.ModelProto) -> list[str]:
    """Names of the depthwise Convs (`group` > 1).

    Quantised, they lose tract's f32 depthwise kernel (they become Im2col plus an int8 matrix
    product, 25-30 % of the int8 run time) and one weight scale per tensor fits their
    per-channel 3 x 3 filters badly; the "pointwise" variants leave them float.
    """
    names = []
    for node in model.graph.node:
        group = next((a.i for a in node.attribute if a.name == "group"), 1)
        if node.op_type == "Conv" and group > 1:
            names.append(node.name)
    return sorted(names)


def load_samples(calib_path: str, shape: tuple[int, ...]) -> np.ndarray:
    """The calibration tensors in `calib_path`, as an array of shape (N, *shape)."""
    flat = np.fromfile(calib_path, dtype="<f4")
    per = int(np.prod(shape))
    if flat.size == 0 or flat.size % per:
        raise ValueError(f"{calib_path}: {flat.size} values is not a whole number of {shape} tensors")
    return flat.reshape((-1, *shape)).astype(np.float32)


class ArrayReader(CalibrationDataReader):
    """Feeds the samples one at a time, in file order, under the model's input name."""

    def __init__(self, name: str, samples: np.ndarray):
        self.name = name
        self.samples = samples
        self.next_ix = 0

    def get_next(self):
        """The next sample as an input feed, or None after the last."""
        if self.next_ix >= len(self.samples):
            return None
        sample = self.samples[self.next_ix : self.next_ix + 1]
        self.next_ix += 1
        return {self.name: sample}

    def rewind(self):
        """Starts again from the first sample."""
        self.next_ix = 0


def quantize(
    model_path: str, calib_path: str, out_path: str, variant: str, activations: str, float_heads: bool = True
) -> None:
    """Writes the int8 `variant` of `model_path` to `out_path`; with `float_heads`, the output
    layers stay float (see `head_nodes`)."""
    model = unshare_initializers(onnx.load(model_path))
    pointwise = variant.endswith("-pointwise")
    variant = variant.removesuffix("-pointwise")
    exclude = (head_nodes(model) if float_heads else []) + (depthwise_nodes(model) if pointwise else [])
    if variant == "dynamic":
        quantize_dynamic(
            model,
            out_path,
            weight_type=QuantType.QInt8,
            nodes_to_exclude=exclude,
        )
        return
    name, shape = input_spec(model_path)
    reader = ArrayReader(name, load_samples(calib_path, shape[1:]))
    common = dict(
        activation_type=ACTIVATIONS[activations],
        weight_type=QuantType.QInt8,
        calibrate_method=CalibrationMethod.MinMax,
        nodes_to_exclude=exclude,
    )
    if variant == "qdq-tensor":
        opts = dict(quant_format=QuantFormat.QDQ, per_channel=False)
    elif variant == "qdq-channel":
        opts = dict(quant_format=QuantFormat.QDQ, per_channel=True)
    elif variant == "qop-conv":
        opts = dict(quant_format=QuantFormat.QOperator, per_channel=False, op_types_to_quantize=["Conv"])
    elif variant == "qop-conv-channel":
        opts = dict(quant_format=QuantFormat.QOperator, per_channel=True, op_types_to_quantize=["Conv"])
    else:
        raise ValueError(f"unknown variant {variant}; known: {', '.join(VARIANTS)}")
    quantize_static(
        model,
        out_path,
        reader,
        **common,
        **opts,
        calibration_providers=["CPUExecutionProvider"],
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("calib")
    parser.add_argument("out_dir")
    parser.add_argument("--activations", choices=sorted(ACTIVATIONS), default="u8")
    parser.add_argument("--quantize-heads", action="store_true", help="quantise the output layers too")
    parser.add_argument("variants", nargs="*", default=list(VARIANTS))
    args = parser.parse_args(argv)
    os.makedirs(args.out_dir, exist_ok=True)
    stem = os.path.splitext(os.path.basename(args.model))[0]
    for variant in args.variants:
        out = os.path.join(args.out_dir, f"{stem}.{variant}.onnx")
        quantize(args.model, args.calib, out, variant, args.activations, not args.quantize_heads)
        print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
