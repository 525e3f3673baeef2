"""Real Chromium, real Voila, no internet: a whole workshop as people would run it."""

from __future__ import annotations

import json
import re

import pytest

from conftest import start_server, stop_server

pytestmark = pytest.mark.browser

XSS = "<img src=x onerror=alert(1)>"
HEATMAP = "/voila/render/heatmap.ipynb"


def start_workshop_in_browser(page, server) -> str:
    page.goto(server.url(HEATMAP))
    page.get_by_role("button", name="Start a new workshop").click()
    page.locator(".rw-code").wait_for()
    link = page.locator(".rw-participant-link")
    link.wait_for()
    return link.get_attribute("href")


def join_and_rate(context, link: str, name: str, rating: int, group: str = ""):
    page = context.new_page()
    page.goto(link)
    page.locator(".rw-join").wait_for()
    page.get_by_placeholder("leave blank to stay anonymous").fill(name)
    if group:
        page.get_by_placeholder("e.g. staff, residents").fill(group)
    page.get_by_role("button", name="Join the workshop").click()
    groups = page.locator(".rw-rating")
    groups.first.wait_for()
    for index in range(groups.count()):
        groups.nth(index).get_by_role("radio", name=re.compile(rf"^{rating}\b")).check()
    page.get_by_role("button", name="Save my answers").click()
    page.get_by_text("Saved.").wait_for()
    return page


def test_a_workshop_from_start_to_export(server, offline):
    facilitator_ctx = offline()
    facilitator = facilitator_ctx.new_page()
    link = start_workshop_in_browser(facilitator, server)
    assert re.search(r"\?join=[A-Z2-9]{6}$", link), link
    assert "facilitate=" in facilitator.url and "key=" in facilitator.url  # a reload keeps this screen

    people = [offline() for _ in range(3)]
    pages = [join_and_rate(ctx, link, name, rating)
             for ctx, name, rating in zip(people, ["Ana", XSS, ""], [2, 3, 4], strict=True)]

    # The facilitator's page updates by itself (no reload) within a few seconds.
    facilitator.locator(".rw-count").get_by_text("3 of 3 people who joined have saved answers").wait_for(timeout=15_000)
    names = facilitator.locator(".rw-names").inner_text()
    assert XSS in names and "Ana" in names and "1 anonymous" in names
    assert facilitator.locator("img[src='x']").count() == 0
    assert facilitator.get_by_text("Collective heatmap: 3 answers so far").count() == 1
    facilitator.get_by_text("Chart (as in the report and downloads)").click()
    facilitator.locator("figure svg").wait_for()  # the Altair chart, drawn with no internet

    facilitator.get_by_role("tab", name="Files").click()
    facilitator.get_by_role("button", name="Prepare downloads").click()
    with facilitator.expect_download() as download:
        facilitator.get_by_role("link", name=re.compile("Responses \\(JSON\\)")).click()
    document = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert len(document["responses"]) == 3
    assert sorted(r["name"] for r in document["responses"]) == sorted(["", "Ana", XSS])

    for ctx in [facilitator_ctx, *people]:
        assert ctx.dialogs == []  # no alert() ever ran
        assert all("127.0.0.1" not in url for url in ctx.refused)

    # A participant who reloads gets their answers back.
    pages[0].reload()
    pages[0].get_by_text("Welcome back").wait_for()
    active = pages[0].locator(".rw-rating input:checked")
    active.first.wait_for()
    assert active.count() == len(document["responses"][0]["answers"]["ratings"])


def test_the_landing_page_lists_the_workbooks(server, offline):
    page = offline().new_page()
    page.goto(server.url("/"))
    link = page.get_by_role("link", name="Relationships Heatmap")
    link.wait_for()
    link.click()
    page.get_by_role("button", name="Use it on my own").wait_for()


def test_answers_survive_a_server_crash(tmp_path, offline):
    server = start_server(tmp_path)
    try:
        facilitator = offline().new_page()
        link = start_workshop_in_browser(facilitator, server)
        facilitator_url = facilitator.url
        join_and_rate(offline(), link, "Bo", 5)
    finally:
        stop_server(server, sig=9)  # kill -9: no chance to tidy up
    again = start_server(tmp_path, data=server.data)
    try:
        page = offline().new_page()
        page.goto(facilitator_url.replace(server.base_url, again.base_url))
        page.locator(".rw-count").get_by_text("1 of 1 people who joined have saved answers").wait_for()
    finally:
        stop_server(again)
