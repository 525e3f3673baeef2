"""The projector view in real Chromium with no internet, on a 1280x720 projector and on a phone.

A heatmap workshop is seeded in the server's own store (the contract test's
seeder: six people, one with a name made of HTML), given a title made of
HTML and its results shown to participants. The facilitator opens their link at 1280x720 and presses "Projector
view": the join code must be at least 64 px high, the QR code at least 300 px
wide, nothing may scroll sideways, and axe-core must find nothing serious or
critical. The controls and the facilitator's key must be gone, and "Back to
the controls" must bring them back. The same view is then checked 360 px wide.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]

from relworkbook.content import load_ui
from relworkbook.registry import spec_for
from relworkbook.store import Store
from relworkbook.workshops import format_code
from test_contract import SEEDERS

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}
PHONE = {"width": 360, "height": 740}
TITLE = "<img src=x onerror=alert('title')> Team day"
BLOCKING = ("critical", "serious")

# Every box that scrolls sideways (Voila's page scrolls inside its panels, not as a whole, so the
# document's own width alone would always pass), and the document itself.
SIDEWAYS = """() => {
    const found = [];
    for (const el of [document.documentElement, ...document.body.querySelectorAll('*')]) {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0 || el.scrollWidth <= el.clientWidth + 1) continue;
        const style = getComputedStyle(el);
        if (el === document.documentElement || ['auto', 'scroll'].includes(style.overflowX)) {
            const name = `<${el.tagName.toLowerCase()} class="${el.className}">`;
            found.push(`${name}: ${el.scrollWidth} px in ${el.clientWidth} px`);
        }
    }
    return found;
}"""


def serious_axe_findings(page, axe: Axe) -> list[str]:
    page.evaluate(axe.axe_script)  # bundled with axe-playwright-python: nothing is fetched
    results = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']}: " + "; ".join(n.get("html", "")[:160] for n in v["nodes"])
            for v in results["violations"] if v.get("impact") in BLOCKING]


def test_the_projector_view_reads_from_the_back_of_a_hall(server, offline):
    ui = load_ui()
    spec = spec_for("heatmap")  # the widest results: a statement per row, a column per group
    store = Store(server.data)
    try:
        access, _rules = SEEDERS[spec.name](store, spec.load_pack())
        # Results already shown to participants, so the projector shows them too (projector.py).
        store.update_workshop(access.workshop.id, title=TITLE, revealed=True)
        answered = len(store.responses(access.workshop.id, spec.name, "baseline"))
    finally:
        store.close()
    code = format_code(access.workshop.code)

    people = offline(viewport=PROJECTOR)
    page = people.new_page()
    page.goto(server.url(f"/voila/render/{spec.notebook}?facilitate={access.workshop.code}&key={access.key}"))
    page.locator(".rw-code").wait_for(timeout=120_000)  # a busy machine starts kernels slowly
    page.get_by_role("tab").first.wait_for()
    page.get_by_role("button", name=ui("projector_button")).click()

    big_code = page.locator(".rw-projector-code")
    big_code.wait_for()
    assert big_code.inner_text().strip() == code
    # Only the room's part is on screen: no switches, no tabs, no key.
    back = page.get_by_role("button", name=ui("projector_back"))
    back.wait_for()
    for word in ("lock_button", "reveal_button", "new_round_button", "projector_button"):
        assert page.get_by_role("button", name=ui(word)).count() == 0, word
    assert page.get_by_role("tab").count() == 0
    assert page.locator(".rw-facilitator-link, .rw-code").count() == 0
    assert access.key not in page.locator("body").inner_text()
    assert page.get_by_text(ui("projector_count_many", count=answered)).is_visible()
    page.locator(".rw-projector-results table").first.wait_for()  # the heatmap itself
    page.get_by_text(TITLE).first.wait_for()  # the typed title, shown as text

    # Large: read from the back of a hall, scanned from the back of a hall, no sideways scrolling.
    size = big_code.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")
    assert size >= 64, f"the join code is {size} px high"
    qr = page.locator(".rw-projector-qr svg").bounding_box()
    assert qr and qr["width"] >= 300 and qr["height"] >= 300, qr
    assert qr["y"] + qr["height"] <= PROJECTOR["height"] + 80, f"the QR code runs far below the first screenful: {qr}"
    code_box = big_code.bounding_box()
    assert code_box and code_box["y"] + code_box["height"] <= PROJECTOR["height"], \
        f"the join code is not on the first screenful: {code_box}"
    assert page.evaluate("document.documentElement.clientWidth") == PROJECTOR["width"]
    sideways = page.evaluate(SIDEWAYS)
    assert not sideways, f"scrolls sideways at {PROJECTOR['width']} px: {sideways}"
    findings = serious_axe_findings(page, Axe())
    assert not findings, "serious or critical axe-core violations:\n" + "\n".join(findings)

    # On a phone too: the code still large, nothing scrolling sideways.
    page.set_viewport_size(PHONE)
    page.wait_for_function(f"document.documentElement.clientWidth <= {PHONE['width']}")
    assert big_code.evaluate("el => parseFloat(getComputedStyle(el).fontSize)") >= 40
    sideways = page.evaluate(SIDEWAYS)
    assert not sideways, f"scrolls sideways at {PHONE['width']} px: {sideways}"
    page.set_viewport_size(PROJECTOR)

    # Back to the controls: the switches and the tabs come back, the heatmap tab still drawn.
    back.click()
    page.get_by_role("button", name=ui("lock_button")).wait_for()
    page.get_by_role("tab").first.wait_for()
    assert page.locator(".rw-projector").count() == 0
    assert page.locator(".rw-code").inner_text().strip() == code
    page.locator(".widget-tab table").first.wait_for()
    assert people.dialogs == []  # no typed HTML ever ran
