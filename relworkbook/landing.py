"""The landing page: every workbook with one line and a link."""

from __future__ import annotations

import ipywidgets as widgets

from .content import load_ui
from .page import PageContext
from .registry import specs
from .text import esc


def landing_page(page: PageContext | None = None) -> widgets.HTML:
    """The list of workbooks.

    Links are relative and carry no query: a Jupyter server's ``token`` in
    them would let whoever is sent the link run code on that server. The
    person who opened the page already holds the server's cookie, so the
    links still open for them. Inside a Jupyter server (Binder) the closing
    line says what works there instead of joining by code.
    """
    page = page if page is not None else PageContext.from_environment()
    items = []
    for spec in specs():  # every registered workbook, in the registry's order
        title, line = spec.landing_words()
        items.append(
            f'<li style="margin:10px 0"><a class="rw-workbook-link" href="{esc(spec.notebook)}" '
            f'style="font-size:1.15em;font-weight:600">{esc(title)}</a><br>{esc(line)}</li>'
        )
    ways = load_ui()("landing_ways" if page.live_joining else "landing_shared")
    return widgets.HTML(
        '<div style="max-width:760px;font-size:16px;line-height:1.45">'
        f'<ul style="list-style:none;padding:0">{"".join(items)}</ul>'
        f"<p>{esc(ways)}</p>"
        "</div>"
    )
