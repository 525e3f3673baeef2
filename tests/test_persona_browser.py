"""Persona mapping in real Chromium with no internet: a facilitator and three phones, start to report.

The facilitator starts a workshop; three phones join by the participant link,
tap their answers, save and see their profiles; the facilitator sees the mix
once three people have answered, writes a support-plan line, shows the
results, and downloads the report. Every word looked for comes from the
workbook's pack or the shared words.
"""

from __future__ import annotations

import re
import time

import pytest

from relworkbook.content import load_ui
from relworkbook.persona.pack import load_persona_pack
from relworkbook.persona.participant import quiz_order
from relworkbook.text import esc

pytestmark = pytest.mark.browser

PERSONA = "/voila/render/persona-mapping.ipynb"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
PLAN = "<script>alert('plan')</script> Soup and a chat on Fridays"


def fits_the_screen(page) -> bool:
    """Nothing makes the page scroll sideways."""
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def tap_answers(page, points: list[int], checkin: list[int], scale) -> None:
    """Tap one answer's label in each statement, then in each check-in question (0: "Not sure")."""
    answers, dont_know = [*points, *checkin], scale.dont_know
    options = len(scale.values) + 1  # every point of the scale, and "Not sure"
    page.wait_for_function(f"document.querySelectorAll('.rw-rating input[type=radio]').length === "
                           f"{len(answers) * options}", timeout=30_000)
    ratings = page.locator(".rw-rating")
    for index, point in enumerate(answers):
        group = ratings.nth(index)
        words = dont_know if point == 0 else str(point)
        group.locator("label.rw-choice-option", has=page.locator(".rw-choice-text", has_text=re.compile(
            f"^{re.escape(words)}$"))).click()
        group.locator("input:checked").wait_for(state="attached")


def test_three_phones_a_mix_a_plan_and_the_report(server, offline):
    started = time.monotonic()
    pack, ui = load_persona_pack(), load_ui()
    tasker, weaver = pack.personas[0], pack.personas[3]

    facilitator_ctx = offline()
    facilitator = facilitator_ctx.new_page()
    facilitator.goto(server.url(PERSONA))
    facilitator.get_by_role("button", name=ui("start_button")).click()
    link = facilitator.locator(".rw-participant-link")
    link.wait_for()
    join_link = link.get_attribute("href")
    assert join_link and re.search(r"persona-mapping\.ipynb\?join=[A-Z2-9]{6}$", join_link), join_link

    # The quiz takes statements from each persona in turn; a phone's answers follow that order on screen.
    order = [pack.item(i).persona for i in quiz_order(pack)]
    leads = [tasker, tasker, weaver]
    phones = []
    for n, lead in enumerate(leads):
        ctx = offline(**PHONE)
        phone = ctx.new_page()
        phone.goto(join_link)
        phone.get_by_placeholder(ui("name_placeholder")).fill(f"Phone {n + 1}")
        phone.get_by_role("button", name=ui("join_button")).click()
        points = [5 if persona == lead.id else (0 if n == 2 and i == 0 else 2) for i, persona in enumerate(order)]
        tap_answers(phone, points, checkin=[4, 4, 2, 4], scale=pack.scale)
        phone.get_by_role("button", name=pack.screen("save_answers")).click()
        phone.get_by_text(pack.screen("saved"), exact=True).wait_for(timeout=15_000)
        headline = phone.locator(".rw-persona-result .rw-persona-headline")
        headline.wait_for()
        expected = pack.screen("headline_lead", top=lead.with_article)
        assert headline.inner_text().strip() == expected
        assert phone.evaluate("document.documentElement.clientWidth") == 360  # really a phone-sized page
        assert fits_the_screen(phone), phone.evaluate("document.documentElement.scrollWidth")
        if n < 2:  # fewer than k = 3 people: the facilitator sees that answers wait, and nothing of them
            waiting = ui("waiting_one" if n == 0 else "waiting_many", count=n + 1, k=3)
            facilitator.locator(".rw-waiting-count").get_by_text(waiting).wait_for(timeout=15_000)
            assert facilitator.locator(".rw-persona-mix .rw-persona-bars").count() == 0
        phones.append((ctx, phone))

    # Three people: the mix appears by itself (no reload).
    mix = facilitator.locator(".rw-persona-mix")
    mix.get_by_text(pack.screen("mix_people", count=3)).wait_for(timeout=15_000)
    # Two lead with Practical Taskers and one with Community Weavers: both under k, so both counts are hidden.
    hidden = pack.screen("hidden_small", k=3)
    for persona in (tasker, weaver):
        row = facilitator.locator(".rw-persona-leads tr", has=facilitator.get_by_role("rowheader", name=persona.name))
        assert row.locator("td").inner_text().strip() == hidden
    assert "Phone 1" not in mix.inner_text()

    # A support-plan line, typed HTML and all.
    facilitator.get_by_role("tab", name=pack.screen("plan_tab")).click()
    facilitator.get_by_label(pack.screen("plan_persona")).select_option(label=weaver.name)
    facilitator.get_by_label(pack.screen("plan_offer")).fill(PLAN)
    facilitator.get_by_label(pack.screen("plan_who")).fill("Sam")
    facilitator.get_by_role("button", name=pack.screen("plan_add")).click()
    facilitator.get_by_text(pack.screen("plan_added", name=weaver.name)).wait_for()
    facilitator.locator(".rw-persona-plan").get_by_text(PLAN).wait_for()  # shown as the text typed

    # Results shown: on a phone the group's mix comes first, above the statements.
    facilitator.get_by_role("button", name=ui("reveal_button")).click()
    _ctx, phone = phones[0]
    group = phone.locator(".rw-group-results .rw-persona-mix")
    group.get_by_text(pack.screen("mix_people", count=3)).wait_for(timeout=15_000)
    top = "el => el.getBoundingClientRect().top + window.scrollY"  # from the top of the page, wherever it is scrolled
    group_top = group.evaluate(top)
    assert group_top < phone.locator(".rw-persona-about").evaluate(top)
    assert group_top < phone.locator(".rw-rating").first.evaluate(top)
    assert group_top < 740  # on the first screenful, not under the long form
    assert fits_the_screen(phone)

    # The report holds the plan, as text.
    facilitator.get_by_role("tab", name=ui("files_tab")).click()
    facilitator.get_by_role("button", name=ui("export_button")).click()
    with facilitator.expect_download() as download:
        facilitator.locator("a.rw-download").filter(has_text=pack.screen("download_report")).click()
    report = open(download.value.path(), encoding="utf-8").read()
    assert esc(PLAN) in report and "<script>alert(" not in report
    assert esc(pack.screen("mix_people", count=3)) in report

    for ctx in [facilitator_ctx, *(c for c, _page in phones)]:
        assert ctx.dialogs == []  # no alert() ever ran
        assert all("127.0.0.1" not in url for url in ctx.refused)
    for _ctx, page in phones:
        assert fits_the_screen(page)
    assert time.monotonic() - started < 90
