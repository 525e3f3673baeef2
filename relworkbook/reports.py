"""One page frame for every printable report (heatmap report, storybook, persona report).

A report is one self-contained HTML file: no script, no outside request, readable
on a phone and printable. A workbook supplies its title, its sections and its
own extra CSS; the frame supplies the document, the shared look and the footer
that credits the sources.
"""

from __future__ import annotations

import time
from typing import Iterable

from .content import load_ui
from .text import esc

BASE_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:920px;margin:24px auto;padding:0 16px;
color:#1a1a1a;line-height:1.5}h1{margin-bottom:0}.meta{color:#555}section{margin:28px 0}
table{border-collapse:collapse}th,td{text-align:left;padding:4px 8px;vertical-align:top}
figure{margin:12px 0}figure svg{max-width:100%;height:auto}
@media print{section{page-break-inside:avoid}a{color:inherit}}
"""


def sources_footer(sources: Iterable[str], note: str = "") -> str:
    """The footer every report ends with: who made it, the pack's note, and its sources as links."""
    ui = load_ui()
    links = ", ".join(f"<a href='{esc(u)}'>{esc(u)}</a>" for u in sources)
    note_text = f" {esc(note)}" if note else ""
    return (f"<footer><p class='meta'>{esc(ui('report_made_with'))}{note_text} "
            f"{esc(ui('report_sources'))} {links}</p></footer>")


def date_words(when: float | None = None, *, with_time: bool = False) -> str:
    """A report's date in the pack's words ("21 November 2026"), not the server's locale's month names."""
    ui = load_ui()
    moment = time.localtime(when)
    months = [m.strip() for m in ui("month_names").split(",")]
    # A translation that lists the months wrongly still gets a readable date (the month's number).
    month = months[moment.tm_mon - 1] if len(months) == 12 else str(moment.tm_mon)
    text = ui("report_date", day=moment.tm_mday, month=month, year=moment.tm_year)
    return f"{text} {moment.tm_hour:02d}:{moment.tm_min:02d}" if with_time else text


def report_page(title: str, body: Iterable[str], *, css: str = "", lang: str = "en") -> str:
    """A whole HTML document around ``body`` (already-escaped HTML parts)."""
    return "".join([
        f"<!DOCTYPE html><html lang='{esc(lang)}'><head><meta charset='utf-8'>",
        f"<meta name='viewport' content='width=device-width, initial-scale=1'><title>{esc(title)}</title>",
        f"<style>{BASE_CSS}{css}</style></head><body>", *body, "</body></html>",
    ])
