"""Short-answer candidates: typed by what the question asks, taken from passages, ranked, and chosen."""

from __future__ import annotations

import pytest

from agents import answer_candidates
from agents.answer_candidates import answer_type, asked_kind, choice_options, extract_candidates, question_weights
from agents.answer_choice import NEAR_TIE, Choosing, choose_candidate, choose_short_answer
from agents.comparison import time_order
from agents.leads import term_weights
from deepresearch.testing import ScriptedChatModel

from .helpers import make_context

PASSAGES = [
    (
        "s1",
        "Zorbalo is a 1971 adventure film. Its score was composed by Mira Kettelsen, who recorded it in Oslo "
        "in March 1970.",
    ),
    ("s2", "Mira Kettelsen was a Norwegian composer. She played the cello for 3,400 concerts."),
]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Were Ed Wood and Scott Derrickson of the same nationality?", "yes_no"),
        ("Who is older, Annie Morton or Terry Richardson?", "choice"),
        ("Who composed the score of Zorbalo?", "person"),
        ("In what year was the score of Zorbalo recorded?", "time"),
        ("The composer of Zorbalo played how many concerts?", "number"),
        ("The director is based in what New York city?", "place"),
        ("What government position was held by the woman who portrayed Corliss Archer?", "name"),
        ("How do tides work?", "open"),
        ("What causes inflation?", "open"),
    ],
)
def test_the_question_says_what_kind_of_answer_it_wants(question: str, kind: str) -> None:
    assert answer_type(question) == kind


def test_candidates_of_the_wanted_kind_come_from_the_sentences_that_fit_the_question() -> None:
    who = extract_candidates("Who composed the score of Zorbalo?", PASSAGES)
    assert who[0].text == "Mira Kettelsen" and who[0].source_id == "s1"
    assert "Zorbalo" not in [c.text for c in who], "the question's own names are not its answer"
    when = extract_candidates("In what year was the score of Zorbalo recorded in Oslo?", PASSAGES)
    assert when[0].text == "1970", "a year asked for: the year of the date"
    many = extract_candidates("The composer of the score of Zorbalo played the cello at how many concerts?", PASSAGES)
    assert many[0].text == "3,400 concerts"
    assert extract_candidates("How does film music work?", PASSAGES) == [], "an open question has no short answer"


def test_an_either_or_question_offers_its_two_options() -> None:
    assert choice_options("Who is older, Annie Morton or Terry Richardson?") == ["Annie Morton", "Terry Richardson"]
    assert [c.text for c in extract_candidates("Which is longer, the Nile or the Amazon?", PASSAGES)] == [
        "the Nile",
        "the Amazon",
    ]
    yes_no = extract_candidates("Was Mira Kettelsen a composer?", PASSAGES)
    assert [c.text for c in yes_no] == ["yes", "no"]
    assert choice_options("Who was born first Mira Kettelsen or Ola Brenn?") == ["Mira Kettelsen", "Ola Brenn"]
    assert choice_options("Did Mira Kettelsen record in Oslo or in Bergen in 1970?") == []
    assert choice_options("Which band, Letters to Cleo or Screaming Trees, had more members?") == [
        "Letters to Cleo",
        "Screaming Trees",
    ]


def test_the_words_just_before_the_asking_word_weigh_most() -> None:
    question = "Zorbalo was scored by a composer who was born in what year?"
    plain, weighted = term_weights(question), question_weights(question)
    assert weighted["born"] == 2 * plain["born"] and weighted["zorbalo"] == plain["zorbalo"]
    trailing = "Zorbalo was scored during a war that ended when?"
    assert question_weights(trailing)["end"] == 2 * term_weights(trailing)["end"], "a trailing wh-word asks"
    passages = [("s1", "Zorbalo premiered on 12 May 1971 in 14 cinemas. It was shown in 230 cinemas in all.")]
    counted = extract_candidates("Zorbalo was shown in how many cinemas?", passages)
    assert counted[0].text == "230", "a bare small number is more often a day or a rank than a count"


def test_the_value_next_to_the_asked_words_wins_and_the_questions_own_numbers_never_do() -> None:
    arena = [("s1", "The Colisee is a 4,000 capacity (3,677 seated) arena in Lewiston that opened in 1958.")]
    assert extract_candidates("The arena can seat how many people?", arena)[0].text == "3,677 seated"
    season = [("s1", "The 2011 team played for Northfield College. Northfield College was founded in 1838.")]
    when = [c.text for c in extract_candidates("The 2011 team played for a college founded in what year?", season)]
    assert when[0] == "1838" and "2011" not in when


async def test_a_candidate_that_leads_clearly_is_the_answer_without_a_model_call() -> None:
    model = ScriptedChatModel(script=[{"answer": "Oslo"}])
    context, recorder = make_context(model)
    assert await choose_short_answer("Who composed the score of Zorbalo?", PASSAGES, context) == "Mira Kettelsen"
    assert not model.calls
    chosen = next(e for e in recorder.events if e.kind == "answer.chosen")
    assert chosen.data["by"] == "ranking" and chosen.data["chosen"] == "Mira Kettelsen"


TIED = [("s1", "Its score was composed by Mira Kettelsen. Its score was also composed by Ola Brunvand.")]


async def test_candidates_the_ranking_cannot_tell_apart_are_chosen_under_a_grammar_the_best_ranked_on_failure() -> None:
    question = "Who composed the score of Zorbalo?"
    ranked = extract_candidates(question, TIED)
    assert ranked[1].score >= NEAR_TIE * ranked[0].score
    model = ScriptedChatModel(script=["not json", "not json", "not json"])
    context, _ = make_context(model)
    assert await choose_short_answer(question, TIED, context) == ranked[0].text, "the deterministic fallback"
    schema = model.calls[0]["kwargs"]["structured_schema"]
    assert set(schema.model_json_schema()["properties"]["answer"]["enum"]) == {"Mira Kettelsen", "Ola Brunvand"}
    chooser = ScriptedChatModel(script=[{"answer": "Ola Brunvand"}])
    context, recorder = make_context(chooser)
    assert await choose_short_answer(question, TIED, context) == "Ola Brunvand"
    assert next(e for e in recorder.events if e.kind == "answer.chosen").data["by"] == "model"


def test_a_name_followed_to_a_second_page_is_the_bridge_not_the_answer() -> None:
    question = "What instrument did the woman who scored Zorbalo play, and for how long?"
    passages = [("s1", PASSAGES[0][1]), ("s2", "Mira Kettelsen Holm played the Cello for the Oslo Philharmonic.")]
    assert "Mira Kettelsen" in [c.text for c in extract_candidates(question, passages)]
    bridged = [c.text for c in extract_candidates(question, passages, bridges=["Mira Kettelsen"])]
    assert "Mira Kettelsen" not in bridged and "Mira Kettelsen Holm" not in bridged and "Cello" in bridged


def test_a_year_asked_for_is_answered_with_the_year_of_a_date_a_date_or_period_otherwise() -> None:
    passages = [("s1", "Mira Kettelsen was born on December 10, 1962 in Bergen. She taught from 1986 to 2013.")]
    born = extract_candidates("Zorbalo's composer was born in what year?", passages)
    assert born[0].text == "1962" and "December 10, 1962" not in [c.text for c in born]
    when = extract_candidates("When was Zorbalo's composer born?", passages)
    assert when[0].text == "December 10, 1962"
    period = extract_candidates("Zorbalo's composer taught during what timeframe?", passages)
    assert "from 1986 to 2013" in [c.text for c in period]


@pytest.mark.parametrize(
    ("question", "order"),
    [
        ("Who is older, Annie Morton or Terry Richardson?", "earlier"),
        ("who is younger Keith Bostic or Jerry Glanville ?", "later"),
        ("Which band was formed first, Letters to Cleo or Screaming Trees?", "earlier"),
        ("Which film is more recent, Zorbalo or Kettel?", "later"),
        ("Which writer was from England, Henry Roth or Robert Erskine Childers?", None),
        ("Which first-generation bomber was faster, the Canberra or the Valiant?", None),
    ],
)
def test_a_comparison_in_time_says_which_end_it_asks_for(question: str, order: str | None) -> None:
    assert time_order(question) == order


DATED = [
    ("s1", "Ola Brunvand (born 3 May 1941) is a Norwegian conductor. In 1988 he met Mira Kettelsen."),
    ("s2", "Mira Kettelsen (born 1962) is a Norwegian composer."),
]
TITLES = {"s1": "Ola Brunvand", "s2": "Mira Kettelsen"}


async def test_a_comparison_in_time_is_decided_by_the_years_on_each_options_own_page() -> None:
    model = ScriptedChatModel(script=[{"answer": "Ola Brunvand"}])
    context, recorder = make_context(model)
    how = Choosing(titles=TITLES)
    younger = await choose_candidate("Who is younger, Ola Brunvand or Mira Kettelsen?", DATED, context, how)
    assert younger.text == "Mira Kettelsen" and younger.source_id == "s2" and "1962" in younger.sentence
    assert not model.calls, "1988 on Ola Brunvand's page is not Mira Kettelsen's year: her own page dates her"
    assert next(e for e in recorder.events if e.kind == "answer.chosen").data["by"] == "comparison"
    older = await choose_candidate("Who is older, Mira Kettelsen or Ola Brunvand?", DATED, context, how)
    assert older.text == "Ola Brunvand"


async def test_without_a_dated_page_for_each_option_the_model_chooses() -> None:
    question = "Who is younger, Ola Brunvand or Mira Kettelsen?"
    for titles in ({}, {"s1": "Ola Brunvand"}):
        model = ScriptedChatModel(script=[{"answer": "Ola Brunvand"}])
        context, _ = make_context(model)
        chosen = await choose_candidate(question, DATED, context, Choosing(titles=titles))
        assert chosen.text == "Ola Brunvand" and len(model.calls) == 1


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("This singer also voiced what hedgehog?", "hedgehog"),
        ("The director is based in what New York city?", "city"),
        ("The memorial commemorates the fallen of which war, that had over 60 million casualties?", "war"),
        ("Which Australian city founded in 1838 contains a boarding school?", "city"),
        ("What type of forum did a former Soviet statesman initiate?", ""),
        ("Who composed the score of Zorbalo?", ""),
    ],
)
def test_the_phrase_after_what_or_which_names_the_kind_of_thing_asked(question: str, kind: str) -> None:
    assert asked_kind(question) == kind


def test_a_candidate_named_as_the_asked_kind_outranks_one_that_is_not(monkeypatch: pytest.MonkeyPatch) -> None:
    question = "Kettel voiced what hedgehog?"
    passages = [
        ("s1", "Kettel voiced Tails Prower, the hedgehog's friend, in 1993."),
        ("s2", "In a later season Kettel voiced Sonic the Hedgehog as well."),
    ]
    assert extract_candidates(question, passages)[0].text == "Sonic the Hedgehog"
    monkeypatch.setattr(answer_candidates, "ASKED_KIND_BONUS", 0.0)
    assert extract_candidates(question, passages)[0].text == "Tails Prower", "the bonus decides, not the wording"
