"""Under ``relworkbook serve`` a page's kernel (about 55 MB) lives as long as the page, not 30 minutes more.

A closing page sends Voila a goodbye (a beacon to ``/voila/api/shutdown/<kernel>``)
with the ``_xsrf`` value from its cookie. Voila never set that cookie, so every
goodbye was refused (403) and the kernel lived until the idle cull. The kit's
server sets it (and its page also says goodbye on ``pagehide``, which iPhones
fire instead of ``beforeunload``). A page that vanishes without a word (a
phone that drops the tab) is still stopped by the idle cull, which never
touches a kernel an open page is connected to, however quiet the page is.

Nothing is mocked: real ``relworkbook serve``, real Chromium, real kernels.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import psutil
import pytest

from conftest import start_server, stop_server
from relworkbook.store import Store
from relworkbook.workshops import start_workshop

pytestmark = pytest.mark.voila

#: The brief: a closed page's kernel is gone within 2 minutes (the goodbye takes about a second).
GONE_WITHIN = 130
#: The shortened idle cull for the test of open pages (Voila reads voila.json from the server's folder).
SHORT_CULL = {"MappingKernelManager": {"cull_idle_timeout": 6, "cull_interval": 1}}


def join_link(server) -> str:
    code = start_workshop(Store(server.data), workbook="heatmap", title="Kernels").workshop.code
    return server.url(f"/voila/render/heatmap.ipynb?join={code}")


def open_join_page(ctx, link: str):
    page = ctx.new_page()
    page.goto(link)
    page.locator(".rw-join").wait_for()  # the widgets are drawn: the page talks to its kernel
    return page


def kernel_of(page) -> str:
    return json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]


def kernel_exists(server, kernel_id: str) -> bool:
    """What the server says (``/api/kernels/<id>`` needs no token on the kit's server; the list is not served)."""
    try:
        with urllib.request.urlopen(server.url(f"/api/kernels/{kernel_id}"), timeout=30) as response:
            return json.loads(response.read())["id"] == kernel_id
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return False
        raise


def kernel_process_running(server, kernel_id: str) -> bool:
    """Whether the kernel's own process (the memory) is still there."""
    for child in psutil.Process(server.process.pid).children(recursive=True):
        try:
            if any(kernel_id in part for part in child.cmdline()):
                return True
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return False


def wait_until_gone(server, kernel_id: str, seconds: float = GONE_WITHIN) -> float:
    """Seconds until both the kernel and its process are gone (fails after ``seconds``)."""
    start = time.monotonic()
    while kernel_exists(server, kernel_id) or kernel_process_running(server, kernel_id):
        assert time.monotonic() - start < seconds, f"kernel {kernel_id} still running after {seconds} s"
        time.sleep(0.5)
    return time.monotonic() - start


def silence_goodbyes(page) -> None:
    """Make the page leave without a word, as a phone that drops a tab does."""
    page.evaluate("navigator.sendBeacon = () => true")


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """``relworkbook serve`` with its usual settings (idle cull after 30 minutes)."""
    srv = start_server(tmp_path_factory.mktemp("kernels"))
    yield srv
    stop_server(srv)


def goodbye(server, kernel_id: str, cookies: str, form_xsrf: str, origin: str | None = None) -> int:
    """Post a page's goodbye as its beacon does (a form with ``_xsrf``); the HTTP status."""
    headers = {"Cookie": cookies, "Content-Type": "application/x-www-form-urlencoded"}
    if origin:
        headers["Origin"] = origin
    request = urllib.request.Request(server.url(f"/voila/api/shutdown/{kernel_id}"), method="POST", headers=headers,
                                     data=urllib.parse.urlencode({"_xsrf": form_xsrf}).encode())
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_only_the_pages_own_goodbye_stops_a_kernel(kit):
    """XSRF checks stay on: no token, a wrong token or another site's page cannot stop a kernel."""
    jar = http.cookiejar.CookieJar()
    browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with browser.open(kit.url("/voila/render/heatmap.ipynb?join=ZZZZZZ"), timeout=120) as response:
        html = response.read().decode("utf-8", "replace")
    config = re.search(r'id="jupyter-config-data"[^>]*>\s*(.*?)\s*</script>', html, re.S).group(1)
    kernel = json.loads(config)["kernelId"]
    cookies = {c.name: c.value for c in jar}
    assert "_xsrf" in cookies  # the page hands it out (plain Voila did not)
    header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    without_xsrf = "; ".join(f"{name}={value}" for name, value in cookies.items() if name != "_xsrf")

    assert goodbye(kit, kernel, without_xsrf, "") == 403
    assert goodbye(kit, kernel, header, "not-the-token") == 403
    assert goodbye(kit, kernel, header, cookies["_xsrf"], origin="http://elsewhere.example") in (403, 404)
    assert kernel_exists(kit, kernel)
    assert goodbye(kit, kernel, header, cookies["_xsrf"], origin=kit.base_url) == 204
    wait_until_gone(kit, kernel)
    assert goodbye(kit, kernel, header, cookies["_xsrf"]) == 204  # a second goodbye: already gone, fine


@pytest.mark.browser
def test_a_closed_page_frees_its_kernel(kit, offline):
    page = open_join_page(offline(), join_link(kit))
    kernel = kernel_of(page)
    assert kernel_exists(kit, kernel) and kernel_process_running(kit, kernel)

    page.close(run_before_unload=True)  # as a browser closes a tab
    wait_until_gone(kit, kernel)
    assert f"403 POST /voila/api/shutdown/{kernel}" not in kit.log_text()


@pytest.mark.browser
def test_a_page_closed_without_beforeunload_frees_its_kernel(kit, offline):
    """iPhones never fire ``beforeunload``; the kit's ``pagehide`` goodbye covers them."""
    page = open_join_page(offline(), join_link(kit))
    kernel = kernel_of(page)
    page.close()  # Playwright skips beforeunload handlers here
    wait_until_gone(kit, kernel)


@pytest.mark.browser
def test_a_reloaded_page_frees_its_old_kernel(kit, offline):
    page = open_join_page(offline(), join_link(kit))
    old = kernel_of(page)
    page.reload()
    page.locator(".rw-join").wait_for()
    new = kernel_of(page)
    assert new != old
    wait_until_gone(kit, old)
    assert kernel_exists(kit, new)


@pytest.mark.browser
def test_a_download_link_does_not_stop_the_kernel(kit, offline):
    """The kit's downloads are links with a ``download`` name: saving one is not leaving the page."""
    page = open_join_page(offline(), join_link(kit))
    kernel = kernel_of(page)
    page.evaluate("""() => {
        const link = document.createElement("a");
        link.className = "rw-download"; link.download = "answers.json"; link.textContent = "Save";
        link.href = "data:application/json;base64," + btoa("{}");
        document.querySelector(".rw-join").appendChild(link);
    }""")
    with page.expect_download():
        page.locator("a.rw-download").click()
    time.sleep(3)
    assert kernel_exists(kit, kernel)
    page.get_by_role("button", name="Join the workshop").click()
    page.locator(".rw-rating").first.wait_for()  # the kernel answers


@pytest.mark.browser
def test_the_idle_cull_stops_vanished_pages_but_never_an_open_one(tmp_path, offline):
    """With a 6-second idle cull: a page that left without a word loses its kernel; a quiet open page does not.

    The pages open after the preheated kernels have waited longer than the cull
    (people arriving late), and the open page then stays quiet for longer still.
    """
    (tmp_path / "voila.json").write_text(json.dumps(SHORT_CULL))
    server = start_server(tmp_path)
    try:
        assert "idle durations > 6 seconds at 1 second intervals" in server.log_text()
        time.sleep(10)  # the preheated kernels have now waited longer than the cull
        link = join_link(server)
        ctx = offline()
        quiet = open_join_page(ctx, link)
        gone = open_join_page(ctx, link)
        quiet_kernel, gone_kernel = kernel_of(quiet), kernel_of(gone)

        silence_goodbyes(gone)
        gone.close(run_before_unload=True)
        wait_until_gone(server, gone_kernel, seconds=60)

        time.sleep(15)  # the open page has now been quiet for well over the cull
        assert kernel_exists(server, quiet_kernel) and kernel_process_running(server, quiet_kernel)
        quiet.get_by_placeholder("leave blank to stay anonymous").fill("Ana")
        quiet.get_by_role("button", name="Join the workshop").click()
        quiet.locator(".rw-rating").first.wait_for()  # it still works
        assert f"({quiet_kernel}) with" not in server.log_text()  # never culled
    finally:
        stop_server(server)
