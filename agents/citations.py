"""Citations are records: local numbers for the writer, a post-pass that maps them back to sources.

`Evidence` numbers the sources that findings cite, in first-use order. After a draft is written, numbers
that point at no fetched source are removed, and the surviving ones are renumbered 1..n in order of
appearance so the references section lists exactly what the text cites.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from deepresearch.schemas import Claim, Findings, Passage, Source

CITATION = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_PERIOD_BEFORE_CITATION = re.compile(r"([.!?])((?:\s*\[\d+(?:\s*[,;]\s*\d+)*\])+)")


@dataclass
class Evidence:
    """What the summarizer may cite: claims with their passages, sources numbered locally."""

    claims: list[tuple[str, Claim]] = field(default_factory=list)  # (task id, claim)
    number_of: dict[str, int] = field(default_factory=dict)  # source id → local number
    sources: dict[str, Source] = field(default_factory=dict)
    followed: list[str] = field(default_factory=list)  # names researchers followed to a second page

    @property
    def source_of(self) -> dict[int, Source]:
        return {number: self.sources[sid] for sid, number in self.number_of.items()}

    def passages_for(self, number: int) -> list[Passage]:
        wanted = {sid for sid, n in self.number_of.items() if n == number}
        found: list[Passage] = []
        for _, claim in self.claims:
            found.extend(p for p in claim.passages if p.source_id in wanted and p not in found)
        return found

    def numbers_of(self, claim: Claim) -> list[int]:
        return sorted({self.number_of[p.source_id] for p in claim.passages if p.source_id in self.number_of})

    @property
    def is_empty(self) -> bool:
        return not self.claims

    def of_tasks(self, task_ids: Iterable[str]) -> Evidence:
        """The claims of these tasks and their sources, keeping the run's numbers: a part of a report written
        from it cites `[n]` as the whole report does, so numbering holds across parts."""
        wanted = set(task_ids)
        claims = [(task_id, claim) for task_id, claim in self.claims if task_id in wanted]
        used = {p.source_id for _, claim in claims for p in claim.passages}
        return Evidence(
            claims=claims,
            number_of={sid: n for sid, n in self.number_of.items() if sid in used},
            sources={sid: source for sid, source in self.sources.items() if sid in used},
        )


def gather_evidence(findings: Iterable[Findings], sources_by_id: dict[str, Source]) -> Evidence:
    """Claims whose passages come from fetched sources; sources numbered in first-use order."""
    evidence = Evidence()
    seen_claims: set[str] = set()
    for item in findings:
        evidence.followed.extend(name for name in item.followed if name not in evidence.followed)
        for claim in item.claims:
            passages = [p for p in claim.passages if p.source_id in sources_by_id]
            key = " ".join(claim.text.lower().split())
            if not passages or key in seen_claims:
                continue
            seen_claims.add(key)
            evidence.claims.append((item.task_id, claim.model_copy(update={"passages": passages})))
            for passage in passages:
                if passage.source_id not in evidence.number_of:
                    evidence.number_of[passage.source_id] = len(evidence.number_of) + 1
                    evidence.sources[passage.source_id] = sources_by_id[passage.source_id]
    return evidence


def numbers_in(text: str) -> list[int]:
    numbers: list[int] = []
    for match in CITATION.finditer(text):
        for part in re.split(r"[,;]", match.group(1)):
            number = int(part.strip())
            if number not in numbers:
                numbers.append(number)
    return numbers


def tidy_citations(text: str) -> str:
    """Put markers before the sentence's final punctuation: 'x. [1]' → 'x [1].'."""
    return _PERIOD_BEFORE_CITATION.sub(lambda m: f"{m.group(2).rstrip()}{m.group(1)}", text)


_SOURCE_CITATION = re.compile(r"\[@([^\]]+)\]")


def cite_by_source(markdown: str, source_of_number: Mapping[int, str]) -> str:
    """`[1, 2]` → `[@src_a; @src_b]`: citations that survive a change of numbering (the research cache keeps
    a report for later runs, whose evidence numbers its sources afresh)."""

    def replace(match: re.Match[str]) -> str:
        ids = [source_of_number[n] for n in numbers_in(match.group(0)) if n in source_of_number]
        return f"[{'; '.join('@' + sid for sid in ids)}]" if ids else ""

    return CITATION.sub(replace, markdown)


def cite_by_number(markdown: str, number_of_source: Mapping[str, int]) -> str:
    """The inverse of `cite_by_source` for this run's evidence; a source it does not have is dropped."""

    def replace(match: re.Match[str]) -> str:
        ids = [part.strip().lstrip("@") for part in match.group(1).split(";")]
        numbers = [number_of_source[sid] for sid in ids if sid in number_of_source]
        return f"[{', '.join(str(n) for n in numbers)}]" if numbers else ""

    return _SOURCE_CITATION.sub(replace, markdown)


def keep_numbers(text: str, valid: set[int]) -> tuple[str, list[int]]:
    """Remove citation numbers not in `valid`; returns the text and the numbers removed."""
    removed: list[int] = []

    def replace(match: re.Match[str]) -> str:
        parts = [int(p.strip()) for p in re.split(r"[,;]", match.group(1))]
        kept = [n for n in parts if n in valid]
        removed.extend(n for n in parts if n not in valid)
        return f"[{', '.join(str(n) for n in kept)}]" if kept else ""

    cleaned = CITATION.sub(replace, text)
    return re.sub(r"\s+([.!?,;])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned)), removed


def renumber(markdown: str) -> tuple[str, dict[int, int]]:
    """Renumber citations 1..n in order of first appearance; returns the text and old → new."""
    mapping: dict[int, int] = {}
    for number in numbers_in(markdown):
        mapping.setdefault(number, len(mapping) + 1)

    def replace(match: re.Match[str]) -> str:
        parts = [mapping[int(p.strip())] for p in re.split(r"[,;]", match.group(1))]
        return f"[{', '.join(str(n) for n in sorted(set(parts)))}]"

    return CITATION.sub(replace, markdown), mapping


def references_markdown(numbered: Sequence[tuple[int, Source]]) -> str:
    lines = []
    for number, source in numbered:
        title = source.title or source.url
        licence = f"; text licensed {source.licence}" if source.licence else ""
        accessed = source.fetched_at.date().isoformat()
        lines.append(f"[{number}] {title} — {source.url} (accessed {accessed}{licence})")
    return "\n".join(lines) if lines else "No sources were cited."
