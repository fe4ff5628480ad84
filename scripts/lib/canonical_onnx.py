"""Give an ONNX graph canonical names so that repeated conversions are byte-identical.

tf2onnx numbers the tensors it creates (`const_fold_opt__802`) from a global counter whose
value depends on the optimiser's traversal order, which varies between runs. Renaming every
tensor that is not a graph input or output by its first use in node order, and ordering the
initializers the same way, removes that noise without touching the computation. The graph's
doc string names the .tflite by its path inside the wheel, not by where the venv was.
"""
import re
import sys

import onnx


def canonicalise(path: str) -> None:
    model = onnx.load(path)
    g = model.graph
    keep = {v.name for v in g.input} | {v.name for v in g.output}
    rename: dict[str, str] = {}

    def name_of(old: str) -> str:
        if old == "" or old in keep:
            return old
        if old not in rename:
            rename[old] = f"t{len(rename)}"
        return rename[old]

    for i, node in enumerate(g.node):
        node.name = f"n{i}_{node.op_type}"
        for j, x in enumerate(node.input):
            node.input[j] = name_of(x)
        for j, x in enumerate(node.output):
            node.output[j] = name_of(x)
    inits = sorted(g.initializer, key=lambda t: int(rename.get(t.name, "t999999")[1:]))
    for t in inits:
        t.name = name_of(t.name)
    del g.initializer[:]
    g.initializer.extend(inits)
    for vi in g.value_info:
        vi.name = name_of(vi.name)
    # tf2onnx records the path it read the .tflite from, which is wherever the venv lives;
    # keep only the part inside the wheel.
    g.doc_string = re.sub(r"\S*/site-packages/(mediapipe/)", r"\1", g.doc_string)
    onnx.save(model, path)


if __name__ == "__main__":
    for p in sys.argv[1:]:
        canonicalise(p)
