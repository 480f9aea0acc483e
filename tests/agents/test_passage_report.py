"""A weak model's report is chosen: per part, the best sentence leads, the model picks what follows, and the
report covers what the question names and the sentence its short answer came from."""

from __future__ import annotations

from agents.citations import gather_evidence
from agents.leads import names_in
from agents.passage_report import Coverage, choose_report, parts_of
from agents.relevance import RelevanceJudge
from deepresearch.schemas import Claim, Findings, Passage, ResearchTask, Source
from deepresearch.testing import ScriptedChatModel

from .helpers import make_context

QUESTION = "Were Mira Kettelsen and Ola Brunvand of the same nationality?"
SENTENCES = [
    ("kettelsen", "Mira Kettelsen was a Norwegian composer of film scores.", 0.8),
    ("kettelsen", "Mira Kettelsen scored the 1971 film Zorbalo.", 0.7),
    ("oslo", "The Oslo Philharmonic often played music by Norwegian composers.", 0.6),
    ("brunvand", "Ola Brunvand was a Norwegian journalist.", 0.45),
]


def _evidence():  # type: ignore[no-untyped-def]
    sources = {sid: Source(id=sid, url=f"https://example.org/{sid}", title=sid.title()) for sid, _, _ in SENTENCES}
    claims = [
        Claim(text=text, passages=[Passage(source_id=sid, text=text, end=len(text))], relevance=score)
        for sid, text, score in SENTENCES
    ]
    return gather_evidence([Findings(task_id="t1", claims=claims)], sources)


TASKS = [ResearchTask(id="t1", goal=QUESTION)]
JUDGE = RelevanceJudge(QUESTION, None, floor=0.3)


TO_THE_QUESTION = {text: score for _, text, score in SENTENCES} | {"Horse-flies fly fast and far.": 0.3}


def _similarity(_target: str, subject: str) -> float:
    return next((score for text, score in TO_THE_QUESTION.items() if text in subject), 0.0)


def test_a_focused_part_offers_only_sentences_close_to_its_best() -> None:
    judge = RelevanceJudge(QUESTION, _similarity, floor=0.25)
    focused = parts_of(_evidence(), TASKS, judge, focused=True)[0]
    by_source_first = [SENTENCES[0][1], SENTENCES[2][1], SENTENCES[1][1]]
    assert [o.claim.text for o in focused.offers] == by_source_first, "each source's best, then second bests"
    wide = parts_of(_evidence(), TASKS, judge, focused=False)[0]
    assert len(wide.offers) == 4, "a question with a short answer may draw on every on-topic sentence"


def test_a_focused_report_leaves_out_a_part_whose_best_bears_on_its_task_but_little_on_the_question() -> None:
    flies = "Horse-flies fly fast and far."
    claim = Claim(text=flies, passages=[Passage(source_id="flies", text=flies, end=len(flies))], relevance=0.9)
    sources = {"flies": Source(id="flies", url="https://example.org/flies", title="Tabanidae")}
    evidence = _evidence()
    evidence = gather_evidence(
        [Findings(task_id="t1", claims=[c for _, c in evidence.claims]), Findings(task_id="t2", claims=[claim])],
        {**evidence.sources, **sources},
    )
    tasks = [*TASKS, ResearchTask(id="t2", goal="How fast do flies fly?")]
    judge = RelevanceJudge(QUESTION, _similarity, floor=0.25)
    assert [part.title for part in parts_of(evidence, tasks, judge, focused=True)] == [QUESTION]
    assert len(parts_of(evidence, tasks, judge, focused=False)) == 2, "a short answer may sit anywhere on topic"


async def test_the_best_sentence_leads_the_model_picks_follow_and_named_things_are_covered() -> None:
    part = parts_of(_evidence(), TASKS, JUDGE, focused=False)[0]
    oslo = next(offer.label for offer in part.offers if "Oslo" in offer.claim.text)
    model = ScriptedChatModel(script=[{"ids": [oslo]}])
    context, _ = make_context(model)
    body, quoted = await choose_report([part], _evidence(), JUDGE, context, Coverage(names=names_in(QUESTION)))
    texts = [claim.text for claim in quoted]
    assert texts[0] == SENTENCES[0][1], "the best sentence leads"
    assert SENTENCES[3][1] in texts, "Ola Brunvand is named in the question, so a sentence about him is quoted"
    assert SENTENCES[2][1] in texts, "the model's pick"
    assert "[1]" in body and all(f"[{n}]" in body for n in range(1, 4))


async def test_the_sentence_the_answer_came_from_is_always_quoted() -> None:
    part = parts_of(_evidence(), TASKS, JUDGE, focused=False)[0]
    context, _ = make_context(ScriptedChatModel(script=["not json"] * 3))
    answer = Claim(text="Mira Kettelsen scored the 1971 film Zorbalo.", passages=part.offers[1].claim.passages)
    judge = RelevanceJudge("Which film did Mira Kettelsen score?", None, floor=0.3)
    _, quoted = await choose_report([part], _evidence(), judge, context, Coverage(answered_by=answer))
    assert answer.text in [claim.text for claim in quoted]


async def test_a_name_the_research_followed_is_shown_from_its_own_page_not_only_named_on_another() -> None:
    question = "What position was held by the woman who starred in Zorbalo?"
    titles = {"film": "Zorbalo (film)", "person": "Mira Kettelsen"}
    sentences = [
        ("film", "Zorbalo is a 1971 film starring Mira Kettelsen.", 0.8),
        ("film", "Zorbalo was shot in Chile.", 0.7),
        ("person", "As an adult she served as Chief of Protocol.", 0.4),
    ]
    sources = {sid: Source(id=sid, url=f"https://example.org/{sid}", title=title) for sid, title in titles.items()}
    claims = [
        Claim(text=text, passages=[Passage(source_id=sid, text=text, end=len(text))], relevance=score)
        for sid, text, score in sentences
    ]
    evidence = gather_evidence([Findings(task_id="t1", claims=claims)], sources)
    judge = RelevanceJudge(question, None, floor=0.3)
    part = parts_of(evidence, [ResearchTask(id="t1", goal=question)], judge, focused=False)[0]
    chile = next(offer.label for offer in part.offers if "Chile" in offer.claim.text)

    async def report(coverage: Coverage) -> list[str]:
        context, _ = make_context(ScriptedChatModel(script=[{"ids": [chile]}]))
        _, quoted = await choose_report([part], evidence, judge, context, coverage)
        return [claim.text for claim in quoted]

    assert sentences[2][1] not in await report(Coverage()), "the model picked the film's other sentence"
    assert sentences[2][1] in await report(Coverage(names=["Mira Kettelsen"]))
