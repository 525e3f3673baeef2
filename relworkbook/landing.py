"""The landing page: every workbook with one line and a link."""

from __future__ import annotations

import ipywidgets as widgets

from urllib.parse import urlencode

from .catalogue import WORKBOOKS
from .page import PageContext
from .text import esc


def landing_page(page: PageContext | None = None) -> widgets.HTML:
    """The list of workbooks. Links keep the hosting server's token (Binder),
    so a facilitator who shares a workbook's address shares a working one."""
    page = page if page is not None else PageContext.from_environment()
    query = urlencode(page.passthrough())
    suffix = f"?{query}" if query else ""
    items = "".join(
        f'<li style="margin:10px 0"><a class="rw-workbook-link" href="{esc(w.notebook + suffix)}" '
        f'style="font-size:1.15em;font-weight:600">{esc(w.title)}</a><br>{esc(w.line)}</li>'
        for w in WORKBOOKS
        if w.ready
    )
    return widgets.HTML(
        '<div style="max-width:760px;font-size:16px;line-height:1.45">'
        f'<ul style="list-style:none;padding:0">{items}</ul>'
        "<p>Each workbook works three ways: a facilitator starts a workshop and people join with a code "
        "(on a phone or a laptop), a team uses it together round one screen, or one person uses it alone.</p>"
        "</div>"
    )
