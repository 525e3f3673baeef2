"""A page whose kernel has gone says so at once, and unsaved answers survive a reload.

Real ``relworkbook serve``, real Chromium on a 360 px phone screen, no
internet. The kernel is stopped the way a server stops one (``DELETE
/api/kernels/<id>``, as a cull or an admin would), not by anything in the page.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
import urllib.request

import pytest

from relworkbook.content import load_ui
from relworkbook.store import Store
from relworkbook.workshops import start_workshop

pytestmark = [pytest.mark.voila, pytest.mark.browser]

UI = load_ui()
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
#: The banner must be up within this long after the kernel goes (the brief: about 10 s).
BUSY_GRACE_MS = 90_000  # as in bridge.js
BANNER_WITHIN_MS = 10_000


def join_link(server) -> str:
    code = start_workshop(Store(server.data), workbook="heatmap", title="Connection").workshop.code
    return server.url(f"/voila/render/heatmap.ipynb?join={code}")


def kernel_of(page) -> str:
    return json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]


def stop_kernel(server, ctx, kernel_id: str) -> int:
    """Stop a kernel through the server's REST API, with the page's own cookie and XSRF value."""
    cookies = {c["name"]: c["value"] for c in ctx.context.cookies(server.base_url)}
    request = urllib.request.Request(
        server.url(f"/api/kernels/{kernel_id}"), method="DELETE",
        headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
                 "X-XSRFToken": cookies.get("_xsrf", "")})
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.status


def join_heatmap(ctx, link: str, name: str):
    page = ctx.new_page()
    page.goto(link)
    page.locator(".rw-join").wait_for()
    page.get_by_placeholder("leave blank to stay anonymous").fill(name)
    page.get_by_role("button", name="Join the workshop").click()
    page.locator(".rw-rating").first.wait_for()
    return page


def choose(page, statement: int, rating: int) -> None:
    page.locator(".rw-rating").nth(statement).get_by_role("radio", name=re.compile(rf"^{rating}\b")).check()


def checked(page, statement: int) -> str | None:
    box = page.locator(".rw-rating").nth(statement).locator("input:checked")
    return box.locator("xpath=..").locator(".rw-choice-text").text_content() if box.count() else None


def test_a_lost_kernel_is_said_at_once_and_the_reload_lands_on_the_saved_answers(server, offline):
    ctx = offline(**PHONE)
    opened = time.monotonic()
    page = join_heatmap(ctx, join_link(server), "Ana")
    choose(page, 0, 4)
    choose(page, 1, 2)
    page.get_by_role("button", name="Save my answers").click()
    page.get_by_text("Saved.").wait_for()
    assert re.search(r"[?&]join=.*&me=", page.url)  # the address bar leads back to these answers

    # While the kernel lives, the heartbeat gets its answers: no banner, however long the page stays.
    page.wait_for_timeout(max(0.0, 10 - (time.monotonic() - opened)) * 1000)
    assert page.locator(".rw-connection-lost").count() == 0

    assert stop_kernel(server, ctx, kernel_of(page)) == 204
    stopped = time.monotonic()
    banner = page.get_by_role("alert").filter(has_text=UI("connection_lost"))
    banner.wait_for(timeout=BANNER_WITHIN_MS)
    assert time.monotonic() - stopped < BANNER_WITHIN_MS / 1000
    reload_button = banner.get_by_role("button", name=UI("reload_page"))
    box = reload_button.bounding_box()
    assert box and box["height"] >= 44 and box["width"] >= 44 and box["x"] + box["width"] <= 360  # a thumb's size

    # The form is out of reach, and nothing on it says "Saved", even when Save is pressed.
    assert page.locator(".rw-rating").first.evaluate("el => el.closest('[inert]') !== null")
    save = page.locator("button", has_text="Save my answers")
    save.dispatch_event("click")  # past the greying, as a script could
    page.wait_for_timeout(3000)
    assert not page.get_by_text("Saved.").is_visible()
    assert banner.is_visible()

    reload_button.click()
    page.locator(".rw-rating").first.wait_for()
    page.get_by_text(UI("resumed")).wait_for()
    assert [checked(page, 0), checked(page, 1)] == ["4", "2"]
    assert page.locator(".rw-connection-lost").count() == 0


def test_a_blip_comes_and_goes_and_unsaved_ratings_come_back_after_a_reload(server, offline):
    ctx = offline(**PHONE)
    page = join_heatmap(ctx, join_link(server), "Bo")
    choose(page, 0, 5)

    # A blip: the server and its kernels stop answering for a while (as on a dropped network), then carry on.
    page.wait_for_timeout(1500)  # let the kernel finish with the choice, so it is most likely idle when frozen
    os.killpg(server.process.pid, signal.SIGSTOP)
    try:
        # Frozen while it happened to be busy (a tick, a ping, on a loaded machine), the kernel gets the page's
        # grace for busy kernels (bridge.js BUSY_GRACE_MS, 90 s) before it counts as lost: wait that long at most.
        page.locator(".rw-connection-lost").wait_for(timeout=BUSY_GRACE_MS + BANNER_WITHIN_MS)
        assert page.locator(".rw-shell.rw-lost").count() == 1
    finally:
        os.killpg(server.process.pid, signal.SIGCONT)
    page.locator(".rw-connection-lost").wait_for(state="detached", timeout=BANNER_WITHIN_MS)
    assert page.locator(".rw-shell.rw-lost, [inert]").count() == 0  # the page is usable again

    choose(page, 2, 1)
    # The draft reaches this tab's storage through the kernel: wait for it, as a person would not need to.
    page.wait_for_function("() => Object.entries(sessionStorage).some(([k, v]) =>"
                           " k.startsWith('relworkbook-draft:') && Object.keys(JSON.parse(v).ratings).length === 2)")
    page.reload()
    page.locator(".rw-rating").first.wait_for()
    page.get_by_text(UI("draft_restored")).wait_for()
    assert [checked(page, 0), checked(page, 1), checked(page, 2)] == ["5", None, "1"]

    page.get_by_role("button", name="Save my answers").click()
    page.get_by_text("Saved.").wait_for()
    page.wait_for_function("() => !Object.keys(sessionStorage).some(k => k.startsWith('relworkbook-draft:'))")
