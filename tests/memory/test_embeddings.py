from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from memory.embeddings import MAX_TOKENS, MiniLMEmbeddingFunction, shared_embedder

REFERENCE = Path(__file__).with_name("minilm_reference_vectors.json")


def test_vectors_match_sentence_transformers() -> None:
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    ours = shared_embedder().embed(reference["texts"])
    theirs = np.asarray(reference["vectors"], dtype=np.float32)
    cosines = (ours * theirs).sum(axis=1) / np.linalg.norm(theirs, axis=1)
    assert cosines.min() >= 0.999, cosines


def test_truncates_at_256_tokens_not_the_bundled_128() -> None:
    embedder = shared_embedder()
    long_text = "word " * 1000
    assert embedder.count_tokens(long_text) == MAX_TOKENS
    # Text past token 128 must still change the vector (it would not if truncation stayed at 128).
    base = "alpha " * 150
    assert embedder.count_tokens(base) > 128
    a, b = embedder.embed([base + "photosynthesis chlorophyll", base + "volcano eruption lava"])
    assert float(a @ b) < 0.9999


def test_vectors_are_unit_length_and_keep_input_order() -> None:
    texts = ["a much longer sentence about the history of the Roman Empire and its fall", "short", "medium text"]
    batch = shared_embedder().embed(texts)
    assert batch.shape == (3, 384)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    for text, vector in zip(texts, batch, strict=True):
        assert np.allclose(shared_embedder().embed_one(text), vector, atol=1e-5)
    assert shared_embedder().embed([]).shape == (0, 384)


def test_embedding_function_round_trips_its_config() -> None:
    function = MiniLMEmbeddingFunction(batch_size=8)
    rebuilt = MiniLMEmbeddingFunction.build_from_config(function.get_config())
    assert rebuilt.get_config() == function.get_config()
    assert MiniLMEmbeddingFunction.name() == "deepresearch-minilm-l6-v2"
    assert len(function(["hello world"])[0]) == 384


def test_fused_and_portable_graphs_agree() -> None:
    import onnxruntime

    from memory.embeddings import bundled_model_dir
    from memory.minilm_onnx import build_minilm_onnx

    embedder = shared_embedder()
    texts = ["A short one.", "A somewhat longer sentence about the water cycle and clouds forming rain."]
    fused = embedder.embed(texts)
    portable_graph = build_minilm_onnx(bundled_model_dir() / "model.safetensors", fused=False)
    session = onnxruntime.InferenceSession(portable_graph, providers=["CPUExecutionProvider"])
    ids = [embedder._tokenizer.encode(t).ids for t in texts]
    width = max(map(len, ids))
    input_ids = np.array([row + [0] * (width - len(row)) for row in ids], dtype=np.int64)
    mask = np.array([[1] * len(row) + [0] * (width - len(row)) for row in ids], dtype=np.int64)
    [portable] = session.run(["sentence_embedding"], {"input_ids": input_ids, "attention_mask": mask})
    assert ((fused * portable).sum(axis=1) >= 0.99999).all()


def test_similarities_rank_the_supporting_passage_first() -> None:
    scores = shared_embedder().similarities(
        "Plants use sunlight to make sugar.",
        ["The stock market fell sharply on Monday.", "Photosynthesis turns light energy into glucose in plants."],
    )
    assert scores.shape == (2,)
    assert scores[1] > scores[0] + 0.3
