"""Evidence first: before its model chooses anything, every researcher retrieves and reads for its own task.

The floor is the same for every model, weak or capable, and the model's own searches only add to it:

1. the things the task names (or, if it names none, the question) are each searched and the best page
   on each is read, so a comparison of two people reads about both;
2. the task's goal and the question are searched, and the best results of all these searches, fused by
   reciprocal rank, are read until `floor_reads` pages are;
3. names the read passages mention that the question needs (`agents.leads`) are searched with the
   question, and the best unread page for each is read: the second hop of a multi-hop question.

Every search goes to each search tool the run has (the local corpus and the web); a failed search is
recorded and skipped, and a failed read is a `tool.error` event like any other.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from langchain_core.messages import ToolCall

from agents.leads import follow_up_names, names_in
from agents.observe import SEARCH_TOOLS, Known, Observation, Workbench
from agents.reading import read_urls
from agents.researcher_turn import ResearcherTurn, StepOutput
from deepresearch.schemas import url_key
from deepresearch.text import fold
from memory.fusion import reciprocal_rank_fusion

MAX_NAMED = 3  # things a task names that each get a search and a read of their own


def _known(turn: ResearcherTurn) -> Known:
    return Known(turn.fetched, turn.next_label, turn.sources)


def _record(turn: ResearcherTurn, output: StepOutput, observations: Sequence[Observation]) -> None:
    for observation in observations:
        turn.absorb(observation)
        output.add(observation)


async def _search(bench: Workbench, query: str, turn: ResearcherTurn, output: StepOutput) -> list[str]:
    """`query` on every search tool at once; the result URLs of each tool, best first (their titles go to
    `output.titles`)."""
    tools = [name for name in bench.tools if name in SEARCH_TOOLS]
    calls = [ToolCall(name=tool, args={"query": query}, id=f"floor_{tool}", type="tool_call") for tool in tools]
    observations = await asyncio.gather(*(bench.observe(call, _known(turn), by="system") for call in calls))
    _record(turn, output, observations)
    for observation in observations:
        output.titles.update(observation.titles)
    return [url for observation in observations for url in observation.leads]


def _about(name: str, ranking: Sequence[str], titles: dict[str, str]) -> list[str]:
    """`ranking` with the results titled after `name` first: a lead is followed to the page about it."""
    wanted = fold(name)
    return sorted(ranking, key=lambda url: wanted not in fold(titles.get(url, "")))


async def _rankings(
    bench: Workbench, queries: Sequence[str], turn: ResearcherTurn, output: StepOutput
) -> list[list[str]]:
    return list(await asyncio.gather(*(_search(bench, query, turn, output) for query in queries)))


def _unread(urls: Sequence[str], turn: ResearcherTurn, taken: Sequence[str] = ()) -> list[str]:
    """`urls` neither read by this researcher nor failed, nor already `taken`."""
    skip = {url_key(url) for url in taken}
    return [url for url in dict.fromkeys(urls) if not turn.is_known(url) and url_key(url) not in skip]


def _fill(urls: Sequence[str], count: int, turn: ResearcherTurn) -> list[str]:
    """The first of `urls` until `count` are new to the run: pages the run already has (earlier rounds,
    an earlier run followed up) are read again for this task, from the page cache, without counting, so a
    later researcher still reaches pages nobody has read."""
    run_has = {url_key(url) for url in turn.run_has_read}
    chosen: list[str] = []
    new = 0
    for url in urls:
        if new >= count or len(chosen) >= 2 * count:
            break
        chosen.append(url)
        new += url_key(url) not in run_has
    return chosen


async def _read(bench: Workbench, urls: Sequence[str], turn: ResearcherTurn, output: StepOutput) -> None:
    _record(turn, output, await read_urls(urls, bench, _known(turn)))


def _named_things(turn: ResearcherTurn) -> list[str]:
    task_text = " ".join([turn.task.goal, *turn.task.queries])
    return (names_in(task_text) or names_in(turn.question))[:MAX_NAMED]


async def read_first_evidence(turn: ResearcherTurn, bench: Workbench) -> StepOutput:
    """Runs the floor for `turn`'s task, recording every search and read in the turn (`floor_reads` 0: none)."""
    output = StepOutput()
    config = bench.context.config
    if not config.floor_reads:
        return output
    named = _named_things(turn)
    topical = list(dict.fromkeys(q for q in [turn.task.goal, turn.question, *turn.task.queries[:1]] if q.strip()))
    by_name, by_topic = await asyncio.gather(
        _rankings(bench, named, turn, output), _rankings(bench, topical, turn, output)
    )
    first: list[str] = []
    for ranking in by_name:  # the best page on each named thing
        first.extend(_unread(ranking, turn, first)[:1])
    fused = [url for url, _ in reciprocal_rank_fusion([r for r in by_topic if r], k=60)]
    first.extend(_fill(_unread(fused, turn, first), max(0, config.floor_reads - len(first)), turn))
    await _read(bench, first, turn, output)
    if turn.stopped_by or not config.follow_leads:
        return output
    read_texts = [(turn.sources[sid].title, turn.source_texts[sid]) for sid in dict.fromkeys(turn.fetched.values())]
    leads = follow_up_names(turn.question, read_texts, exclude=named, limit=config.follow_leads)
    if leads:
        bench.context.emit(
            "researcher.leads",
            f"{bench.agent_id}: following {', '.join(lead.name for lead in leads)}",
            agent=bench.agent_id,
            leads=[lead.name for lead in leads],
        )
    second_rankings = await _rankings(bench, [f"{lead.name} {turn.question}" for lead in leads], turn, output)
    second: list[str] = []
    reasons: dict[str, str] = {}
    for lead, ranking in zip(leads, second_rankings, strict=True):
        for url in _unread(_about(lead.name, ranking, output.titles), turn, second)[:1]:
            second.append(url)
            reasons[url_key(url)] = lead.sentence
    await _read(bench, second, turn, output)
    for url, sentence in reasons.items():
        if url in turn.fetched:
            turn.read_for[turn.fetched[url]] = sentence
    turn.followed = [lead.name for lead in leads]
    return output
