"""Pages inside a Jupyter server (Binder, JupyterHub) hand out no token and offer no joining by code.

Inside a Jupyter server, whoever holds the server's token can run code on
it: read every answer, rewrite the facilitator's key. So no link the kit
shows, in any mode, carries the token; and where the kit is not served by
``relworkbook serve`` (no RELWORKBOOK_STANDALONE) people are not invited to
join by code: the welcome screen says what works there instead.

The pages are simulated as Binder opens them: a token in the query, a
``/user/NAME/...`` address, and the browser reporting that address (with
its token) through the bridge. Every widget in the tree is searched.
"""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as widgets
import pytest

from relworkbook.components.bridge import PageBridge
from relworkbook.content import load_ui
from relworkbook.heatmap import HeatmapWorkbook
from relworkbook.landing import landing_page
from relworkbook.page import SHARED, STANDALONE, PageContext, hosting_mode
from relworkbook.story import StoryWorkbook
from relworkbook.text import esc
from relworkbook.workshops import format_code, join, start_workshop

TOKEN = "abc123"
BINDER_PAGE = "/user/jo/voila/render/{notebook}"
BINDER_HREF = "https://hub.mybinder.example/user/jo/voila/render/{notebook}?token=" + TOKEN
WORKBOOKS = {"heatmap": (HeatmapWorkbook, "heatmap.ipynb"), "story-weaving": (StoryWorkbook, "story-weaving.ipynb")}


@pytest.fixture(params=[SHARED, STANDALONE])
def mode(request, monkeypatch) -> str:
    """Both modes, set the way the kernels learn it: from the environment."""
    if request.param == STANDALONE:
        monkeypatch.setenv("RELWORKBOOK_STANDALONE", "1")
    else:
        monkeypatch.delenv("RELWORKBOOK_STANDALONE", raising=False)
    return request.param


@pytest.fixture
def shared(monkeypatch) -> None:
    monkeypatch.delenv("RELWORKBOOK_STANDALONE", raising=False)


def shown_strings(widget: widgets.Widget, path: str = "page") -> Iterator[tuple[str, str]]:
    """Every text a widget tree syncs to the browser (values, labels, titles, the address bar's query).

    The bridge's ``href`` is left out: that is the browser telling the
    kernel its address, not something the kit shows.
    """
    for name in widget.keys:
        if name.startswith(("_view_", "_model_")) or name == "children":
            continue
        if isinstance(widget, PageBridge) and name in ("href", "recalled"):
            continue
        value = getattr(widget, name)
        texts = value if isinstance(value, (tuple, list)) else value.values() if isinstance(value, dict) else [value]
        for text in texts:
            if isinstance(text, str):
                yield f"{path}.{name}", text
    for index, child in enumerate(getattr(widget, "children", ())):
        yield from shown_strings(child, f"{path}[{index}]<{type(child).__name__}>")


def assert_no_token(widget: widgets.Widget) -> None:
    found = [(where, text[:200]) for where, text in shown_strings(widget) if TOKEN in text or "token=" in text]
    assert not found, found


def contains(widget: widgets.Widget, target: widgets.Widget) -> bool:
    return widget is target or any(contains(child, target) for child in getattr(widget, "children", ()))


def text_of(widget: widgets.Widget) -> str:
    return "\n".join(text for _, text in shown_strings(widget))


def binder_page(store, query: str, workbook: str = "heatmap"):
    """A workbook opened as Binder opens it, after the browser has reported its address."""
    cls, notebook = WORKBOOKS[workbook]
    app = cls(PageContext.from_query(f"?token={TOKEN}&{query}".rstrip("&"),
                                     script_name=BINDER_PAGE.format(notebook=notebook)), store=store)
    app.bridge.href = BINDER_HREF.format(notebook=notebook)
    return app


def test_the_hosting_mode_comes_from_relworkbook_serve_only():
    assert hosting_mode({}) == SHARED
    assert hosting_mode({"RELWORKBOOK_STANDALONE": "1"}) == STANDALONE
    assert hosting_mode({"RELWORKBOOK_STANDALONE": "0"}) == SHARED
    assert hosting_mode({"JUPYTERHUB_USER": "jo", "RELWORKBOOK_STANDALONE": ""}) == SHARED


def test_a_kernel_reads_its_mode_from_the_environment(monkeypatch):
    monkeypatch.setenv("QUERY_STRING", f"token={TOKEN}&join=ABCDEF")
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.delenv("RELWORKBOOK_STANDALONE", raising=False)
    assert PageContext.from_environment().hosting == SHARED
    monkeypatch.setenv("RELWORKBOOK_STANDALONE", "1")
    assert PageContext.from_environment().hosting == STANDALONE


def test_landing_links_carry_no_token(mode):
    html = landing_page(PageContext.from_query(f"token={TOKEN}", "/user/jo/voila/render/index.ipynb")).value
    assert 'href="heatmap.ipynb"' in html and 'href="story-weaving.ipynb"' in html
    assert TOKEN not in html and "token=" not in html
    if mode == SHARED:
        assert esc(load_ui()("landing_shared")) in html and "join with a code" not in html
    else:
        assert "people join with a code" in html


@pytest.mark.parametrize("workbook", list(WORKBOOKS))
def test_welcome_screen_carries_no_token_in_either_mode(store, mode, workbook):
    app = binder_page(store, "", workbook)
    assert app.screen == "join"
    assert_no_token(app)
    if mode == SHARED:
        assert not contains(app, app.view.join_button) and not contains(app, app.view.code)
    else:
        assert contains(app, app.view.join_button) and contains(app, app.view.code)


def test_shared_welcome_explains_the_safe_ways_and_offers_no_join_form(store, shared):
    ui = load_ui()
    app = binder_page(store, "")
    text = text_of(app)
    for key in ("shared_title", "shared_text", "shared_serve", "shared_command"):
        assert esc(ui(key)) in text, key
    assert "relworkbook serve --host 0.0.0.0" in ui("shared_command")
    assert esc(ui("welcome_text")) not in text  # "Join a workshop with the code ..."
    for absent in (app.view.code, app.view.name, app.view.group, app.view.join_button):
        assert not contains(app, absent)
    # Both safe ways lead to the page used without a workshop; starting one stays possible.
    for button in (app.view.together_button, app.view.solo_button):
        assert contains(app, button)
    assert contains(app, app.view.start_button) and esc(ui("shared_start_hint")) in text
    app.view.together_button.click()
    assert app.screen == "solo"
    assert app.bridge.replace_query == "solo=1"
    assert_no_token(app)


def test_a_join_link_on_a_shared_server_explains_instead_of_joining(store, shared):
    ui = load_ui()
    code = start_workshop(store, workbook="heatmap").workshop.code
    app = binder_page(store, f"join={code}")
    assert app.screen == "join"
    text = text_of(app)
    assert esc(ui("shared_from_link", code=format_code(code))) in text and esc(ui("shared_text")) in text
    assert not contains(app, app.view.join_button) and not contains(app, app.view.code)
    assert not contains(app, app.view.start_button)  # someone who came to join is not asked to run a workshop
    assert app.bridge.replace_query == f"join={code}"  # the address bar loses the token too
    assert_no_token(app)
    assert store.participant_count(store.workshop_by_code(code).id) == 0


def test_a_stray_join_click_on_a_shared_server_joins_nobody(store, shared):
    code = start_workshop(store, workbook="heatmap").workshop.code
    app = binder_page(store, f"join={code}")
    app.view.join_button.click()  # not on screen; a hand-made widget message could still send it
    assert app.screen == "join"
    assert store.participant_count(store.workshop_by_code(code).id) == 0


@pytest.mark.parametrize("workbook", list(WORKBOOKS))
def test_a_facilitator_on_a_shared_server_collects_files_and_gets_no_join_link(store, shared, workbook):
    ui = load_ui()
    app = binder_page(store, "", workbook)
    app.view.start_button.click()
    assert app.screen == "facilitator", app.status.message
    code, key = app.access.workshop.code, app.access.key
    session = app.view.session
    links = session.links.value
    assert "<svg" not in links and "rw-participant-link" not in links
    assert esc(ui("join_instructions", code=format_code(code))) not in links
    assert "rw-code" not in session.heading.value  # no big join code inviting people to try it
    assert esc(ui("shared_text")) in links and esc(ui("shared_command")) in links
    own = f"https://hub.mybinder.example/user/jo/voila/render/{WORKBOOKS[workbook][1]}?facilitate={code}&amp;key={key}"
    assert own in links
    assert app.bridge.replace_query == f"facilitate={code}&key={key}"
    assert_no_token(app)
    # The same screen opened later from the facilitator's (token-free) link.
    again = binder_page(store, f"facilitate={code}&key={key}", workbook)
    assert again.screen == "facilitator"
    assert "<svg" not in again.view.session.links.value and own in again.view.session.links.value
    assert_no_token(again)


@pytest.mark.parametrize("workbook", list(WORKBOOKS))
def test_standalone_keeps_live_joining_without_the_token(store, monkeypatch, workbook):
    monkeypatch.setenv("RELWORKBOOK_STANDALONE", "1")
    facilitator = binder_page(store, "", workbook)
    facilitator.view.start_button.click()
    code = facilitator.access.workshop.code
    links = facilitator.view.session.links.value
    notebook = WORKBOOKS[workbook][1]
    assert "<svg" in links and "rw-code" in facilitator.view.session.heading.value
    assert f'href="https://hub.mybinder.example/user/jo/voila/render/{notebook}?join={code}"' in links
    assert_no_token(facilitator)

    participant = binder_page(store, f"join={code}", workbook)
    assert contains(participant, participant.view.join_button)
    assert participant.bridge.replace_query == f"join={code}"
    participant.view.join_button.click()
    assert participant.screen == "participant", participant.status.message
    assert participant.bridge.replace_query.startswith(f"join={code}&me=")
    assert f"/user/jo/voila/render/{notebook}?join={code}&amp;me=" in participant.personal.value
    assert_no_token(participant)


def test_a_personal_link_opened_with_a_token_shows_no_token(store, mode):
    access = start_workshop(store, workbook="heatmap")
    seat = join(store, access.workshop.code, "heatmap", display_name="Jo")
    app = binder_page(store, f"join={access.workshop.code}&me={seat.token}")
    assert app.screen == "participant"
    assert app.bridge.replace_query == f"join={access.workshop.code}&me={seat.token}"
    assert_no_token(app)


def test_the_search_would_find_a_token(store, shared):
    """The check above is not blind: a token placed in any shown text is found."""
    app = binder_page(store, "")
    app.personal.value = f"<code>https://hub.mybinder.example/user/jo/voila/render/heatmap.ipynb?token={TOKEN}</code>"
    with pytest.raises(AssertionError, match=TOKEN):
        assert_no_token(app)
    app.personal.value = ""
    app.bridge.replace_query = f"token={TOKEN}&solo=1"
    with pytest.raises(AssertionError, match="replace_query"):
        assert_no_token(app)
