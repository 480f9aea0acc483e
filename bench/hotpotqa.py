"""Research quality on HotpotQA-format questions: the full system, offline, over one pooled local corpus.

    python bench/hotpotqa.py --data ../shared/data/hotpotqa_dev_distractor_60.json [--n 20]
        [--depth quick|standard|deep] [--model provider:model] [--out results.json] [--work-dir DIR]
        [--samples N] [--drafts N] [--router on|off] [--prompt plain|cot|fewshot]

Every paragraph of the question file goes into ONE local corpus (one document per title, its Wikipedia URL,
its sentences joined; see bench/hotpotqa_data.py), indexed as the `docs` corpus of a library directory of
the bench's own (`<work dir>/library`, the work dir keyed by the file's hash and reused across runs).
Each question then runs through `deepresearch.aresearch` with clarification off, the encyclopedia off and
web search off (`search_providers=["local"]`), its run folder under `<work dir>/runs/`. The model is the
configured one (the embedded SmolLM2-135M by default); `--model openai:gpt-4o-mini` (with OPENAI_API_KEY
set) or `anthropic:…`, `ollama:…`, `deepseek:…` runs every role on that model instead.

Figures, per question and in total (totals are means over questions unless said otherwise):
- EM / F1: HotpotQA exact match and token F1 (official normalization and yes/no rule, see
  bench/hotpotqa_scoring.py) of the report's one-line short answer (`report.answer`, citation markers
  removed; if it is empty, the first sentence of the findings). A crashed run scores 0.
- closed-book EM / F1: the same model (the summarizer role's) asked the bare question ("Answer with a short
  phrase") in the same answer schema the research run's short answer uses (yes/no only for a yes/no
  question; `agents.answer.ANSWER_SCHEMAS`), with the same preamble cut, so the lift measures the evidence,
  not the answer format. lift = research ÷ closed-book, "n/a" when closed-book is 0.
- gold read / gold cited: share of the question's `supporting_facts` titles among the documents the agents
  read (`source.found` events: documents actually opened) and among the documents the report cites.
- never-read citations: citations whose source id is not among the documents read (must be 0); citations
  whose source is missing from the run folder's `sources/index.json` are counted too ("not in registry").
- supported: share of cited sentences in the findings that the re-verifier scores as supported
  (`deepresearch.review.supported_sentences` on the run folder: the stored source text, no language model,
  the same scores as the run's verifier and `reports verify`): a sentence is supported when one of its
  citations still has its passage in the stored source text and the sentence's support against it reaches
  `SUPPORT_THRESHOLD`. Totals pool all sentences.
- relevance: how much the cited passages bear on the question (the report's mean and lowest).
- tokens: prompt / completion tokens per question (from `llm.call` events), LLM calls, self-corrections
  (`researcher.correction`, `llm.structured_retry`, `researcher.nudge` events), wall time of the run.
- confidence (with `--samples N` > 1): the share of short-answer samples that agree with the report's
  answer (`report.answer_confidence`), averaged over the questions whose answer was the voted one, and
  how many questions bought one more research round because the samples disagreed.

Inference-time settings, each recorded in the results JSON: `--samples N` (self-consistency over the
short answer), `--drafts N` (best-of-N report drafts; revisions then off unless DEEPRESEARCH_MAX_REVISIONS
is set), `--prompt plain|cot|fewshot` (researcher and summarizer prompt technique), `--router on|off`
(difficulty routing, where the installed deepresearch has a `router` setting; otherwise ignored, and the
results say so).
Everything is also written as JSON (`--out`, default `<work dir>/results-<time>.json`), after every question.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, get_args

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from langchain_core.messages import HumanMessage  # noqa: E402

from agents.answer import ANSWER_SCHEMAS, is_yes_no_question  # noqa: E402
from agents.support import split_sentences, strip_citations  # noqa: E402
from agents.verifier import revision_limit  # noqa: E402
from agents.weak_model import cut_preamble  # noqa: E402
from bench.hotpotqa_data import Question, file_digest, load, offline_main, run_and_report  # noqa: E402
from bench.hotpotqa_scoring import exact_match, f1, mean, ratio, share  # noqa: E402
from deepresearch.api import aresearch, new_run_id  # noqa: E402
from deepresearch.config import Depth, ResearchConfig, load_config  # noqa: E402
from deepresearch.errors import StructuredOutputError  # noqa: E402
from deepresearch.llm import ModelSet  # noqa: E402
from deepresearch.progress import Event, EventRecorder  # noqa: E402
from deepresearch.reports import SOURCES, run_dir_for  # noqa: E402
from deepresearch.review import supported_sentences  # noqa: E402
from deepresearch.schemas import Report, source_id_for  # noqa: E402
from deepresearch.text import normalize_answer  # noqa: E402
from memory.local_search import DOCS_CORPUS, open_docs_corpus  # noqa: E402

CLOSED_BOOK_PROMPT = "Answer with a short phrase.\n\nQuestion: {question}"
SELF_CORRECTIONS = ("researcher.correction", "llm.structured_retry", "researcher.nudge")


def default_work_dir(data: Path) -> Path:
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "deepresearch-bench" / f"hotpotqa-{file_digest(data)[:12]}"


def bench_config(
    work_dir: Path, depth: str | None, model: str | None, scaling: dict[str, Any] | None = None
) -> ResearchConfig:
    """The run settings: the bench's own data and library dirs, local corpus only, no clarification.

    `scaling` holds the inference-time settings given on the command line (None values: configured).
    """
    return load_config(
        data_dir=work_dir,
        library_dir=work_dir / "library",
        docs_paths=[],
        encyclopedia=False,
        search_providers=["local"],
        clarify=False,
        depth=depth,
        model=model,
        **(scaling or {}),
    )


def scaling_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The inference-time flags as settings; `--router` only where this deepresearch has the setting."""
    settings: dict[str, Any] = {"samples": args.samples, "drafts": args.drafts, "prompt_style": args.prompt}
    if args.router is not None and "router" in ResearchConfig.model_fields:
        settings["router"] = args.router == "on"
    return settings


def settings_record(config: ResearchConfig, args: argparse.Namespace) -> dict[str, Any]:
    """What the results JSON says about how the questions were run, including the commit."""
    has_router = "router" in ResearchConfig.model_fields
    return {
        "samples": config.samples,
        "sample_temperature": config.sample_temperature,
        "min_agreement": config.min_agreement,
        "drafts": config.drafts,
        "max_revisions": config.max_revisions,
        "revisions_allowed": revision_limit(config),
        "prompt_style": config.prompt_style,
        "router": getattr(config, "router", None) if has_router else None,
        "router_flag_ignored": args.router is not None and not has_router,
        "commit": _git("rev-parse", "--short", "HEAD"),
        "uncommitted_changes": bool(_git("status", "--porcelain", "--untracked-files=no")),
    }


def _git(*arguments: str) -> str:
    try:
        done = subprocess.run(
            ["git", *arguments], capture_output=True, text=True, timeout=10, cwd=Path(__file__).resolve().parent.parent
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


async def closed_book(question: str, models: ModelSet) -> dict[str, Any]:
    before = models.ledger.total
    schema = ANSWER_SCHEMAS[(is_yes_no_question(question), False)]
    try:
        handle = models.for_role("summarizer")
        reply = await handle.astructured(
            [HumanMessage(CLOSED_BOOK_PROMPT.format(question=question))], schema, agent="closed-book"
        )
        # The same rules as a research run: a weak model's lead-in is cut there too.
        answer = cut_preamble(reply.answer) if handle.profile.weak else reply.answer.strip()
    except StructuredOutputError:
        answer = ""
    after = models.ledger.total
    return {
        "answer": answer,
        "prompt_tokens": after.input_tokens - before.input_tokens,
        "completion_tokens": after.output_tokens - before.output_tokens,
    }


def short_answer_of(report: Report) -> str:
    if report.answer.strip():
        return strip_citations(report.answer).strip()
    findings = next((s.markdown for s in report.sections if s.title == "Findings"), "")
    first = next((line for line in findings.splitlines() if line.strip()), "")
    sentences = split_sentences(first)
    return strip_citations(sentences[0]).strip() if sentences else ""


def run_figures(question: Question, report: Report, events: list[Event], run_dir: Path) -> dict[str, Any]:
    read_ids = {str(e.data.get("source_id")) for e in events if e.kind == "source.found"}
    index_file = run_dir / SOURCES / "index.json"
    registry = json.loads(index_file.read_text(encoding="utf-8")) if index_file.exists() else []
    registry_ids = {str(source["id"]) for source in registry}
    cited_ids = [c.source_id for c in report.citations]
    gold_ids = {source_id_for(url) for url in question.gold_urls}
    calls = [e.data for e in events if e.kind == "llm.call"]
    supported, cited_sentences = supported_sentences(run_dir, report)
    corrections = {kind: sum(e.kind == kind for e in events) for kind in SELF_CORRECTIONS}
    return {
        "answer": short_answer_of(report),
        "gold_read": share(read_ids, gold_ids),
        "gold_cited": share(cited_ids, gold_ids),
        "sources_read": len(read_ids),
        "citations": len(cited_ids),
        "never_read_citations": sum(sid not in read_ids for sid in cited_ids),
        "not_in_registry_citations": sum(sid not in registry_ids for sid in cited_ids),
        "never_read_citation_urls": [c.url for c in report.citations if c.source_id not in read_ids],
        "cited_sentences": cited_sentences,
        "supported_sentences": supported,
        "run_support_score": report.support_score,
        "prompt_tokens": sum(int(c.get("input_tokens", 0)) for c in calls),
        "cached_prompt_tokens": sum(int(c.get("cached_input_tokens", 0)) for c in calls),
        "relevance": report.relevance_score,
        "lowest_relevance": report.lowest_relevance,
        "completion_tokens": sum(int(c.get("output_tokens", 0)) for c in calls),
        "llm_calls": len(calls),
        "self_corrections": sum(corrections.values()),
        "self_corrections_by_kind": corrections,
        "fallbacks": sum(e.kind == "agent.fallback" for e in events),
        "insufficient_evidence": report.is_insufficient_evidence,
        "answer_confidence": report.answer_confidence,
        "answer_samples": report.answer_samples,
        "rechecked": any("one more research round" in note for note in report.method_notes),
        "rounds": sum(e.kind == "phase" and e.data.get("phase") == "research" for e in events),
    }


async def run_question(question: Question, config: ResearchConfig, models: ModelSet) -> dict[str, Any]:
    run_id = f"hotpotqa-{question.number:03d}-{new_run_id()}"
    result: dict[str, Any] = {
        "number": question.number,
        "question": question.text,
        "gold": question.answer,
        "type": question.type,
        "gold_titles": list(question.gold_titles),
        "run_id": run_id,
    }
    recorder = EventRecorder()
    started = time.perf_counter()
    try:
        report = await aresearch(question.text, config=config, on_event=recorder, run_id=run_id)
        result.update(run_figures(question, report, recorder.events, run_dir_for(config, run_id)))
    except Exception as error:  # one crashed run is recorded and reported, the bench goes on
        result["error"] = f"{type(error).__name__}: {error}"
        result["traceback"] = traceback.format_exc(limit=8)
        result["answer"] = ""
    result["wall_s"] = round(time.perf_counter() - started, 2)
    result["em"] = exact_match(result["answer"], question.answer)
    result["f1"] = f1(result["answer"], question.answer)
    book = await closed_book(question.text, models)
    result["closed_book"] = {
        **book,
        "em": exact_match(book["answer"], question.answer),
        "f1": f1(book["answer"], question.answer),
    }
    return result


def totals(results: list[dict[str, Any]]) -> dict[str, Any]:
    ran = [r for r in results if "error" not in r]
    em, closed_em = mean(r["em"] for r in results), mean(r["closed_book"]["em"] for r in results)
    f1_mean, closed_f1 = mean(r["f1"] for r in results), mean(r["closed_book"]["f1"] for r in results)
    cited_sentences = sum(r["cited_sentences"] for r in ran)
    # Yes/no questions are half won by a coin toss: the figures without them say what research adds.
    worded = [r for r in results if normalize_answer(r["gold"]) not in ("yes", "no")]
    worded_f1, worded_closed = mean(r["f1"] for r in worded), mean(r["closed_book"]["f1"] for r in worded)
    yes_no = [r for r in results if normalize_answer(r["gold"]) in ("yes", "no")]
    return {
        "worded_questions": len(worded),
        "worded_f1": worded_f1,
        "worded_closed_book_f1": worded_closed,
        "worded_lift_f1": ratio(worded_f1 or 0.0, worded_closed or 0.0),
        "yes_no_questions": len(yes_no),
        "yes_no_em": mean(r["em"] for r in yes_no),
        "yes_no_closed_book_em": mean(r["closed_book"]["em"] for r in yes_no),
        "questions": len(results),
        "errors": len(results) - len(ran),
        "em": em,
        "f1": f1_mean,
        "closed_book_em": closed_em,
        "closed_book_f1": closed_f1,
        "lift_em": ratio(em or 0.0, closed_em or 0.0),
        "lift_f1": ratio(f1_mean or 0.0, closed_f1 or 0.0),
        "gold_read": mean(r["gold_read"] for r in ran),
        "gold_cited": mean(r["gold_cited"] for r in ran),
        "citations": sum(r["citations"] for r in ran),
        "never_read_citations": sum(r["never_read_citations"] for r in ran),
        "not_in_registry_citations": sum(r["not_in_registry_citations"] for r in ran),
        "cited_sentences": cited_sentences,
        "supported_share": ratio(sum(r["supported_sentences"] for r in ran), cited_sentences),
        "prompt_tokens": mean(r["prompt_tokens"] for r in ran),
        "evaluated_prompt_tokens": mean(r["prompt_tokens"] - r.get("cached_prompt_tokens", 0) for r in ran),
        "relevance": mean(r["relevance"] for r in ran if r.get("relevance") is not None),
        "lowest_relevance": min(
            (r["lowest_relevance"] for r in ran if r.get("lowest_relevance") is not None), default=None
        ),
        "completion_tokens": mean(r["completion_tokens"] for r in ran),
        "llm_calls": mean(r["llm_calls"] for r in ran),
        "self_corrections": mean(r["self_corrections"] for r in ran),
        "wall_s": mean(r["wall_s"] for r in results),
        "wall_s_total": round(sum(r["wall_s"] for r in results), 1),
        "confidence": mean(r["answer_confidence"] for r in ran if r.get("answer_confidence") is not None),
        "confident_answers": sum(r.get("answer_confidence") is not None for r in ran),
        "rechecked": sum(bool(r.get("rechecked")) for r in ran),
    }


def fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def question_lines(r: dict[str, Any]) -> list[str]:
    book = r["closed_book"]
    head = f"[{r['number']:>3}] EM {r['em']:.0f} F1 {r['f1']:.2f} | closed EM {book['em']:.0f} F1 {book['f1']:.2f}"
    if "error" in r:
        return [f"{head} | CRASHED after {r['wall_s']:.0f} s: {r['error']}"]
    supported = f"{r['supported_sentences']}/{r['cited_sentences']}"
    return [
        f"{head} | gold read {fmt(r['gold_read'])} cited {fmt(r['gold_cited'])} | citations {r['citations']} "
        f"never-read {r['never_read_citations']} supported {supported} | tokens {r['prompt_tokens']}/"
        f"{r['completion_tokens']} calls {r['llm_calls']} corrections {r['self_corrections']} | {r['wall_s']:.0f} s",
        f"      gold: {r['gold']!r} | answer: {r['answer'][:120]!r} | closed-book: {book['answer'][:60]!r}",
    ]


def total_lines(t: dict[str, Any], samples: int = 1) -> list[str]:
    confidence = (
        [
            f"confidence        mean agreement {fmt(t['confidence'], 3)} over {t['confident_answers']} "
            f"voted answer(s); {t['rechecked']} question(s) researched one more round after low agreement"
        ]
        if samples > 1
        else []
    )
    return [
        f"questions {t['questions']} (crashed {t['errors']})",
        f"answer            EM {fmt(t['em'], 3)}  F1 {fmt(t['f1'], 3)}",
        f"closed-book       EM {fmt(t['closed_book_em'], 3)}  F1 {fmt(t['closed_book_f1'], 3)}",
        f"research lift     EM {fmt(t['lift_em'])}  F1 {fmt(t['lift_f1'])}  (research ÷ closed-book)",
        f"without yes/no    {t['worded_questions']} questions: F1 {fmt(t['worded_f1'], 3)}, closed-book "
        f"{fmt(t['worded_closed_book_f1'], 3)}, lift {fmt(t['worded_lift_f1'])}; yes/no {t['yes_no_questions']}: "
        f"EM {fmt(t['yes_no_em'], 3)}, closed-book {fmt(t['yes_no_closed_book_em'], 3)}",
        f"gold evidence     read {fmt(t['gold_read'], 3)}  cited {fmt(t['gold_cited'], 3)}",
        f"citations         {t['citations']}, to never-read sources {t['never_read_citations']} "
        f"(not in run registry {t['not_in_registry_citations']}), cited sentences supported "
        f"{fmt(t['supported_share'], 3)} of {t['cited_sentences']}",
        f"relevance         cited passages to the question: mean {fmt(t['relevance'], 3)}, "
        f"lowest {fmt(t['lowest_relevance'], 3)}",
        f"per question      tokens {fmt(t['prompt_tokens'], 0)} prompt (evaluated "
        f"{fmt(t['evaluated_prompt_tokens'], 0)}, the rest from cached prefixes) / {fmt(t['completion_tokens'], 0)} "
        "completion, LLM calls "
        f"{fmt(t['llm_calls'], 1)}, self-corrections {fmt(t['self_corrections'], 1)}, "
        f"wall {fmt(t['wall_s'], 1)} s (total {t['wall_s_total']} s)",
        *confidence,
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Hosted model: --model openai:gpt-4o-mini with OPENAI_API_KEY set (or anthropic:<model> with "
        "ANTHROPIC_API_KEY, deepseek:<model>, ollama:<model>); any DEEPRESEARCH_* setting also applies.",
    )
    parser.add_argument("--data", type=Path, required=True, help="a HotpotQA-format JSON file")
    parser.add_argument("--n", type=int, help="only the first N questions (default: all)")
    parser.add_argument("--depth", choices=get_args(Depth), help="research depth (default: configured)")
    parser.add_argument("--model", help="provider:model for every role (default: configured, else embedded)")
    parser.add_argument("--out", type=Path, help="results JSON (default: <work dir>/results-<time>.json)")
    parser.add_argument("--work-dir", type=Path, help="library, runs and results (default: a cache dir per file)")
    parser.add_argument("--samples", type=int, help="self-consistency: short-answer samples (default: configured)")
    parser.add_argument("--drafts", type=int, help="best-of-N report drafts (default: configured)")
    parser.add_argument("--router", choices=["on", "off"], help="difficulty routing (default: configured)")
    parser.add_argument("--prompt", choices=["plain", "cot", "fewshot"], help="prompt technique (default: configured)")
    return parser.parse_args(argv)


async def run(args: argparse.Namespace) -> int:
    docs, questions = load(args.data)
    questions = questions[: args.n] if args.n else questions
    work_dir = args.work_dir or default_work_dir(args.data)
    config = bench_config(work_dir, args.depth, args.model, scaling_settings(args))
    started = time.perf_counter()
    indexed = await asyncio.to_thread(open_docs_corpus(config).index, docs)
    print(
        f"corpus: {len(docs)} documents in {config.library_path / DOCS_CORPUS} ({indexed.added} added, "
        f"{indexed.unchanged} unchanged, {time.perf_counter() - started:.1f} s)"
    )
    print(f"model {config.model}, depth {config.depth}, {len(questions)} questions; runs in {config.runs_dir}")
    settings = settings_record(config, args)
    print("settings " + ", ".join(f"{key} {value}" for key, value in settings.items()))
    if settings["router_flag_ignored"]:
        print("--router ignored: this deepresearch has no router setting")
    out = args.out or work_dir / f"results-{datetime.now(UTC):%Y%m%d-%H%M%S}.json"
    header = {
        "data": str(args.data),
        "model": config.model,
        "depth": config.depth,
        "machine": platform.node(),
        "cpus": os.cpu_count(),
        "started": datetime.now(UTC).isoformat(),
        "work_dir": str(work_dir),
        "settings": settings,
    }
    models = ModelSet(config)
    jobs = (partial(run_question, question, config, models) for question in questions)
    await run_and_report(
        jobs,
        lambda result: "\n".join(question_lines(result)),
        totals,
        lambda figures: total_lines(figures, config.samples),
        (out, header),
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    return offline_main(run, parse_args, argv)


if __name__ == "__main__":
    raise SystemExit(main())
