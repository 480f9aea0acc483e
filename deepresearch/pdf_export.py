"""A report as a PDF: the HTML export, printed by the Chromium the browser tool uses.

The page is the same self-contained HTML `reports export --html` writes (`deepresearch.html_export`), so
the PDF holds the same text: every `[n]` in the body and every reference with the passage it rests on.
Printing adds only a print stylesheet that writes each reference's URL after its title (a printed link
cannot be followed). The browser loads nothing: every request the page would make is refused, so a
report's text can never make the printer reach the network.
"""

from __future__ import annotations

from pathlib import Path

from deepresearch.config import ResearchConfig
from deepresearch.errors import ConfigError, DeepResearchError
from deepresearch.html_export import report_to_html
from deepresearch.schemas import Report

PRINT_STYLE = """
@page { size: A4; margin: 18mm 16mm; }
body { max-width: none; margin: 0; }
ol.references a[href]::after { content: " (" attr(href) ")"; word-break: break-all; }
ol.references li, blockquote.passage { break-inside: avoid; }
"""


async def write_pdf(report: Report, target: Path, config: ResearchConfig) -> Path:
    """Print `report` to `target` (created or replaced); a missing browser is a `ConfigError` naming the fix."""
    from playwright.async_api import Error as PlaywrightError
    from playwright.async_api import async_playwright

    from tools.browser import CHROMIUM_ARGS, find_chromium

    executable = find_chromium(config)
    target.parent.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as playwright:
        if executable is None and not Path(playwright.chromium.executable_path).exists():
            raise ConfigError(
                "PDF export needs Chromium: install it (apt-get install chromium) or set DEEPRESEARCH_BROWSER_PATH"
            )
        try:
            browser = await playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        except PlaywrightError as error:
            raise ConfigError(f"Chromium did not start for the PDF export: {error.message.splitlines()[0]}") from None
        try:
            page = await browser.new_page()
            await page.route("**/*", lambda route: route.abort("blockedbyclient"))
            await page.set_content(report_to_html(report), wait_until="load")
            await page.add_style_tag(content=PRINT_STYLE)
            await page.pdf(path=str(target), print_background=True, prefer_css_page_size=True)
        except PlaywrightError as error:
            raise DeepResearchError(f"printing the PDF failed: {error.message.splitlines()[0]}") from None
        finally:
            await browser.close()
    return target
