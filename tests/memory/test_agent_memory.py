from __future__ import annotations

from pathlib import Path

from deepresearch.schemas import Document
from memory.agent_memory import NOTE_LOCATION, RunMemory
from memory.store import make_client

PAGE = Document(
    url="https://example.org/plants?utm_source=feed#intro",
    title="How plants eat",
    text="\n\n".join(
        [
            "Plants make their food by photosynthesis. Chlorophyll in the leaves captures sunlight.",
            "The Calvin cycle then fixes carbon dioxide into sugars inside the chloroplast stroma.",
            "Flowers attract pollinators such as bees, which carry pollen between plants of one species.",
            "Seeds can stay dormant for years until temperature and moisture allow them to germinate.",
            "Roots take up water and minerals from the soil and anchor the plant in the ground.",
        ]
    ),
)


def _run(tmp_path: Path) -> RunMemory:
    return RunMemory("run-1", make_client(tmp_path / "chroma"), chunk_chars=300, chunk_overlap_chars=40)


async def test_agents_do_not_see_each_others_notes(tmp_path: Path) -> None:
    run = _run(tmp_path)
    alice, bob = run.for_agent("alice"), run.for_agent("bob")
    await alice.add_note("The Calvin cycle fixes carbon in the stroma.")
    await bob.add_note("Volcanic soils are rich in minerals.")
    alice_recalls = await alice.recall("carbon fixation minerals soil", k=10)
    bob_recalls = await bob.recall("carbon fixation minerals soil", k=10)
    assert [p.text for p in alice_recalls] == ["The Calvin cycle fixes carbon in the stroma."]
    assert [p.text for p in bob_recalls] == ["Volcanic soils are rich in minerals."]
    assert alice_recalls[0].location == NOTE_LOCATION


async def test_same_url_same_source_id_for_every_agent(tmp_path: Path) -> None:
    run = _run(tmp_path)
    first = await run.for_agent("alice").add_document(PAGE)
    same_page = PAGE.model_copy(update={"url": "https://EXAMPLE.org/plants/"})
    second = await run.for_agent("bob").add_document(same_page)
    assert first.id == second.id == run.sources.id_for("https://example.org/plants")
    assert [s.id for s in run.sources.all()] == [first.id]


async def test_recall_returns_exact_spans_with_source_ids(tmp_path: Path) -> None:
    run = _run(tmp_path)
    alice = run.for_agent("alice")
    source = await alice.add_document(PAGE)
    passages = await alice.recall("roots absorbing water and minerals from the soil", k=2)
    assert passages
    best = passages[0]
    assert best.source_id == source.id
    assert PAGE.text[best.start : best.end] == best.text
    assert "Roots" in best.text
    assert await run.for_agent("bob").recall("water", k=3) == []


async def test_manager_can_pass_notes_on(tmp_path: Path) -> None:
    run = _run(tmp_path)
    source = await run.for_agent("alice").add_document(PAGE)
    await run.for_agent("alice").add_note("Chlorophyll captures sunlight.", [source.id])
    run.for_agent("bob").share_notes(run.notes_of("alice"))
    [passage] = await run.for_agent("bob").recall("chlorophyll", k=1)
    assert "Chlorophyll captures sunlight." in passage.text
    assert passage.source_id == source.id


async def test_run_memory_from_config_persists_in_the_data_dir(tmp_path: Path) -> None:
    from deepresearch.config import ResearchConfig

    config = ResearchConfig(data_dir=tmp_path / "data")
    await RunMemory.from_config(config, "run-2").for_agent("alice").add_note("Saved for later.")
    [passage] = await RunMemory.from_config(config, "run-2").for_agent("alice").recall("later", k=3)
    assert passage.text == "Saved for later."
    assert (tmp_path / "data" / "chroma").is_dir()
