"""Phones can reach the workshop, or the facilitator is told exactly what to do.

``relworkbook serve`` listens on 127.0.0.1 unless told ``--host 0.0.0.0``. A
facilitator who followed the README's first command used to project a link and
a QR code that no phone in the room could open, and nothing said so. Now the
facilitator's screen (and the projector view, where the QR code is tested
with a phone) says why and gives the command; the server says it too; and with
``--host 0.0.0.0`` the links carry this computer's network address even when
the facilitator browses at 127.0.0.1. Real widgets, a real store, and real
``relworkbook serve`` processes.
"""

from __future__ import annotations

import pytest

from conftest import start_server, stop_server
from relworkbook.cli import network_address
from relworkbook.components.session import unreachable_html
from relworkbook.content import load_ui
from relworkbook.page import PageContext
from relworkbook.registry import specs
from relworkbook.store import Store
from relworkbook.text import esc
from relworkbook.workshops import participant_link, start_workshop, this_computer_only
from test_contract import SEEDERS
from test_projector import text_on_screen


@pytest.mark.parametrize("link, host", [
    ("http://127.0.0.1:8866/voila/render/heatmap.ipynb?join=ABCDEF", "127.0.0.1"),
    ("http://127.0.1.1:8866/x", "127.0.1.1"),  # Debian's name for itself
    ("http://localhost:8866/x", "localhost"),
    ("http://LocalHost/x", "localhost"),
    ("http://app.localhost:8866/x", "app.localhost"),
    ("http://0.0.0.0:8866/x", "0.0.0.0"),
    ("http://[::1]:8866/x", "::1"),
    ("http://[::]:8866/x", "::"),
    ("http://192.168.1.20:8866/voila/render/heatmap.ipynb?join=ABCDEF", None),
    ("http://10.0.0.5/x", None),
    ("https://workshops.council.example/voila/render/heatmap.ipynb", None),
    ("http://[fe80::1]:8866/x", None),
    ("", None),
    ("not a link", None),
])  # fmt: skip
def test_this_computer_only_names_the_addresses_no_phone_can_open(link, host):
    assert this_computer_only(link) == host


def test_the_warning_is_in_the_packs_words_and_shows_the_host_as_text():
    ui = load_ui()
    html = unreachable_html(ui, "http://127.0.0.1:8866/voila/render/heatmap.ipynb?join=ABCDEF")
    for key in ("reach_title", "reach_steps", "reach_command"):
        assert esc(ui(key)) in html, key
    assert esc(ui("reach_why", host="127.0.0.1")) in html
    assert "relworkbook serve --host 0.0.0.0" in html
    assert unreachable_html(ui, "http://192.168.1.20:8866/voila/render/heatmap.ipynb?join=ABCDEF") == ""


@pytest.fixture(params=[s.name for s in specs()])
def facilitator(request, tmp_path):
    """A facilitator's page of one workbook, served (as far as it knows) at 127.0.0.1."""
    spec = next(s for s in specs() if s.name == request.param)
    store = Store(tmp_path / "reach.sqlite3")
    access, _rules = SEEDERS[spec.name](store, spec.load_pack())
    page = PageContext.from_query(f"facilitate={access.workshop.code}&key={access.key}", hosting="standalone",
                                  script_name=f"/voila/render/{spec.notebook}")
    app = spec.app_class()(page, store=store)
    assert app.screen == "facilitator", app.status.message
    yield spec, app, access
    store.close()


def test_a_link_for_this_computer_only_is_flagged_on_the_screen_and_the_projector(facilitator):
    spec, app, access = facilitator
    ui = load_ui()
    session = app.view.session
    assert this_computer_only(session.participant_link) == "127.0.0.1"
    assert esc(ui("reach_title")) in session.links.value
    assert esc(ui("reach_command")) in session.links.value
    session.projector_button.click()
    assert esc(ui("reach_title")) in app.view.projector.join.value
    assert esc(ui("reach_title")) in text_on_screen(app)

    # The facilitator reopens the page at the computer's network address: the warning goes, everywhere.
    code = access.workshop.code
    base = f"http://192.168.1.20:8866/voila/render/{spec.notebook}"
    app.bridge.href = f"{base}?facilitate={code}&key={access.key}"
    assert session.participant_link == participant_link(base, code)
    assert esc(ui("reach_title")) not in session.links.value
    assert esc(ui("reach_title")) not in app.view.projector.join.value
    assert esc(participant_link(base, code)) in app.view.projector.join.value


def test_serving_on_this_computer_only_says_so_and_how_to_open_it_up(server):
    log = server.log_text()
    assert "only this computer can open these pages" in log
    assert "relworkbook serve --host 0.0.0.0" in log


@pytest.mark.voila
@pytest.mark.browser
def test_host_0000_puts_the_network_address_in_the_links_even_for_a_facilitator_at_127(tmp_path, offline):
    address = network_address()
    if address is None:
        pytest.fail("this machine has no network address, so phones could never reach it: cannot test")
    server = start_server(tmp_path, "--host", "0.0.0.0", "--pool-size", "0")
    try:
        log = server.log_text()
        port = server.base_url.rsplit(":", 1)[1]
        assert f"participants on your network join at http://{address}:{port}/" in log, log
        assert "only this computer can open these pages" not in log
        access = start_workshop(Store(server.data), workbook="heatmap", title="Reach")
        code = access.workshop.code
        # The facilitator opens their link at 127.0.0.1, as the address the server prints suggests.
        page = offline().new_page()
        page.goto(server.url(f"/voila/render/heatmap.ipynb?facilitate={code}&key={access.key}"))
        link = page.locator(".rw-participant-link")
        link.wait_for()
        assert link.inner_text() == f"http://{address}:{port}/voila/render/heatmap.ipynb?join={code}"
        assert page.get_by_text(load_ui()("reach_title")).count() == 0
    finally:
        stop_server(server)


@pytest.mark.voila
@pytest.mark.browser
def test_the_readme_command_leads_the_facilitator_to_the_fix(server, offline):
    """The README's first command serves on 127.0.0.1: the facilitator's real screen says what to do."""
    ui = load_ui()
    access = start_workshop(Store(server.data), workbook="heatmap", title="Reach")
    page = offline().new_page()
    page.goto(server.url(f"/voila/render/heatmap.ipynb?facilitate={access.workshop.code}&key={access.key}"))
    page.locator(".rw-participant-link").wait_for()
    warning = page.locator(".rw-unreachable")
    assert warning.is_visible()
    text = warning.inner_text()
    for words in (ui("reach_title"), ui("reach_why", host="127.0.0.1"), ui("reach_steps"), ui("reach_command")):
        assert " ".join(words.split()) in " ".join(text.split()), words
