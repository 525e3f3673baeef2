"""The facilitator's projector view, for every registered workbook, with real widgets and a real store.

Each workbook is seeded as the contract test seeds it (six people, one of
them with a name made of HTML), and its workshop is given a title made of
HTML too. The facilitator switches the projector view on: the code and the
QR code are there, their own key and link and the controls are gone, the
count is right and goes up when someone saves, the open tab's results appear
once they are shown to participants (not while people are still answering),
typed HTML stays text, and "Back to the controls" brings everything back as
it was.

"On screen" below means reachable from the page through the children of
widgets that are not hidden: what the browser would draw.
"""

from __future__ import annotations

import pytest

from relworkbook.components.projector import Projected, answered_words, count_html, join_html
from relworkbook.content import load_ui
from relworkbook.page import PageContext
from relworkbook.registry import load_class, specs
from relworkbook.store import Store
from relworkbook.text import esc
from relworkbook.workshops import facilitator_link, format_code, join, participant_link
from test_contract import SEEDERS, XSS

TITLE = "<b>Team day</b> & <script>alert('title')</script>"


def on_screen(widget) -> list:
    """Every widget the browser would draw, from ``widget`` down (a hidden widget hides its children)."""
    layout = getattr(widget, "layout", None)
    if layout is not None and layout.display == "none":
        return []
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += on_screen(child)
    return found


def text_on_screen(widget) -> str:
    parts = []
    for w in on_screen(widget):
        for name in ("value", "description", "placeholder", "tooltip"):
            value = getattr(w, name, None)
            if isinstance(value, str):
                parts.append(value)
        parts += [str(t) for t in getattr(w, "titles", ())]
    return "\n".join(parts)


def walk(widget) -> list:
    """Every widget from ``widget`` down, shown or not."""
    found = [widget]
    for child in getattr(widget, "children", ()):
        found += walk(child)
    return found


def shows(root, widget) -> bool:
    return any(w is widget for w in on_screen(root))


@pytest.fixture(params=[s.name for s in specs()])
def seeded(request, tmp_path):
    """A facilitator's page for one workbook, seeded as the contract test does, its title made of HTML."""
    spec = next(s for s in specs() if s.name == request.param)
    assert spec.name in SEEDERS, f"add a seeder for the '{spec.name}' workbook to tests/test_contract.py"
    store = Store(tmp_path / "projector.sqlite3")
    pack = spec.load_pack()
    access, _rules = SEEDERS[spec.name](store, pack)
    store.update_workshop(access.workshop.id, title=TITLE)
    yield spec, store, pack, access
    store.close()


def facilitator_page(spec, store, access, hosting: str = "standalone"):
    page = PageContext.from_query(f"facilitate={access.workshop.code}&key={access.key}", hosting=hosting,
                                  script_name=f"/voila/render/{spec.notebook}")
    app = spec.app_class()(page, store=store)
    assert app.screen == "facilitator", app.status.message
    return app


def controls(view) -> list:
    """What the room must not see: the switches, the downloads and the importer (and the tabs that hold them)."""
    s = view.session
    return [s, s.lock_button, s.reveal_button, s.min_group, s.round_name, s.round_button, s.links,
            s.projector_button, view.export_button, view.downloads, view.importer, view.tab]


def answered(store, access, workbook) -> int:
    workshop = store.workshop(access.workshop.id)
    return len(store.responses(workshop.id, workbook, workshop.current_round))


def save_as_someone_new(spec, store, pack, access) -> None:
    """A new participant joins and saves through their own page (a copy of the last person's answers)."""
    ui = load_ui()
    payload = store.responses(access.workshop.id, spec.name)[-1].payload
    seat = join(store, access.workshop.code, spec.name, display_name="Newcomer")
    page = load_class(spec.participant_view)(pack=pack, ui=ui, store=store, membership=seat)
    page.commit(dict(payload))


def test_the_projector_shows_the_room_what_it_needs_and_nothing_else(seeded):
    spec, store, pack, access = seeded
    ui = load_ui()
    app = facilitator_page(spec, store, access)
    view = app.view
    code, key = access.workshop.code, access.key
    base = app.base_url()
    own_link = facilitator_link(base, code, key)
    before = list(view.children)
    tab_before = view.tab.selected_index
    # The facilitator's screen has it all, the switch included.
    assert all(shows(app, w) for w in controls(view))
    assert esc(own_link) in text_on_screen(app)
    assert esc(ui("projector_hint")) in view.session.projector_hint.value

    view.session.projector_button.click()
    assert view.projecting
    shown = text_on_screen(app)
    projector = view.projector
    assert shows(app, projector) and shows(app, projector.back_button)
    # The code, very large (its own element, styled by projector.css), the QR code and the participant link.
    assert f'<p class="rw-projector-code">{esc(format_code(code))}</p>' in projector.join.value
    assert '<div class="rw-projector-qr" role="img"' in projector.join.value and "<svg" in projector.join.value
    assert 'viewBox="' in projector.join.value  # drawn to the size the styles give it, not a fixed 180 px
    assert esc(participant_link(base, code)) in shown
    # Nothing the room must not see: the controls, the facilitator's key and link.
    for widget in controls(view):
        assert not shows(app, widget), widget
    assert key not in shown and esc(own_link) not in shown
    # The live count, in the words, and no names on the wall.
    count = answered(store, access, spec.name)
    assert count >= 3
    assert esc(ui("projector_count_many", count=count)) in projector.count.value
    assert "NAMED-PERSON" not in shown
    # The results are not shown to participants yet, so not to the room either: the wall says they will come.
    first = view.tab.children[tab_before or 0]
    assert not store.workshop(access.workshop.id).revealed
    assert not shows(app, first)
    assert esc(view.tab.titles[tab_before or 0]) in projector.results_title.value
    assert esc(ui("projector_results_later")) in projector.results_title.value
    # Typed HTML is text.
    assert XSS not in shown and TITLE not in shown
    assert esc(TITLE) in projector.join.value

    # Someone saves: the count goes up on the next refresh, with nobody touching anything.
    save_as_someone_new(spec, store, pack, access)
    app.refresh()
    assert esc(ui("projector_count_many", count=count + 1)) in projector.count.value
    assert view.projecting

    # The results are shown to participants (here from another window of the facilitator's): on the
    # next refresh the open tab's results are on the wall, live, and typed HTML in them is still text.
    store.update_workshop(access.workshop.id, revealed=True)
    app.refresh()
    assert shows(app, first) and view.projecting
    assert esc(ui("projector_results_later")) not in projector.results_title.value
    shown = text_on_screen(app)
    assert XSS not in shown and TITLE not in shown and key not in shown

    # Back to the controls: everything as it was.
    projector.back_button.click()
    assert not view.projecting
    assert list(view.children) == before
    assert view.tab.selected_index == tab_before
    assert all(shows(app, w) for w in controls(view))
    assert not shows(app, projector)
    assert projector.results.children == ()  # the tab's page belongs to the tab alone again
    assert esc(own_link) in text_on_screen(app)
    # The controls' own count and switches moved on while the projector was up.
    joined = max(store.participant_count(access.workshop.id), count + 1)
    assert f">{esc(ui('submitted', count=count + 1, joined=joined))}<" in view.session.counts.value
    assert view.session.reveal_button.description == ui("hide_button")


def test_the_projector_shows_the_tab_that_is_open(seeded):
    spec, store, _pack, access = seeded
    app = facilitator_page(spec, store, access)
    view = app.view
    view.session.reveal_button.click()  # "Show results to participants": the room may see them
    pages, titles = view.tab.children, view.tab.titles
    assert len(pages) >= 3  # the workbook's tabs, then Files
    for index in range(len(pages) - 1):
        view.tab.selected_index = index
        view.show_projector()
        projected = view.projected(index)  # the tab, or the part of it that is results (a workbook may choose)
        assert projected is not None and (projected is pages[index] or projected in walk(pages[index]))
        assert shows(app, projected)
        assert esc(titles[index]) in view.projector.results_title.value
        assert not any(shows(app, p) for i, p in enumerate(pages) if i != index and p is not projected)
        text = text_on_screen(app)
        assert XSS not in text and TITLE not in text  # whatever a tab shows, typed HTML is text
        view.hide_projector()
        assert view.tab.selected_index == index
    # The Files tab holds downloads and the importer, never results: the first tab's results are shown.
    view.tab.selected_index = len(pages) - 1
    view.show_projector()
    assert shows(app, pages[0]) and not shows(app, pages[-1])
    assert not shows(app, view.importer) and not shows(app, view.export_button)
    assert esc(titles[0]) in view.projector.results_title.value
    view.hide_projector()
    assert view.tab.selected_index == len(pages) - 1 and shows(app, view.importer)


def test_the_projector_follows_the_address_the_browser_gives(seeded):
    spec, store, _pack, access = seeded
    app = facilitator_page(spec, store, access)
    app.view.session.projector_button.click()
    code = access.workshop.code
    base = f"https://workshops.example.org/voila/render/{spec.notebook}"
    app.bridge.href = f"{base}?facilitate={code}&key={access.key}"
    assert esc(participant_link(base, code)) in app.view.projector.join.value
    assert access.key not in text_on_screen(app)


def test_on_a_shared_server_the_projector_shows_the_results_only(seeded):
    spec, store, _pack, access = seeded
    ui = load_ui()
    app = facilitator_page(spec, store, access, hosting="shared")
    view = app.view
    assert not view.session.live_joining
    assert esc(ui("projector_hint_shared")) in view.session.projector_hint.value  # no code to promise
    view.session.projector_button.click()
    projector = view.projector
    shown = text_on_screen(app)
    assert format_code(access.workshop.code) not in shown and access.workshop.code not in shown
    assert "<svg" not in projector.join.value and "rw-projector-code" not in projector.join.value
    assert "?join=" not in shown and access.key not in shown
    assert projector.count.value == ""
    assert esc(TITLE) in projector.join.value
    # Nobody answers live here, so the results are there without being shown to participants first.
    assert not store.workshop(access.workshop.id).revealed
    assert shows(app, view.tab.children[0])
    for widget in controls(view):
        assert not shows(app, widget), widget
    projector.back_button.click()
    assert shows(app, view.session.lock_button) and not view.projecting


def test_the_count_is_worded_for_none_one_and_many():
    ui = load_ui()
    assert answered_words(ui, 0) == ui("projector_count_none")
    assert answered_words(ui, 1) == ui("projector_count_one")
    assert answered_words(ui, 12) == ui("projector_count_many", count=12) == "12 people have answered"
    assert "{" not in answered_words(ui, 1) + answered_words(ui, 0)


def test_the_joining_part_is_escaped_and_has_no_code_where_joining_is_off():
    ui = load_ui()
    link = "http://127.0.0.1:8866/voila/render/heatmap.ipynb?join=ABCDEF&x=<b>"
    live = Projected(title=TITLE, code="ABCDEF", link=link, answered=2)
    html = join_html(ui, live)
    assert esc(TITLE) in html and TITLE not in html
    assert esc(link) in html and link not in html
    assert ">ABC-DEF<" in html and esc(ui("projector_qr_label")) in html
    assert esc(ui("projector_count_many", count=2)) in count_html(ui, live)
    before_the_address = Projected(title="T", code="ABCDEF", link="", answered=0)
    assert "<svg" not in join_html(ui, before_the_address) and ">ABC-DEF<" in join_html(ui, before_the_address)
    shared = Projected(title="T", code="", link="", answered=5)
    assert Projected(title="T", code="", link="", answered=0).results_shown  # the default: nothing held back
    assert join_html(ui, shared) == '<h2 class="rw-projector-title">T</h2>' and count_html(ui, shared) == ""
