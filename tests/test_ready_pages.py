"""A facilitator who says how many people to expect asks the server to ready that many pages.

Widgets driven from pytest on a real SQLite store; the request is the real file
`relworkbook serve` reads (tests/test_readiness.py shows the server acting on it).
"""

from __future__ import annotations

import json

from relworkbook.config import Settings
from relworkbook.heatmap import HeatmapWorkbook
from relworkbook.page import SHARED, STANDALONE, PageContext
from relworkbook.readiness import requests_folder


def welcome(store, _tmp_path, *, live: bool = True) -> HeatmapWorkbook:
    settings = Settings(data_url=f"sqlite:///{store.path}")
    page = PageContext.from_query("", hosting=STANDALONE if live else SHARED)
    return HeatmapWorkbook(page, store=store, settings=settings)


def visible(widget) -> list:
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += visible(child)
    return found


def test_saying_how_many_people_to_expect_asks_the_server_for_that_many_pages(store, tmp_path):
    facilitator = welcome(store, tmp_path)
    view = facilitator.view
    assert view.expected in visible(facilitator)
    view.title.value = "Town hall"
    view.expected.value = 12
    view.start_button.click()
    assert facilitator.screen == "facilitator", facilitator.status.message
    request = requests_folder(f"sqlite:///{store.path}") / f"{facilitator.access.workshop.code}.json"
    asked = json.loads(request.read_text(encoding="utf-8"))
    assert (asked["notebook"], asked["people"], asked["workshop"]) == (
        "heatmap.ipynb", 12, facilitator.access.workshop.code)


def test_no_number_no_request(store, tmp_path):
    facilitator = welcome(store, tmp_path)
    facilitator.view.start_button.click()
    assert facilitator.screen == "facilitator"
    assert not requests_folder(f"sqlite:///{store.path}").exists()


def test_a_shared_server_does_not_offer_it(store, tmp_path):
    """On Binder or JupyterHub nobody joins live, and the kit does not run the server: no box."""
    facilitator = welcome(store, tmp_path, live=False)
    assert facilitator.view.expected not in visible(facilitator)
