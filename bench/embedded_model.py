"""Prompt and generation speed of the embedded model on this machine, per thread setting.

Usage: python bench/embedded_model.py [--threads 1 2] [--repeats 3]

Prompt speed: a ~500-token prompt with a 1-token reply (prompt evaluation dominates). Generation speed:
a short prompt with a 128-token reply, minus the prompt's share. Each figure is the median of the
repeats. The prompt cache is reset between runs so every prompt is evaluated in full.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from deepresearch.llm.embedded import locate_embedded_model  # noqa: E402

LONG_PROMPT = (
    "Photosynthesis is the process by which green plants and some other organisms use sunlight to "
    "synthesize foods from carbon dioxide and water. "
) * 20


def _timed_completion(llama: object, prompt: str, max_tokens: int) -> tuple[float, int, int]:
    llama.reset()  # type: ignore[attr-defined]
    started = time.perf_counter()
    result = llama.create_chat_completion(  # type: ignore[attr-defined]
        messages=[{"role": "user", "content": prompt}], max_tokens=max_tokens, temperature=0.0, seed=1
    )
    elapsed = time.perf_counter() - started
    usage = result["usage"]
    return elapsed, int(usage["prompt_tokens"]), int(usage["completion_tokens"])


def measure(threads: int, repeats: int) -> tuple[float, float, float]:
    from llama_cpp import Llama

    started = time.perf_counter()
    llama = Llama(model_path=str(locate_embedded_model()), n_ctx=4096, n_threads=threads, verbose=False)
    load_s = time.perf_counter() - started
    prompt_rates, generation_rates = [], []
    for _ in range(repeats):
        prompt_s, prompt_tokens, _ = _timed_completion(llama, LONG_PROMPT + "Summarize.", 1)
        prompt_rates.append(prompt_tokens / prompt_s)
        total_s, short_prompt_tokens, completion_tokens = _timed_completion(
            llama, "Write a long story about a lighthouse keeper.", 128
        )
        generation_s = max(1e-6, total_s - short_prompt_tokens / prompt_rates[-1])
        generation_rates.append(completion_tokens / generation_s)
    return load_s, statistics.median(prompt_rates), statistics.median(generation_rates)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"model: {locate_embedded_model().name}")
    print(f"{'threads':>7}  {'load s':>6}  {'prompt tok/s':>12}  {'generation tok/s':>16}")
    for threads in args.threads:
        load_s, prompt_rate, generation_rate = measure(threads, args.repeats)
        print(f"{threads:>7}  {load_s:>6.2f}  {prompt_rate:>12.1f}  {generation_rate:>16.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
