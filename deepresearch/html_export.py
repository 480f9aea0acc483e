"""One self-contained HTML file per report, readable offline.

Each citation `[n]` links to its reference entry, and carries its supporting passage as a tooltip; each
reference shows the passage that was read, so a reader can check a claim without leaving the page. No
scripts, fonts or stylesheets are loaded from anywhere.
"""

from __future__ import annotations

import html
import re

from markdown_it import MarkdownIt

from deepresearch.reports import body_without_references
from deepresearch.schemas import Citation, Report

_CITATION_IN_HTML = re.compile(r"\[(\d+)\]")

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:52rem;margin:2rem auto;
padding:0 1rem;line-height:1.55;color:#1d1d1f}
a.cite{text-decoration:none;font-size:.8em;vertical-align:super;padding:0 .1em}
.meta{color:#555;font-size:.9em}
ol.references li{margin-bottom:1rem}
blockquote.passage{margin:.3rem 0 0 0;padding:.3rem .8rem;border-left:3px solid #8aa;background:#f4f7f7;
font-size:.92em}
.score{color:#555;font-size:.85em}
li:target{background:#fff7d6}
"""


def _link_citations(body_html: str, citations: dict[int, Citation]) -> str:
    def link(match: re.Match[str]) -> str:
        number = int(match.group(1))
        citation = citations.get(number)
        if citation is None:
            return match.group(0)
        title = html.escape(citation.passage[:300], quote=True)
        return f'<a class="cite" href="#ref-{number}" title="{title}">[{number}]</a>'

    return _CITATION_IN_HTML.sub(link, body_html)


def _references_html(citations: list[Citation]) -> str:
    items = []
    for citation in citations:
        title = html.escape(citation.title or citation.url)
        url = html.escape(citation.url, quote=True)
        target = f'<a href="{url}">{title}</a>' if citation.url.startswith(("http://", "https://")) else title
        items.append(
            f'<li id="ref-{citation.number}" value="{citation.number}">{target}'
            f'<blockquote class="passage">{html.escape(citation.passage)}</blockquote>'
            f'<span class="score">support {citation.support:.2f}</span></li>'
        )
    return '<h2>References</h2>\n<ol class="references">\n' + "\n".join(items) + "\n</ol>"


def report_to_html(report: Report) -> str:
    """The whole page as a string."""
    renderer = MarkdownIt("commonmark", {"html": False})
    citations = {citation.number: citation for citation in report.citations}
    body = _link_citations(renderer.render(body_without_references(report.markdown)), citations)
    licences = sorted({source.licence for source in report.sources if source.licence})
    licence_note = f'<p class="meta">Source text licences: {html.escape(", ".join(licences))}</p>' if licences else ""
    meta = (
        f'<p class="meta">Run {html.escape(report.run_id)} · {report.created_at:%Y-%m-%d %H:%M} UTC · '
        f"citation support {report.support_score:.2f}</p>"
    )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(report.question[:120])}</title><style>{STYLE}</style></head>\n<body>\n"
        f"{meta}\n{body}\n{_references_html(sorted(report.citations, key=lambda c: c.number))}\n"
        f"{licence_note}\n</body></html>\n"
    )
