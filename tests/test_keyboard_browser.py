"""Keyboards, screen readers and phones, in real Chromium with no internet.

A participant joins and rates every statement with the keyboard alone (Tab,
arrow keys, Space, Enter: no clicks, no mouse), and the page tells assistive
technology which answer each statement has. With ipywidgets' ToggleButtons
this took 113 Tab presses and no answer was announced as chosen.
"""

from __future__ import annotations

import re

import pytest

from relworkbook.content import load_heatmap, load_ui
from relworkbook.store import Store
from relworkbook.story.pack import load_story_pack

pytestmark = pytest.mark.browser

HEATMAP = "/voila/render/heatmap.ipynb"
STORY = "/voila/render/story-weaving.ipynb"
OLD_TAB_PRESSES = 113  # ToggleButtons: one stop per button


class Tabs:
    """Presses Tab until focus reaches what is wanted, and counts every press."""

    def __init__(self, page):
        self.page, self.count = page, 0
        self.steps: list[tuple[str, int]] = []

    def until(self, what: str, test: str, limit: int = 12) -> None:
        """Tab until ``test`` (JavaScript about ``el``, the focused element) holds; fail after ``limit`` presses."""
        for presses in range(1, limit + 1):
            self.page.keyboard.press("Tab")
            self.count += 1
            if self.page.evaluate(f"(() => {{ const el = document.activeElement; return Boolean({test}); }})()"):
                self.steps.append((what, presses))
                return
        where = self.page.evaluate("document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
        pytest.fail(f"{limit} Tab presses did not reach {what}; focus is on {where}")


def focused_tile_outline(page) -> dict:
    return page.evaluate("""(() => {
        const tile = document.activeElement.nextElementSibling, style = getComputedStyle(tile);
        return {style: style.outlineStyle, width: style.outlineWidth, offset: style.outlineOffset};
    })()""")


def keys_for(index: int) -> tuple[list[str], int | None]:
    """The keys that give statement ``index`` its answer, and that answer (None: don't know).

    Focus lands on a group's first answer with nothing chosen: Space chooses
    it, each arrow moves on and chooses, ArrowLeft from the first wraps round
    to "Don't know".
    """
    if index == 0:
        return ["ArrowLeft"], None
    rating = index % 5 + 1
    return (["Space"] if rating == 1 else ["ArrowRight"] * (rating - 1)), rating


def test_rating_every_statement_with_the_keyboard_alone(server, offline):
    pack, ui = load_heatmap(), load_ui()
    facilitator = offline().new_page()
    facilitator.goto(server.url(HEATMAP))
    facilitator.get_by_role("button", name="Start a new workshop").click()
    link = facilitator.locator(".rw-participant-link")
    link.wait_for()
    join_link = link.get_attribute("href")
    code = re.search(r"join=([A-Z2-9]{6})", join_link).group(1)

    ctx = offline()
    page = ctx.new_page()
    page.goto(join_link)
    page.locator(".rw-join").wait_for()
    tabs = Tabs(page)
    # From here on: keys only.
    tabs.until("the join button", f"el.tagName === 'BUTTON' && el.textContent.includes({ui('join_button')!r})")
    page.keyboard.press("Enter")
    radios = page.locator(".rw-rating input[type=radio]")
    radios.first.wait_for()
    options = pack.scale.max - pack.scale.min + 2
    page.wait_for_function(f"document.querySelectorAll('.rw-rating input[type=radio]').length === "
                           f"{len(pack.statements) * options}")

    joining = tabs.count  # the code box, the name box, the group box, the join button
    expected: dict[str, int | None] = {}
    for index, statement in enumerate(pack.statements):
        tabs.until(f"statement {statement.id}",
                   f"el.type === 'radio' && el.closest('.rw-rating-{statement.id}') !== null")
        if index == 0:
            outline = focused_tile_outline(page)
            assert outline == {"style": "solid", "width": "3px", "offset": "3px"}, outline
        keys, expected[statement.id] = keys_for(index)
        for key in keys:
            page.keyboard.press(key)
    # The last answer's arrows, Tab and Enter come in one burst, with no pause: the answer
    # must still reach the kernel before the Save click does.
    assert len(keys) >= 2, "the last statement should take several quick changes"
    page.keyboard.press("Tab")
    tabs.count += 1
    page.keyboard.press("Enter")
    assert page.evaluate(f"document.activeElement.textContent.includes({ui('save_button')!r})")
    page.get_by_text("Saved.").wait_for()

    rating_presses = tabs.count - joining
    print(f"\nTab presses: {joining} to join, {rating_presses} to rate {len(pack.statements)} statements "
          f"and reach Save (ToggleButtons: {OLD_TAB_PRESSES} for the ratings alone); {tabs.steps}")
    assert rating_presses == len(pack.statements) + 1  # one stop per statement, then Save
    assert joining <= 4

    # Assistive technology is told which answer each statement has.
    for statement in pack.statements:
        group = page.get_by_role("group", name=statement.text, exact=True)
        rating = expected[statement.id]
        name = pack.scale.dont_know if rating is None else f"{rating} {pack.scale.label(rating)}"
        assert group.get_by_role("radio", name=name, exact=True, checked=True).count() == 1, statement.text
        assert group.get_by_role("radio", checked=True).count() == 1
        assert group.get_by_role("radio", checked=False).count() == options - 1

    facilitator.locator(".rw-count").get_by_text("1 of 1 people who joined have saved answers").wait_for(
        timeout=15_000)
    store = Store(server.data)
    try:
        workshop = store.workshop_by_code(code)
        [response] = store.responses(workshop.id)
    finally:
        store.close()
    assert response.payload["ratings"] == expected
    assert ctx.dialogs == []

    # Closing the round disables every answer on the participant's page (the page looks for news by itself).
    facilitator.get_by_role("button", name=ui("lock_button")).click()
    page.wait_for_function(f"document.querySelectorAll('.rw-rating fieldset:disabled').length === "
                           f"{len(pack.statements)}", timeout=15_000)
    assert page.get_by_role("radio", disabled=True).count() == len(pack.statements) * options
    assert [url for url in ctx.refused if not url.endswith(".css")] == []  # only Voila's own icon font links


@pytest.mark.parametrize("path", [HEATMAP + "?solo=1", STORY + "?solo=1"])
def test_choices_fit_a_phone(server, offline, path):
    """At 360 px every answer wraps into view, is at least 44x44 px and shows its whole label."""
    ctx = offline()
    page = ctx.new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(server.url(path))
    story = load_story_pack()
    groups = (len(load_heatmap().statements) if path.startswith(HEATMAP)
              else 2 + len(story.undercurrents) + len(story.statements))  # feeling, consent, shifts, Dark and Light
    page.wait_for_function(f"document.querySelectorAll('.rw-choice').length === {groups}")
    sizes = page.evaluate("""(() => [...document.querySelectorAll('.rw-choice-tile')].map(tile => {
        const box = tile.getBoundingClientRect();
        return {text: tile.textContent, left: box.left, right: box.right, width: box.width, height: box.height,
                cut: tile.scrollWidth > tile.clientWidth + 1 || tile.scrollHeight > tile.clientHeight + 1};
    }))()""")
    assert sizes
    for tile in sizes:
        assert tile["width"] >= 44 and tile["height"] >= 44, tile
        assert tile["left"] >= 0 and tile["right"] <= 360, tile
        assert not tile["cut"], tile
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    if path.startswith(STORY):  # the feeling scale is a named group too
        feeling = page.get_by_role("group", name=story.words("feeling_label"), exact=True)
        assert feeling.get_by_role("radio").count() == len(story.feeling.labels)
    assert [url for url in ctx.refused if not url.endswith(".css")] == []


def test_enter_in_the_join_form_joins(server, offline):
    """Typing the code and pressing Enter joins, as on any web form (before, Enter did nothing)."""
    from relworkbook.workshops import start_workshop

    store = Store(server.data)
    try:
        code = start_workshop(store, workbook="heatmap").workshop.code
    finally:
        store.close()
    page = offline(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True).new_page()
    page.goto(server.url(HEATMAP))
    box = page.get_by_placeholder(load_ui()("code_placeholder"))
    box.wait_for(timeout=60_000)
    box.fill(code.lower())
    box.press("Enter")
    page.locator(".rw-rating").first.wait_for(timeout=30_000)
    assert page.get_by_text(re.compile("You have joined")).count() >= 1


def test_a_way_back_from_on_my_own(server, offline):
    """'Use it on my own' from a join link is not a dead end: a button leads back to the join form."""
    page = offline().new_page()
    page.goto(server.url(HEATMAP + "?join=ABCDEF"))
    page.get_by_role("button", name=load_ui()("solo_button_from_link")).click()
    back = page.get_by_role("button", name=load_ui()("solo_back_to_workshop"))
    back.wait_for(timeout=30_000)
    back.press("Enter")  # a keyboard user gets back too
    page.get_by_role("button", name=load_ui()("join_button")).wait_for(timeout=30_000)
    page.wait_for_url(re.compile(r"\?join=ABCDEF$"), timeout=10_000)  # the address bar follows the screen
