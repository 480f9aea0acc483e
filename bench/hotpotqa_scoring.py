"""HotpotQA answer scoring, as in the official evaluation script (`hotpot_evaluate_v1.py`), plus ratios.

`normalize_answer` (`deepresearch.text`, shared with self-consistency voting) lower-cases, removes
punctuation, the articles a/an/the and extra whitespace. `exact_match` compares normalized strings. `f1` is
token F1 over normalized tokens, except that when either side normalizes to "yes", "no" or "noanswer" and
the two differ, F1 is 0 (so "yes" never earns partial credit against "no", nor a sentence that merely
contains "yes").
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from deepresearch.text import normalize_answer

_SPECIAL = frozenset({"yes", "no", "noanswer"})


def exact_match(prediction: str, gold: str) -> float:
    return float(normalize_answer(prediction) == normalize_answer(gold))


def f1(prediction: str, gold: str) -> float:
    predicted = normalize_answer(prediction)
    expected = normalize_answer(gold)
    if (predicted in _SPECIAL or expected in _SPECIAL) and predicted != expected:
        return 0.0
    predicted_tokens = predicted.split()
    expected_tokens = expected.split()
    same = sum((Counter(predicted_tokens) & Counter(expected_tokens)).values())
    if same == 0:
        return 0.0
    precision = same / len(predicted_tokens)
    recall = same / len(expected_tokens)
    return 2 * precision * recall / (precision + recall)


def ratio(numerator: float, denominator: float) -> float | None:
    """`numerator / denominator`, or None when the denominator is 0 (printed as "n/a")."""
    return numerator / denominator if denominator else None


def share(found: Iterable[str], wanted: Iterable[str]) -> float | None:
    """The share of `wanted` items present in `found`; None when nothing is wanted."""
    wanted_set = set(wanted)
    if not wanted_set:
        return None
    return len(wanted_set & set(found)) / len(wanted_set)


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not None; None if there are none."""
    present = [value for value in values if value is not None]
    return sum(present) / len(present) if present else None
