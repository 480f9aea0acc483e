"""HotpotQA scoring matches the official script's behaviour (`hotpot_evaluate_v1.py`) on known cases."""

from __future__ import annotations

import pytest

from bench.hotpotqa_scoring import exact_match, f1, mean, ratio, share
from deepresearch.text import normalize_answer


def test_normalization_drops_case_punctuation_articles_and_extra_spaces() -> None:
    assert normalize_answer("  The  Chief of Protocol. ") == "chief of protocol"
    assert normalize_answer("An apple, a pear") == "apple pear"
    assert normalize_answer("3,677 seated") == "3677 seated"
    assert normalize_answer("Theatre") == "theatre"  # articles only as whole words


@pytest.mark.parametrize(
    ("prediction", "gold", "em"),
    [
        ("chief of protocol", "Chief of Protocol", 1.0),
        ("The Animorphs!", "Animorphs", 1.0),
        ("Greenwich Village", "Greenwich Village, New York City", 0.0),
        ("yes", "Yes", 1.0),
    ],
)
def test_exact_match(prediction: str, gold: str, em: float) -> None:
    assert exact_match(prediction, gold) == em


def test_f1_over_normalized_tokens() -> None:
    # 2 tokens shared; precision 2/2, recall 2/5 → F1 4/7
    assert f1("Greenwich Village", "Greenwich Village, New York City") == pytest.approx(4 / 7)
    assert f1("the North Atlantic Conference", "the North Atlantic Conference") == 1.0
    assert f1("Terry Richardson was older", "Terry Richardson") == pytest.approx(2 / 3)  # P 2/4, R 1
    assert f1("nothing in common", "Animorphs") == 0.0


def test_repeated_tokens_count_once_per_occurrence() -> None:
    # common = min counts: "new" once → precision 1/3, recall 1/2 → F1 0.4
    assert f1("new new new", "New York") == pytest.approx(0.4)


def test_yes_no_answers_get_no_partial_credit() -> None:
    assert f1("yes", "yes") == 1.0
    assert f1("no", "yes") == 0.0
    assert f1("Yes, both are American", "yes") == 0.0  # gold is yes/no and the prediction differs
    assert f1("yes", "yes it is") == 0.0  # prediction is yes/no and differs from the gold
    assert f1("noanswer", "Animorphs") == 0.0


def test_ratio_share_and_mean_guard_empty_inputs() -> None:
    assert ratio(0.5, 0.25) == 2.0
    assert ratio(0.5, 0.0) is None
    assert share(["a", "c"], ["a", "b"]) == 0.5
    assert share(["a"], []) is None
    assert mean([1.0, None, 0.0]) == 0.5
    assert mean([None]) is None
