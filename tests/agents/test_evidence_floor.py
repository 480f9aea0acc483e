"""The evidence floor: reads for the task before the model chooses, each named thing, then the second hop."""

from __future__ import annotations

from agents import researcher
from agents.leads import follow_up_names, names_in
from agents.researcher_turn import ResearcherTurn
from deepresearch.schemas import ResearchTask
from deepresearch.testing import FakeWeb, ScriptedChatModel, scripted_services

from .helpers import make_context

QUESTION = "What instrument did the composer of the score of Zorbalo play?"
PAGES = {
    "https://example.org/zorbalo": (
        "Zorbalo (film)",
        "Zorbalo is a 1971 adventure film shot in Chile. The score of Zorbalo was composed by Mira Kettelsen, "
        "who also conducted it.",
    ),
    "https://example.org/kettelsen": (
        "Mira Kettelsen",
        "Mira Kettelsen was a Norwegian composer. She played the cello in the Oslo Philharmonic for twenty years.",
    ),
    "https://example.org/instruments": (
        "Musical instrument",
        "A musical instrument is a device made to play music. Composers play many an instrument.",
    ),
    "https://example.org/film-scores": (
        "Film score",
        "A film score is music written for a film. The composer of a score often plays an instrument in it.",
    ),
    "https://example.org/chile": ("Chile", "Chile is a country in South America with a long coast."),
}


def test_names_are_proper_nouns_and_quoted_titles_not_dates_or_common_words() -> None:
    assert names_in(
        "What government position was held by the woman who portrayed Corliss Archer in the film Kiss and Tell?"
    ) == ["Corliss Archer", "Kiss and Tell"]
    assert names_in('The director of "Big Stone Gap" met the Bank of England on August 12, 1999.') == [
        "Big Stone Gap",
        "Bank of England",
    ]
    assert names_in("However, American viewers loved it in 17-year-old Shirley Temple's film.") == ["Shirley Temple"]


def test_a_lead_is_a_name_in_a_sentence_that_covers_the_question() -> None:
    texts = [PAGES["https://example.org/zorbalo"]]
    leads = follow_up_names(QUESTION, texts, limit=2)
    assert [lead.name for lead in leads][0] == "Mira Kettelsen"
    assert "Zorbalo" not in [lead.name for lead in leads], "the question names it already"


async def test_the_floor_reads_the_named_thing_then_follows_the_name_its_page_mentions() -> None:
    model = ScriptedChatModel(script=[])
    web = FakeWeb(pages=dict(PAGES), missing=set())
    context, recorder = make_context(model, scripted_services(web), floor_reads=2, follow_leads=1)
    turn = ResearcherTurn(task=ResearchTask(id="r1t1", goal=QUESTION, queries=[]), question=QUESTION)
    output = await researcher.take_step(turn, context)
    read = [source.url for source in turn.sources.values()]
    assert read[0] == "https://example.org/zorbalo", "the thing the task names is read first"
    assert "https://example.org/kettelsen" in read, "the second hop"
    assert len(read) == 3 and set(output.sources) == set(turn.sources)
    assert any(e.kind == "researcher.leads" and e.data["leads"] == ["Mira Kettelsen"] for e in recorder.events)
    assert model.calls == [], "the floor runs before the model chooses anything"
    assert turn.floor_read and "Read for it already" in str(turn.messages[1].content)
    assert "Mira Kettelsen" in str(turn.messages[1].content)


async def test_without_a_second_hop_the_floor_reads_only_its_first_pages() -> None:
    web = FakeWeb(pages=dict(PAGES), missing=set())
    context, _ = make_context(ScriptedChatModel(), scripted_services(web), floor_reads=2, follow_leads=0)
    turn = ResearcherTurn(task=ResearchTask(id="r1t1", goal=QUESTION, queries=[]), question=QUESTION)
    await researcher.take_step(turn, context)
    assert len(turn.sources) == 2 and "https://example.org/kettelsen" not in web.fetches
