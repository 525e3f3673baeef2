"""Real Voila, over HTTP: every notebook renders, with the kit's configuration."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from relworkbook.store import Store
from relworkbook.workshops import start_workshop

pytestmark = pytest.mark.voila

NOTEBOOKS = sorted(p.name for p in (Path(__file__).parent.parent / "workbooks").glob("*.ipynb"))
ERROR_MARKS = ("Traceback", "application/vnd.jupyter.stderr", '"output_type": "error"', "There was an error")


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=120) as response:
        assert response.status == 200
        return response.read().decode("utf-8", errors="replace")


def assert_rendered(html: str) -> None:
    for mark in ERROR_MARKS:
        assert mark not in html, f"error text in page: {mark}"
    assert "application/vnd.jupyter.widget-view+json" in html  # the code ran and made its widgets


def test_there_are_notebooks_to_serve():
    assert {"index.ipynb", "heatmap.ipynb"} <= set(NOTEBOOKS)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_every_notebook_renders(server, notebook):
    html = get(server.url(f"/voila/render/{notebook}"))
    assert_rendered(html)
    # Sources are stripped: no line of the notebook's code appears anywhere in the page.
    import json as _json

    cells = _json.loads((Path(__file__).parent.parent / "workbooks" / notebook).read_text())["cells"]
    code = [line.strip() for c in cells if c["cell_type"] == "code" for line in "".join(c["source"]).splitlines()]
    assert code, "the notebook has code to look for"
    for line in code:
        if len(line) > 8:
            assert line not in html, f"notebook source shown to visitors: {line}"


@pytest.mark.parametrize("query", ["join=ZZZZZZ", "join=ZZZZZZ&me=nope", "facilitate=ZZZZZZ&key=bad", "solo=1"])
def test_every_kind_of_link_renders(server, query):
    assert_rendered(get(server.url(f"/voila/render/heatmap.ipynb?{query}")))


def test_facilitator_link_renders_the_live_view(server):
    access = start_workshop(Store(server.data), workbook="heatmap", title="Over HTTP")
    code = access.workshop.code
    assert_rendered(get(server.url(f"/voila/render/heatmap.ipynb?facilitate={code}&key={access.key}")))


def test_the_server_address_opens_the_landing_page(server):
    with urllib.request.urlopen(server.url("/"), timeout=120) as response:
        assert response.url.endswith("/voila/render/index.ipynb")
        assert_rendered(response.read().decode())
    tree = get(server.url("/voila/tree"))
    assert "Voil" in tree


def test_server_listens_on_loopback_only_by_default(server):
    import socket

    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)} - {"127.0.0.1", "::1"}
    port = int(server.base_url.rsplit(":", 1)[1])
    for address in addresses:
        with socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET) as sock:
            sock.settimeout(1)
            assert sock.connect_ex((address, port)) != 0


def test_landing_links_carry_no_hosting_token():
    from relworkbook.landing import landing_page
    from relworkbook.page import PageContext

    html = landing_page(PageContext.from_query("token=s3cret")).value
    assert 'href="heatmap.ipynb"' in html and "s3cret" not in html
    assert 'href="heatmap.ipynb"' in landing_page(PageContext.from_query("")).value
