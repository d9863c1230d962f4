#!/usr/bin/env python3
"""Reference graphs and outputs for Rlx.Inference's ONNX interpreter.

Usage: /usr/bin/python3 scripts/golden/onnx_ops.py [out_dir]     (default tests/golden/onnx)

Needs Debian's python3-onnx (1.12) and python3-numpy; PATH's python3 may be a pyenv without them.
Debian's onnx 1.12 has no onnx.reference evaluator and onnxruntime is not packaged, so the outputs come
from two places:

  node_*    ONNX's own operator conformance cases (onnx.backend.test.case.node), with the expected
            outputs ONNX ships for them, for every case whose operators, attributes and types
            Rlx.Inference supports. The opset import is raised to 17 (none of these operators changed
            between the case's opset and 17) and the model re-checked.
  op_*      small graphs built here with onnx.helper for the attribute and type cases the conformance
            set lacks (Gemm bias broadcasting, Cast, Equal, Where broadcasting, clamped Slice, Conv with
            bias and dilations, ...).
  policy_*  whole policies with the rlx.* metadata of `rlx export --format onnx`: MLPs (discrete,
            masked MultiDiscrete, Gaussian, Dict of both), DQN, SAC, a CNN and an LSTM cell.

op_* and policy_* outputs come from the numpy evaluator below, which is first run on every node_* case
and must reproduce ONNX's expected outputs (to 1e-6) before anything is written. Every model passes
onnx.checker. Each case is <name>.onnx plus <name>.json:

  {"source": "onnx-conformance" | "rlx", "runs": [{"inputs": [T...], "outputs": [T...]}]}
  T = {"name", "type": "float" | "int64" | "bool", "shape": [...], "data": [flat, row-major]}

Floats are written with 9 significant digits (exact for float32). Rerunning reproduces the files
byte for byte.
"""
import json
import os
import sys
import warnings

import numpy as np

# onnx 1.12's test cases use aliases numpy 1.24 removed; they are only needed while collecting them.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    for alias, value in (("float", float), ("int", int), ("bool", bool), ("object", object)):
        if not hasattr(np, alias):
            setattr(np, alias, value)

import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

OPSET = 17
SUPPORTED = {
    "Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Tanh", "Relu", "Sigmoid", "Exp", "Clip", "Equal",
    "Where", "Slice", "Concat", "Reshape", "Transpose", "Conv", "MaxPool", "Flatten", "ArgMax", "Cast",
    "Identity",
}
TYPES = {np.dtype(np.float32): "float", np.dtype(np.int64): "int64", np.dtype(np.bool_): "bool"}
ONNX_TO_NP = {TensorProto.FLOAT: np.float32, TensorProto.INT64: np.int64, TensorProto.BOOL: np.bool_}

# Conformance cases left out, and why (Rlx.Inference refuses these with an error naming the attribute).
EXCLUDED = {
    "test_conv_with_autopad_same": "auto_pad SAME_*",
    "test_maxpool_2d_same_upper": "auto_pad SAME_*",
    "test_maxpool_2d_same_lower": "auto_pad SAME_*",
    "test_maxpool_2d_precomputed_same_upper": "auto_pad SAME_*",
    "test_maxpool_2d_ceil": "ceil_mode 1",
    "test_maxpool_1d_default": "1-D pooling",
    "test_maxpool_3d_default": "3-D pooling",
    "test_maxpool_with_argmax_2d_precomputed_pads": "the Indices output",
    "test_maxpool_with_argmax_2d_precomputed_strides": "the Indices output",
    "test_matmul_3d": "batched MatMul",
    "test_matmul_4d": "batched MatMul",
    "test_reshape_allowzero_reordered": "allowzero 1",
    "test_identity_sequence": "sequences",
    "test_identity_opt": "optionals",
}


# ---------------------------------------------------------------------------------------------------
# numpy evaluator for the supported operators


def attrs(node):
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


def pads_of(a, rank):
    p = list(a.get("pads", [0] * (2 * rank)))
    return p[:rank], p[rank:]


def conv2d(x, w, b, a):
    n, c, h, wd = x.shape
    m, cg, kh, kw = w.shape
    assert a.get("group", 1) == 1 and cg == c
    sh, sw = a.get("strides", [1, 1])
    dh, dw = a.get("dilations", [1, 1])
    (pt, pl), (pb, pr) = pads_of(a, 2)
    xp = np.zeros((n, c, h + pt + pb, wd + pl + pr), dtype=np.float64)
    xp[:, :, pt:pt + h, pl:pl + wd] = x
    oh = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + pl + pr - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, m, oh, ow), dtype=np.float64)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * sh:i * sh + dh * (kh - 1) + 1:dh, j * sw:j * sw + dw * (kw - 1) + 1:dw]
            y[:, :, i, j] = np.tensordot(patch, w.astype(np.float64), axes=([1, 2, 3], [1, 2, 3]))
    if b is not None:
        y += b.reshape(1, m, 1, 1)
    return y.astype(np.float32)


def maxpool2d(x, a):
    assert a.get("ceil_mode", 0) == 0 and a.get("auto_pad", b"NOTSET") in (b"NOTSET", "NOTSET")
    n, c, h, wd = x.shape
    kh, kw = a["kernel_shape"]
    sh, sw = a.get("strides", [1, 1])
    dh, dw = a.get("dilations", [1, 1])
    (pt, pl), (pb, pr) = pads_of(a, 2)
    xp = np.full((n, c, h + pt + pb, wd + pl + pr), -np.inf, dtype=np.float32)
    xp[:, :, pt:pt + h, pl:pl + wd] = x
    oh = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    ow = (wd + pl + pr - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, c, oh, ow), dtype=np.float32)
    for i in range(oh):
        for j in range(ow):
            patch = xp[:, :, i * sh:i * sh + dh * (kh - 1) + 1:dh, j * sw:j * sw + dw * (kw - 1) + 1:dw]
            y[:, :, i, j] = patch.max(axis=(2, 3))
    return y


def slice_op(x, starts, ends, axes, steps):
    rank = x.ndim
    axes = list(range(len(starts))) if axes is None else [int(v) + rank if v < 0 else int(v) for v in axes]
    steps = [1] * len(starts) if steps is None else [int(v) for v in steps]
    index = [slice(None)] * rank
    for s, e, ax, st in zip(starts, ends, axes, steps):
        dim = x.shape[ax]
        s, e = int(s), int(e)
        s = s + dim if s < 0 else s
        e = e + dim if e < 0 else e
        if st > 0:
            s, e = min(max(s, 0), dim), min(max(e, 0), dim)
        else:
            s, e = min(max(s, 0), dim - 1), min(max(e, -1), dim - 1)
        index[ax] = slice(s, e if e >= 0 else None, st)
    return x[tuple(index)]


def reshape_op(x, shape):
    shape = [int(v) for v in shape]
    out = [x.shape[i] if v == 0 else v for i, v in enumerate(shape)]
    return x.reshape(out)


def argmax_op(x, a):
    axis = a.get("axis", 0)
    axis = axis + x.ndim if axis < 0 else axis
    if a.get("select_last_index", 0):
        y = x.shape[axis] - 1 - np.argmax(np.flip(x, axis), axis=axis)
    else:
        y = np.argmax(x, axis=axis)
    y = y.astype(np.int64)
    return np.expand_dims(y, axis) if a.get("keepdims", 1) else y


def gemm_op(a_, b_, c_, a):
    A = a_.T if a.get("transA", 0) else a_
    B = b_.T if a.get("transB", 0) else b_
    y = a.get("alpha", 1.0) * (A.astype(np.float64) @ B.astype(np.float64))
    if c_ is not None:
        y = y + a.get("beta", 1.0) * c_.astype(np.float64)
    return y.astype(np.float32)


def run_node(node, v):
    a = attrs(node)
    ins = [v[name] if name else None for name in node.input]
    op = node.op_type
    x = ins[0]
    if op == "Gemm":
        return gemm_op(x, ins[1], ins[2] if len(ins) > 2 else None, a)
    if op == "MatMul":
        return (x.astype(np.float64) @ ins[1].astype(np.float64)).astype(np.float32)
    if op in ("Add", "Sub", "Mul", "Div"):
        y = {"Add": np.add, "Sub": np.subtract, "Mul": np.multiply}.get(op)
        if y is not None:
            return y(x, ins[1])
        return (x / ins[1]).astype(x.dtype) if x.dtype == np.float32 else np.trunc(x / ins[1]).astype(x.dtype)
    if op == "Tanh":
        return np.tanh(x)
    if op == "Relu":
        return np.maximum(x, 0).astype(x.dtype)
    if op == "Sigmoid":
        return (1 / (1 + np.exp(-x.astype(np.float64)))).astype(np.float32)
    if op == "Exp":
        return np.exp(x)
    if op == "Clip":
        lo = ins[1] if len(ins) > 1 and ins[1] is not None else None
        hi = ins[2] if len(ins) > 2 and ins[2] is not None else None
        y = x
        if lo is not None:
            y = np.maximum(y, lo)
        if hi is not None:
            y = np.minimum(y, hi)
        return y.astype(x.dtype)
    if op == "Equal":
        return np.equal(x, ins[1])
    if op == "Where":
        return np.where(x, ins[1], ins[2])
    if op == "Slice":
        return slice_op(x, ins[1], ins[2], ins[3] if len(ins) > 3 else None, ins[4] if len(ins) > 4 else None)
    if op == "Concat":
        return np.concatenate(ins, axis=a["axis"])
    if op == "Reshape":
        assert a.get("allowzero", 0) == 0
        return reshape_op(x, ins[1])
    if op == "Transpose":
        return np.transpose(x, a.get("perm", list(reversed(range(x.ndim)))))
    if op == "Conv":
        return conv2d(x, ins[1], ins[2] if len(ins) > 2 else None, a)
    if op == "MaxPool":
        return maxpool2d(x, a)
    if op == "Flatten":
        axis = a.get("axis", 1)
        axis = axis + x.ndim if axis < 0 else axis
        return x.reshape(int(np.prod(x.shape[:axis])), -1)
    if op == "ArgMax":
        return argmax_op(x, a)
    if op == "Cast":
        to = ONNX_TO_NP[a["to"]]
        if to == np.int64 and x.dtype == np.float32:
            return np.trunc(x).astype(np.int64)
        return x.astype(to)
    if op == "Identity":
        return x.copy()
    raise ValueError(f"no reference for {op}")


def evaluate(model, inputs):
    v = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    v.update(inputs)
    for node in model.graph.node:
        y = run_node(node, v)
        v[node.output[0]] = np.asarray(y)
    return [v[o.name] for o in model.graph.output]


# ---------------------------------------------------------------------------------------------------
# writing


def fmt(x, kind):
    if kind == "bool":
        return "true" if x else "false"
    if kind == "int64":
        return str(int(x))
    f = float(np.float32(x))
    if f == np.inf:
        return '"inf"'
    if f == -np.inf:
        return '"-inf"'
    s = "%.9g" % f
    return s


def tensor_json(name, arr):
    arr = np.asarray(arr)
    kind = TYPES[arr.dtype]
    data = ",".join(fmt(x, kind) for x in arr.reshape(-1))
    shape = ",".join(str(d) for d in arr.shape)
    return f'{{"name":"{name}","type":"{kind}","shape":[{shape}],"data":[{data}]}}'


def write_case(out, name, model, source, runs):
    onnx.checker.check_model(model)
    with open(os.path.join(out, name + ".onnx"), "wb") as f:
        f.write(model.SerializeToString())
    in_names = [i.name for i in model.graph.input]
    out_names = [o.name for o in model.graph.output]
    lines = []
    for inputs, outputs in runs:
        ins = ",".join(tensor_json(n, a) for n, a in zip(in_names, inputs))
        outs = ",".join(tensor_json(n, a) for n, a in zip(out_names, outputs))
        lines.append(f'{{"inputs":[{ins}],\n "outputs":[{outs}]}}')
    with open(os.path.join(out, name + ".json"), "w") as f:
        f.write(f'{{"source":"{source}","runs":[\n' + ",\n".join(lines) + "\n]}\n")


def check_close(name, expected, actual, tol=1e-6):
    for e, a in zip(expected, actual):
        e, a = np.asarray(e), np.asarray(a)
        assert e.shape == a.shape and e.dtype == a.dtype, f"{name}: {e.shape}/{e.dtype} vs {a.shape}/{a.dtype}"
        if e.dtype == np.float32:
            err = np.abs(e.astype(np.float64) - a) / np.maximum(1.0, np.abs(e))
            assert err.size == 0 or err.max() <= tol, f"{name}: evaluator differs by {err.max()}"
        else:
            assert np.array_equal(e, a), f"{name}: evaluator differs"


# ---------------------------------------------------------------------------------------------------
# ONNX's conformance cases


def conformance(out):
    from onnx.backend.test.case import node as cases_module

    written = 0
    for case in cases_module.collect_testcases(None):
        if case.model is None or case.name in EXCLUDED or not case.data_sets:
            continue
        graph = case.model.graph
        if not all(n.op_type in SUPPORTED and n.domain in ("", "ai.onnx") for n in graph.node):
            continue
        inputs, outputs = case.data_sets[0]
        arrays = [np.asarray(a) for a in list(inputs) + list(outputs)]
        if not all(a.dtype in TYPES for a in arrays):
            continue
        model = onnx.ModelProto()
        model.CopyFrom(case.model)
        del model.opset_import[:]
        model.opset_import.append(helper.make_opsetid("", OPSET))
        model.ir_version = 8
        feed = {i.name: np.asarray(a) for i, a in zip(graph.input, inputs)}
        check_close(case.name, [np.asarray(o) for o in outputs], evaluate(model, feed))
        write_case(out, "node_" + case.name[len("test_"):], model, "onnx-conformance",
                   [([np.asarray(a) for a in inputs], [np.asarray(o) for o in outputs])])
        written += 1
    return written


# ---------------------------------------------------------------------------------------------------
# own cases


def model_of(nodes, inputs, outputs, initializers=(), metadata=None, name="g"):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="rlx-golden")
    model.ir_version = 8
    if metadata:
        helper.set_model_props(model, metadata)
    return model


def vi(name, elem, shape):
    return helper.make_tensor_value_info(name, elem, shape)


def const(name, arr, raw=True):
    arr = np.asarray(arr)
    if raw:
        return numpy_helper.from_array(arr, name)
    elem = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.int64): TensorProto.INT64,
            np.dtype(np.bool_): TensorProto.BOOL}[arr.dtype]
    return helper.make_tensor(name, elem, arr.shape, arr.reshape(-1).tolist(), raw=False)


def own_case(out, name, nodes, inputs, outputs, feeds, initializers=(), metadata=None, source="rlx"):
    model = model_of(nodes, inputs, outputs, initializers, metadata, name)
    runs = []
    for feed in feeds:
        arrays = [np.asarray(feed[i.name]) for i in model.graph.input]
        runs.append((arrays, evaluate(model, {i.name: a for i, a in zip(model.graph.input, arrays)})))
    write_case(out, name, model, source, runs)
    return model, runs


def op_cases(out, rng):
    F, I, B = TensorProto.FLOAT, TensorProto.INT64, TensorProto.BOOL
    r = lambda *s: rng.standard_normal(s).astype(np.float32)  # noqa: E731
    n = 0

    # Gemm: bias broadcast from [N], [M,1], [1,1] and none; transposes with alpha/beta; float_data weights.
    for label, c_shape, ta, tb, alpha, beta in (("c_row", [5], 0, 0, 1.0, 1.0), ("c_column", [3, 1], 0, 1, 0.5, 2.0),
                                                 ("c_scalar", [1, 1], 1, 0, 1.0, -1.0), ("c_full", [3, 5], 1, 1, 2.0, 0.25)):
        a_shape = [4, 3] if ta else [3, 4]
        b_shape = [5, 4] if tb else [4, 5]
        node = helper.make_node("Gemm", ["a", "b", "c"], ["y"], alpha=alpha, beta=beta, transA=ta, transB=tb)
        own_case(out, f"op_gemm_{label}", [node], [vi("a", F, a_shape)], [vi("y", F, [3, 5])],
                 [{"a": r(*a_shape)}], [const("b", r(*b_shape), raw=False), const("c", r(*c_shape))])
        n += 1
    node = helper.make_node("Gemm", ["a", "b"], ["y"], transB=1)
    own_case(out, "op_gemm_no_c_batch", [node], [vi("a", F, ["batch", 6])], [vi("y", F, ["batch", 2])],
             [{"a": r(1, 6)}, {"a": r(7, 6)}], [const("b", r(2, 6))])
    n += 1

    # Elementwise with broadcasting both ways, int64 arithmetic, Div by a scalar.
    for op in ("Add", "Sub", "Mul", "Div"):
        own_case(out, f"op_{op.lower()}_both_ways", [helper.make_node(op, ["x", "y"], ["z"])],
                 [vi("x", F, [3, 1]), vi("y", F, [1, 4])], [vi("z", F, [3, 4])],
                 [{"x": r(3, 1), "y": r(1, 4) + np.float32(3)}])
        own_case(out, f"op_{op.lower()}_int64", [helper.make_node(op, ["x", "y"], ["z"])],
                 [vi("x", I, [2, 3]), vi("y", I, [3])], [vi("z", I, [2, 3])],
                 [{"x": np.array([[7, -7, 9], [100, -3, 0]], np.int64), "y": np.array([2, 2, -4], np.int64)}])
        n += 2
    own_case(out, "op_div_scalar_initializer", [helper.make_node("Div", ["x", "s"], ["z"])],
             [vi("x", F, [2, 3])], [vi("z", F, [2, 3])], [{"x": r(2, 3)}], [const("s", np.array(0.3, np.float32))])
    n += 1

    # Unary functions over a wide range (sigmoid and tanh saturate, exp stays finite).
    wide = np.concatenate([np.linspace(-30, 30, 25), r(15)]).astype(np.float32).reshape(5, 8)
    for op in ("Tanh", "Relu", "Sigmoid", "Exp"):
        x = wide if op != "Exp" else (wide / np.float32(2)).astype(np.float32)
        own_case(out, f"op_{op.lower()}_wide", [helper.make_node(op, ["x"], ["y"])], [vi("x", F, [5, 8])],
                 [vi("y", F, [5, 8])], [{"x": x}])
        n += 1

    # Clip: both bounds as initializers, only max (min absent as ''), neither, int64.
    clip_x = (r(4, 5) * np.float32(3)).astype(np.float32)
    own_case(out, "op_clip_both", [helper.make_node("Clip", ["x", "lo", "hi"], ["y"])], [vi("x", F, [4, 5])],
             [vi("y", F, [4, 5])], [{"x": clip_x}], [const("lo", np.array(-1.5, np.float32)), const("hi", np.array(0.5, np.float32))])
    own_case(out, "op_clip_max_only", [helper.make_node("Clip", ["x", "", "hi"], ["y"])], [vi("x", F, [4, 5])],
             [vi("y", F, [4, 5])], [{"x": clip_x}], [const("hi", np.array(0.25, np.float32))])
    own_case(out, "op_clip_none", [helper.make_node("Clip", ["x"], ["y"])], [vi("x", F, [4, 5])],
             [vi("y", F, [4, 5])], [{"x": clip_x}])
    own_case(out, "op_clip_int64", [helper.make_node("Clip", ["x", "lo", "hi"], ["y"])], [vi("x", I, [6])],
             [vi("y", I, [6])], [{"x": np.array([-9, -2, 0, 3, 8, 100], np.int64)}],
             [const("lo", np.array(-2, np.int64)), const("hi", np.array(5, np.int64), raw=False)])
    n += 4

    # Equal on floats, int64 (broadcast) and bools; Where with a broadcast condition and scalar branch.
    own_case(out, "op_equal_float", [helper.make_node("Equal", ["x", "y"], ["z"])],
             [vi("x", F, [2, 4]), vi("y", F, [2, 4])], [vi("z", B, [2, 4])],
             [{"x": np.array([[0, 1, 0, 1], [2, -0.0, 0.5, 3]], np.float32), "y": np.array([[0, 0, 1, 1], [2, 0, 0.25, 3]], np.float32)}])
    own_case(out, "op_equal_int64_broadcast", [helper.make_node("Equal", ["x", "y"], ["z"])],
             [vi("x", I, [3, 1]), vi("y", I, [4])], [vi("z", B, [3, 4])],
             [{"x": np.array([[1], [2], [3]], np.int64), "y": np.array([3, 2, 1, 0], np.int64)}])
    own_case(out, "op_equal_bool", [helper.make_node("Equal", ["x", "y"], ["z"])],
             [vi("x", B, [4]), vi("y", B, [4])], [vi("z", B, [4])],
             [{"x": np.array([True, True, False, False]), "y": np.array([True, False, True, False])}])
    own_case(out, "op_where_broadcast", [helper.make_node("Where", ["c", "x", "y"], ["z"])],
             [vi("c", B, [2, 1]), vi("x", F, [1, 3])], [vi("z", F, [2, 3])],
             [{"c": np.array([[True], [False]]), "x": r(1, 3)}], [const("y", np.array(-1e8, np.float32))])
    n += 4

    # Slice: negative axes, ends past the end (INT64_MAX), steps 2 and -1, negative starts, clamped starts.
    big = np.iinfo(np.int64).max
    x = r(4, 6, 5)
    for label, starts, ends, axes, steps in (
            ("negative_axes", [1, -4], [big, -1], [-1, 1], [1, 1]),
            ("step_two", [0, 1], [4, 6], [0, 1], [2, 2]),
            ("negative_step", [-1, 10], [-big, 0], [2, 0], [-1, -2]),
            ("clamped", [-100, 3], [100, 3], [0, 2], [1, 1]),
            ("default_axes_steps", [1, 0, 2], [3, 5, 4], None, None)):
        names = ["x", "starts", "ends"] + (["axes", "steps"] if axes is not None else [])
        inits = [const("starts", np.array(starts, np.int64)), const("ends", np.array(ends, np.int64), raw=False)]
        if axes is not None:
            inits += [const("axes", np.array(axes, np.int64)), const("steps", np.array(steps, np.int64))]
        y = slice_op(x, starts, ends, axes, steps)
        own_case(out, f"op_slice_{label}", [helper.make_node("Slice", names, ["y"])], [vi("x", F, list(x.shape))],
                 [vi("y", F, list(y.shape))], [{"x": x}], inits)
        n += 1

    # Concat of three inputs on a negative axis; int64 concat.
    own_case(out, "op_concat_three_negative_axis", [helper.make_node("Concat", ["a", "b", "c"], ["y"], axis=-1)],
             [vi("a", F, [2, 1]), vi("b", F, [2, 3]), vi("c", F, [2, 2])], [vi("y", F, [2, 6])],
             [{"a": r(2, 1), "b": r(2, 3), "c": r(2, 2)}])
    own_case(out, "op_concat_int64", [helper.make_node("Concat", ["a", "b"], ["y"], axis=0)],
             [vi("a", I, [2]), vi("b", I, [3])], [vi("y", I, [5])],
             [{"a": np.array([1, 2], np.int64), "b": np.array([-3, 4, 5], np.int64)}])
    n += 2

    # Reshape with 0 (copy) and -1 (infer) on a symbolic batch; Transpose of rank 4; Flatten axis 0.
    own_case(out, "op_reshape_copy_and_infer", [helper.make_node("Reshape", ["x", "s"], ["y"])],
             [vi("x", F, ["batch", 12])], [vi("y", F, ["batch", 3, 4])], [{"x": r(1, 12)}, {"x": r(5, 12)}],
             [const("s", np.array([0, -1, 4], np.int64))])
    own_case(out, "op_transpose_nhwc_to_nchw", [helper.make_node("Transpose", ["x"], ["y"], perm=[0, 3, 1, 2])],
             [vi("x", F, [2, 3, 4, 5])], [vi("y", F, [2, 5, 3, 4])], [{"x": r(2, 3, 4, 5)}])
    own_case(out, "op_flatten_axis0", [helper.make_node("Flatten", ["x"], ["y"], axis=0)],
             [vi("x", F, [2, 3, 2])], [vi("y", F, [1, 12])], [{"x": r(2, 3, 2)}])
    n += 3

    # Conv with bias, stride, dilation and asymmetric pads over two images of three channels.
    node = helper.make_node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[3, 2], strides=[2, 1], pads=[1, 0, 2, 1], dilations=[1, 2])
    x = r(2, 3, 7, 6)
    y = conv2d(x, r(4, 3, 3, 2), None, {"kernel_shape": [3, 2], "strides": [2, 1], "pads": [1, 0, 2, 1], "dilations": [1, 2]})
    own_case(out, "op_conv_bias_stride_dilation_pads", [node], [vi("x", F, [2, 3, 7, 6])], [vi("y", F, list(y.shape))],
             [{"x": x}], [const("w", r(4, 3, 3, 2)), const("b", r(4), raw=False)])
    node = helper.make_node("Conv", ["x", "w"], ["y"])  # kernel_shape taken from the weights
    own_case(out, "op_conv_kernel_from_weights", [node], [vi("x", F, [1, 2, 5, 4])], [vi("y", F, [1, 3, 4, 2])],
             [{"x": r(1, 2, 5, 4)}], [const("w", r(3, 2, 2, 3))])
    # MaxPool with pads (padded with -inf: an all-negative input shows it), strides, two channels.
    node = helper.make_node("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    own_case(out, "op_maxpool_pads_negative_input", [node], [vi("x", F, [2, 2, 5, 5])], [vi("y", F, [2, 2, 3, 3])],
             [{"x": -np.abs(r(2, 2, 5, 5)) - np.float32(1)}])
    n += 3

    # ArgMax: ties go to the first maximum; axis 1 without keepdims; axis -1 with keepdims; select_last_index.
    tied = np.array([[1, 3, 3, 0], [2, 2, 2, 2], [-1, -5, -1, -9]], np.float32)
    own_case(out, "op_argmax_ties_first", [helper.make_node("ArgMax", ["x"], ["y"], axis=1, keepdims=0)],
             [vi("x", F, [3, 4])], [vi("y", I, [3])], [{"x": tied}])
    own_case(out, "op_argmax_ties_last", [helper.make_node("ArgMax", ["x"], ["y"], axis=-1, keepdims=1, select_last_index=1)],
             [vi("x", F, [3, 4])], [vi("y", I, [3, 1])], [{"x": tied}])
    own_case(out, "op_argmax_int64_axis0", [helper.make_node("ArgMax", ["x"], ["y"], axis=0, keepdims=1)],
             [vi("x", I, [3, 2])], [vi("y", I, [1, 2])], [{"x": np.array([[1, 9], [4, 9], [4, -2]], np.int64)}])
    n += 3

    # Cast between float, int64 and bool (float -> int64 truncates toward zero).
    fx = np.array([[-2.7, -0.5, 0.0, 0.4, 1.5, 3.99]], np.float32)
    ix = np.array([[-3, 0, 1, 2, 0, 7]], np.int64)
    bx = np.array([[True, False, True, True, False, False]])
    for src, arr, elem in (("float", fx, F), ("int64", ix, I), ("bool", bx, B)):
        for dst, to in (("float", F), ("int64", I), ("bool", B)):
            own_case(out, f"op_cast_{src}_to_{dst}", [helper.make_node("Cast", ["x"], ["y"], to=to)],
                     [vi("x", elem, [1, 6])], [vi("y", to, [1, 6])], [{"x": arr}])
            n += 1

    own_case(out, "op_identity_int64", [helper.make_node("Identity", ["x"], ["y"])], [vi("x", I, [3])],
             [vi("y", I, [3])], [{"x": np.array([5, -6, 7], np.int64)}])
    own_case(out, "op_matmul_initializer", [helper.make_node("MatMul", ["x", "w"], ["y"])], [vi("x", F, ["batch", 4])],
             [vi("y", F, ["batch", 3])], [{"x": r(2, 4)}], [const("w", r(4, 3), raw=False)])
    n += 2
    return n


# ---------------------------------------------------------------------------------------------------
# policies, with the metadata `rlx export --format onnx` writes


def meta(algorithm, policy, obs, act, state, heads, obs_space, act_space):
    return {
        "rlx.format": "1", "rlx.version": "golden", "rlx.algorithm": algorithm, "rlx.policy": policy,
        "rlx.observation_size": str(obs), "rlx.action_size": str(act), "rlx.state_size": str(state),
        "rlx.action_heads": json.dumps(heads, separators=(",", ":")),
        "rlx.observation_space": obs_space, "rlx.action_space": act_space, "rlx.config": "{}",
    }


class Net:
    """Collects nodes and initializers for a policy graph under readable names."""

    def __init__(self, rng):
        self.rng, self.nodes, self.inits, self.count = rng, [], [], 0

    def name(self, stem):
        self.count += 1
        return f"{stem}_{self.count}"

    def const(self, arr, stem="c", raw=True):
        n = self.name(stem)
        self.inits.append(const(n, arr, raw))
        return n

    def op(self, op_type, inputs, output=None, **kw):
        output = output or self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [output], **kw))
        return output

    def linear(self, x, n_in, n_out, raw=True, scale=0.5):
        w = (self.rng.standard_normal((n_out, n_in)) * scale).astype(np.float32)
        b = (self.rng.standard_normal(n_out) * 0.1).astype(np.float32)
        return self.op("Gemm", [x, self.const(w, "weight", raw), self.const(b, "bias", raw)], transB=1)

    def mlp(self, x, sizes, activation="Tanh"):
        for i in range(len(sizes) - 2):
            x = self.op(activation, [self.linear(x, sizes[i], sizes[i + 1], raw=i % 2 == 0)])
        return self.linear(x, sizes[-2], sizes[-1])

    def normalise(self, x, size):
        mean = self.rng.standard_normal(size).astype(np.float32)
        std = (np.abs(self.rng.standard_normal(size)) + 0.5).astype(np.float32)
        x = self.op("Div", [self.op("Sub", [x, self.const(mean, "obs_mean")]), self.const(std, "obs_std")])
        return self.op("Clip", [x, self.const(np.array(-10, np.float32)), self.const(np.array(10, np.float32))])

    def greedy(self, logits, start, output=None):
        index = self.op("ArgMax", [logits], axis=1, keepdims=1)
        action = self.op("Cast", [index], to=TensorProto.FLOAT)
        return self.op("Add", [action, self.const(np.array([start], np.float32))], output) if start else self.op("Identity", [action], output)

    def slice_cols(self, x, begin, end):
        return self.op("Slice", [x, self.const(np.array([begin], np.int64)), self.const(np.array([end], np.int64)),
                                 self.const(np.array([1], np.int64))])

    def mask(self, logits, mask):
        forbidden = self.op("Equal", [mask, self.const(np.array(0, np.float32))])
        return self.op("Where", [forbidden, self.const(np.array(-1e8, np.float32)), logits], "logits")


def policy_cases(out, rng):
    F = TensorProto.FLOAT
    obs_feeds = lambda size, batches: [{"obs": (rng.standard_normal((b, size)) * 2).astype(np.float32)} for b in batches]  # noqa: E731
    n = 0

    # PPO on CartPole-like Discrete(3, start=1): normalisation, tanh MLP, value head.
    g = Net(rng)
    x = g.normalise("obs", 4)
    g.op("Identity", [g.mlp(x, [4, 16, 16, 3])], "logits")
    g.greedy("logits", 1, "action")
    g.op("Identity", [g.mlp(x, [4, 16, 16, 1])], "value")
    heads = [{"kind": "categorical", "head": 0, "size": 3, "action": 0, "start": 1}]
    own_case(out, "policy_mlp_discrete", g.nodes, [vi("obs", F, ["batch", 4])],
             [vi("action", F, ["batch", 1]), vi("logits", F, ["batch", 3]), vi("value", F, ["batch", 1])],
             obs_feeds(4, (1, 5, 1)), g.inits,
             meta("ppo", "actor_critic", 4, 1, 0, heads, "Box(-inf, inf, (4,), float32)", "Discrete(3, start=1)"))
    n += 1

    # Masked MultiDiscrete([3, 2]) with ReLU: masks set forbidden logits to -1e8 before each part's argmax.
    g = Net(rng)
    raw_logits = g.mlp("obs", [6, 8, 5], "Relu")
    g.mask(raw_logits, "action_mask")
    first = g.greedy(g.slice_cols("logits", 0, 3), 0)
    second = g.greedy(g.slice_cols("logits", 3, 5), 0)
    g.op("Concat", [first, second], "action", axis=1)
    heads = [{"kind": "categorical", "head": 0, "size": 3, "action": 0, "start": 0},
             {"kind": "categorical", "head": 3, "size": 2, "action": 1, "start": 0}]
    feeds = obs_feeds(6, (1, 4))
    feeds[0]["action_mask"] = np.array([[0, 1, 1, 1, 0]], np.float32)
    feeds[1]["action_mask"] = np.array([[1, 1, 1, 1, 1], [1, 0, 0, 0, 1], [0, 0, 1, 1, 1], [0, 1, 0, 1, 0]], np.float32)
    own_case(out, "policy_mlp_masked", g.nodes, [vi("obs", F, ["batch", 6]), vi("action_mask", F, ["batch", 5])],
             [vi("action", F, ["batch", 2]), vi("logits", F, ["batch", 5])], feeds, g.inits,
             meta("ppo", "actor_critic", 6, 2, 0, heads, "Dict(obs: Box(-inf, inf, (6,), float32), action_mask: MultiBinary(5))", "MultiDiscrete([3 2])"))
    n += 1

    # Box(2): Gaussian means, a state-independent log-std.
    g = Net(rng)
    g.op("Identity", [g.mlp("obs", [3, 8, 2])], "logits")
    g.op("Identity", ["logits"], "action")
    g.op("Identity", [g.const(np.array([[-0.5, 0.3]], np.float32), "actor_logstd")], "log_std")
    heads = [{"kind": "gaussian", "head": 0, "size": 2, "action": 0, "std": 0}]
    own_case(out, "policy_mlp_gaussian", g.nodes, [vi("obs", F, ["batch", 3])],
             [vi("action", F, ["batch", 2]), vi("logits", F, ["batch", 2]), vi("log_std", F, [1, 2])],
             obs_feeds(3, (1, 3)), g.inits,
             meta("ppo", "actor_critic", 3, 2, 0, heads, "Box(-inf, inf, (3,), float32)", "Box(-1.0, 1.0, (2,), float32)"))
    n += 1

    # Dict(a: Discrete(3), b: Box(2)): one categorical then one Gaussian part.
    g = Net(rng)
    g.op("Identity", [g.mlp("obs", [4, 8, 5])], "logits")
    g.op("Concat", [g.greedy(g.slice_cols("logits", 0, 3), 0), g.slice_cols("logits", 3, 5)], "action", axis=1)
    g.op("Identity", [g.const(np.array([[0.2, -1.0]], np.float32), "actor_logstd")], "log_std")
    g.op("Identity", [g.mlp("obs", [4, 8, 1])], "value")
    heads = [{"kind": "categorical", "head": 0, "size": 3, "action": 0, "start": 0},
             {"kind": "gaussian", "head": 3, "size": 2, "action": 1, "std": 0}]
    own_case(out, "policy_mixed_dict", g.nodes, [vi("obs", F, ["batch", 4])],
             [vi("action", F, ["batch", 3]), vi("logits", F, ["batch", 5]), vi("log_std", F, [1, 2]), vi("value", F, ["batch", 1])],
             obs_feeds(4, (1, 2)), g.inits,
             meta("ppo", "actor_critic", 4, 3, 0, heads, "Box(-inf, inf, (4,), float32)", "Dict(a: Discrete(3), b: Box(-1.0, 1.0, (2,), float32))"))
    n += 1

    # DQN: Q-values for Discrete(4), ReLU MLP.
    g = Net(rng)
    g.op("Identity", [g.mlp("obs", [5, 12, 4], "Relu")], "q_values")
    g.greedy("q_values", 0, "action")
    heads = [{"kind": "q", "size": 4, "action": 0}]
    own_case(out, "policy_q", g.nodes, [vi("obs", F, ["batch", 5])],
             [vi("action", F, ["batch", 1]), vi("q_values", F, ["batch", 4])], obs_feeds(5, (1, 3)), g.inits,
             meta("dqn", "q", 5, 1, 0, heads, "Box(-inf, inf, (5,), float32)", "Discrete(4)"))
    n += 1

    # SAC: mean and bounded log-std heads; action = tanh(mean)·scale + bias for a Box([-2, 0], [2, 1]).
    g = Net(rng)
    trunk = g.op("Relu", [g.linear("obs", 3, 8)])
    g.op("Identity", [g.linear(trunk, 8, 2)], "mean")
    squashed = g.op("Tanh", [g.linear(trunk, 8, 2)])
    lo, hi = -5.0, 2.0
    g.op("Add", [g.const(np.array(lo, np.float32)),
                 g.op("Mul", [g.const(np.array(0.5 * (hi - lo), np.float32)), g.op("Add", [squashed, g.const(np.array(1, np.float32))])])], "log_std")
    scale, bias = np.array([2.0, 0.5], np.float32), np.array([0.0, 0.5], np.float32)
    g.op("Add", [g.op("Mul", [g.op("Tanh", ["mean"]), g.const(scale, "scale")]), g.const(bias, "bias")], "action")
    heads = [{"kind": "squashed_gaussian", "size": 2, "action": 0, "scale": scale.tolist(), "bias": bias.tolist()}]
    own_case(out, "policy_sac", g.nodes, [vi("obs", F, ["batch", 3])],
             [vi("action", F, ["batch", 2]), vi("mean", F, ["batch", 2]), vi("log_std", F, ["batch", 2])],
             obs_feeds(3, (1, 4)), g.inits,
             meta("sac", "squashed_gaussian", 3, 2, 0, heads, "Box(-inf, inf, (3,), float32)", "Box([-2. 0.], [2. 1.], (2,), float32)"))
    n += 1

    # CNN on a 6x6x2 HWC image (flat): Reshape, Transpose to NCHW, Conv+ReLU, MaxPool, Flatten, Gemm.
    g = Net(rng)
    image = g.op("Transpose", [g.op("Reshape", ["obs", g.const(np.array([-1, 6, 6, 2], np.int64))])], perm=[0, 3, 1, 2])
    conv = g.op("Relu", [g.op("Conv", [image, g.const((rng.standard_normal((4, 2, 3, 3)) * 0.4).astype(np.float32), "conv_w"),
                                        g.const((rng.standard_normal(4) * 0.1).astype(np.float32), "conv_b")],
                              kernel_shape=[3, 3], pads=[1, 1, 1, 1])])
    pooled = g.op("Flatten", [g.op("MaxPool", [conv], kernel_shape=[2, 2], strides=[2, 2])], axis=1)
    g.op("Identity", [g.mlp(pooled, [36, 16, 4], "Relu")], "logits")
    g.greedy("logits", 0, "action")
    heads = [{"kind": "categorical", "head": 0, "size": 4, "action": 0, "start": 0}]
    own_case(out, "policy_cnn", g.nodes, [vi("obs", F, ["batch", 72])], [vi("action", F, ["batch", 1]), vi("logits", F, ["batch", 4])],
             [{"obs": rng.integers(0, 4, (b, 72)).astype(np.float32)} for b in (1, 3)], g.inits,
             meta("ppo", "actor_critic", 72, 1, 0, heads, "Box(0, 255, (6, 6, 2), uint8)", "Discrete(4)"))
    n += 1

    # LSTM cell (hidden 4): state = [h, c]; gates i, f, g, o from Gemm over [x, h]; steps chained through state_out.
    g = Net(rng)
    H = 4
    h = g.slice_cols("state_in", 0, H)
    c = g.slice_cols("state_in", H, 2 * H)
    enc = g.op("Tanh", [g.linear("obs", 3, 6)])
    gates = g.linear(g.op("Concat", [enc, h], axis=1), 6 + H, 4 * H)
    i_g = g.op("Sigmoid", [g.slice_cols(gates, 0, H)])
    f_g = g.op("Sigmoid", [g.slice_cols(gates, H, 2 * H)])
    c_g = g.op("Tanh", [g.slice_cols(gates, 2 * H, 3 * H)])
    o_g = g.op("Sigmoid", [g.slice_cols(gates, 3 * H, 4 * H)])
    c2 = g.op("Add", [g.op("Mul", [f_g, c]), g.op("Mul", [i_g, c_g])])
    h2 = g.op("Mul", [o_g, g.op("Tanh", [c2])])
    g.op("Concat", [h2, c2], "state_out", axis=1)
    g.op("Identity", [g.linear(h2, H, 3)], "logits")
    g.greedy("logits", 0, "action")
    heads = [{"kind": "categorical", "head": 0, "size": 3, "action": 0, "start": 0}]
    model = model_of(g.nodes, [vi("obs", F, ["batch", 3]), vi("state_in", F, ["batch", 2 * H])],
                     [vi("action", F, ["batch", 1]), vi("logits", F, ["batch", 3]), vi("state_out", F, ["batch", 2 * H])],
                     g.inits, meta("ppo", "actor_critic", 3, 1, 2 * H, heads, "Box(-inf, inf, (3,), float32)", "Discrete(3)"),
                     "policy_lstm")
    runs, state = [], np.zeros((2, 2 * H), np.float32)
    for _ in range(4):
        obs = rng.standard_normal((2, 3)).astype(np.float32)
        outputs = evaluate(model, {"obs": obs, "state_in": state})
        runs.append(([obs, state], outputs))
        state = outputs[2]
    write_case(out, "policy_lstm", model, "rlx", runs)
    n += 1
    return n


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "onnx")
    os.makedirs(out, exist_ok=True)
    for f in os.listdir(out):
        if f.endswith(".onnx") or f.endswith(".json"):
            os.remove(os.path.join(out, f))
    rng = np.random.default_rng(20261206)
    counts = (conformance(out), op_cases(out, rng), policy_cases(out, rng))
    print(f"wrote {sum(counts)} cases to {out}: {counts[0]} conformance, {counts[1]} op, {counts[2]} policy "
          f"(onnx {onnx.__version__}, numpy {np.__version__})")


if __name__ == "__main__":
    main()
