"""Story weaving in real Chromium with no internet: share, pin, export the storybook."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

STORY = "/voila/render/story-weaving.ipynb"
SCRIPT_STORY = "<script>alert('boo')</script> We left soup on doorsteps."


def tell(page, title: str, story: str, consent: str) -> None:
    form = page.locator(".rw-moment-form")
    form.locator("select").first.select_option(index=0)
    form.get_by_placeholder("e.g. The street's first video call").fill(title)
    form.locator("textarea").first.fill(story)
    form.get_by_label(consent).check()
    page.get_by_role("button", name="Add this moment").click()
    page.get_by_text(f'Saved "{title}"').wait_for()


def test_two_tellers_a_pin_and_the_storybook(server, offline):
    facilitator = offline().new_page()
    facilitator.goto(server.url(STORY))
    facilitator.get_by_role("button", name="Start a new workshop").click()
    link = facilitator.locator(".rw-participant-link")
    link.wait_for()
    join_link = link.get_attribute("href")
    assert "story-weaving.ipynb?join=" in join_link

    tellers = []
    for name in ["Ana", "Bo", "Cy"]:
        ctx = offline()
        page = ctx.new_page()
        page.goto(join_link)
        page.get_by_placeholder("leave blank to stay anonymous").fill(name)
        page.get_by_role("button", name="Join the workshop").click()
        page.locator(".rw-moment-form").wait_for()
        tellers.append((ctx, page))
    tell(tellers[0][1], "Soup run", SCRIPT_STORY, "Share with my name")
    tell(tellers[1][1], "My secret", "Nobody else reads this.", "Keep it private")
    tell(tellers[1][1], "Street choir", "We sang from the steps.", "Share without my name")
    # the script ran nowhere and shows exactly as typed on the teller's page
    assert tellers[0][1].get_by_text(SCRIPT_STORY).count() >= 1
    # Two people's stories wait: shown only once three people have shared (steps of k = 3).
    facilitator.locator(".rw-waiting-count").get_by_text("2 people's answers are waiting").wait_for(timeout=15_000)
    assert facilitator.get_by_text("We sang from the steps.").count() == 0
    tell(tellers[2][1], "Third voice", "A third person's moment.", "Share without my name")

    facilitator.get_by_role("tab", name="Stories").click()
    facilitator.get_by_text("We sang from the steps.").wait_for(timeout=15_000)
    assert facilitator.get_by_text(SCRIPT_STORY).count() == 1
    assert facilitator.get_by_text("Nobody else reads this.").count() == 0
    facilitator.get_by_role("button", name="Pin to storybook").first.click()
    facilitator.get_by_role("button", name="Unpin").wait_for()

    facilitator.get_by_role("tab", name="Files").click()
    facilitator.get_by_role("button", name="Prepare the storybook and downloads").click()
    with facilitator.expect_download() as download:
        facilitator.locator("a.rw-download").filter(has_text=re.compile("[Ss]torybook")).first.click()
    book = open(download.value.path(), encoding="utf-8").read()
    assert "Soup run" in book and "Nobody else reads this." not in book
    assert "&lt;script&gt;alert(" in book and "<script>alert(" not in book
    for ctx, _page in tellers:
        assert ctx.dialogs == []
