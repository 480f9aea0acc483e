"""One researcher's working state, as one typed object: what a turn holds is readable in one place.

The researcher subgraph keeps a `ResearcherTurn` in its state and hands it to `agents.researcher.take_step`,
whose phases (the evidence floor, think, act) read and update it; what a step adds for the main graph
(sources, their text, events, problems) is collected in a `StepOutput` beside it.
"""

from __future__ import annotations

from langchain_core.messages import AnyMessage
from pydantic import BaseModel, ConfigDict, Field

from agents.finish import ResearcherFindings
from agents.observe import Observation
from deepresearch.progress import Event
from deepresearch.schemas import Passage, ResearchTask, Source, url_key


class FailedCall(BaseModel):
    """The last tool call that failed, and the tool its error named as the way around it, if any."""

    signature: str
    next_tool: str = ""


class ResearcherTurn(BaseModel):
    """Everything one researcher has done so far on its task."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    task: ResearchTask
    question: str  # the question as the person asked it: relevance and the evidence floor are judged by it
    messages: list[AnyMessage] = Field(default_factory=list)
    steps: int = 0  # model steps taken
    passages: dict[str, Passage] = Field(default_factory=dict)  # label (P1, P2, ...) → exact passage
    sources: dict[str, Source] = Field(default_factory=dict)
    source_texts: dict[str, str] = Field(default_factory=dict)
    fetched: dict[str, str] = Field(default_factory=dict)  # normalized URL → source id
    queries_tried: list[str] = Field(default_factory=list)  # searches that ran and answered
    leads: list[str] = Field(default_factory=list)  # result URLs of this researcher's searches, best first
    unreadable: list[str] = Field(default_factory=list)  # URLs whose read failed for good
    failed: FailedCall | None = None
    repeats: int = 0  # repeated searches turned into reads (weak-model rule)
    stopped_by: str | None = None
    drafted: ResearcherFindings | None = None  # the findings the model's `finish` call carried
    floor_read: bool = False  # the evidence floor has run
    run_has_read: list[str] = Field(default_factory=list)  # URLs other researchers of the run read before
    # Why a page was read when its own words need not match the question: the sentence that named it (the
    # second hop), by source id. Relevance is judged against it as well as against the question.
    read_for: dict[str, str] = Field(default_factory=dict)
    followed: list[str] = Field(default_factory=list)  # the names of those leads
    is_done: bool = False

    @property
    def next_label(self) -> int:
        return len(self.passages) + 1

    def has_tried(self, query: str) -> bool:
        wanted = query.strip().lower()
        return any(wanted == tried.strip().lower() for tried in self.queries_tried)

    def is_known(self, url: str) -> bool:
        """Read already, or known to fail."""
        key = url_key(url)
        return key in self.fetched or key in {url_key(dead) for dead in self.unreadable}

    def next_unread_lead(self) -> str | None:
        return next((url for url in self.leads if not self.is_known(url)), None)

    def absorb(self, observation: Observation) -> None:
        """Add what one tool call (and the reads made with it) produced."""
        self.passages |= observation.passages
        self.sources |= observation.sources
        self.source_texts |= observation.source_texts
        self.fetched |= observation.fetched
        self.queries_tried.extend(q for q in observation.queries if not self.has_tried(q))
        self.leads.extend(url for url in observation.leads if url not in self.leads)
        self.unreadable.extend(url for url in observation.unreadable if url not in self.unreadable)
        if observation.stopped_by:
            self.stopped_by = observation.stopped_by


class StepOutput(BaseModel):
    """What one step adds to the main graph's state: new sources and their text, events, problems."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    sources: dict[str, Source] = Field(default_factory=dict)
    source_texts: dict[str, str] = Field(default_factory=dict)
    events: list[Event] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
    titles: dict[str, str] = Field(default_factory=dict, exclude=True)  # search results' titles, within a step

    def add(self, observation: Observation) -> None:
        self.sources |= observation.sources
        self.source_texts |= observation.source_texts
        if observation.error is not None:
            self.problems.append(observation.error.for_model().splitlines()[0])
