"""A room full of phones: N phones open the join link at the same moment.

For each room size (``--phones 10 30`` by default), two runs one after the
other, with the machine settled in between:

* kit    ``relworkbook serve`` with a seeded heatmap workshop whose facilitator
         said how many people to expect (so that many pages are readied
         first: readiness.py), and every phone opens the join link
         ``/voila/render/heatmap.ipynb?join=CODE``;
* plain  plain Voila, standalone, with its defaults
         (``python -m voila --no-browser --port P baseline.ipynb``), every phone
         opening the one-button notebook.

Each phone is a fresh Playwright context in Debian's Chromium (360 x 740,
``is_mobile``, ``has_touch``; every request not for 127.0.0.1 refused). All
contexts and pages are made first, then released together. Per run:

* time to first usable widget for each page (seconds from the release to the
  moment ``.rw-join`` / ``.widget-button`` has a size): p50, p95, max;
* empty pages: pages that never showed their widgets within ``--empty-after``
  seconds, and how often the server logged "Timeout waiting for IOPub output";
* server CPU per page in the arrival window: user + system CPU seconds of the
  server's process tree (the server and every kernel, including those it
  started during the window) from the release until the last page is usable
  (or given up on), divided by N;
* after closing every page (as a browser closes a tab): the page kernels still
  alive ``--linger`` seconds later (120 s: the issue's "freed within 2
  minutes"), and the RSS of every kernel still running.

No time is asserted anywhere; the ratios kit/plain are printed and written to
``benchmarks/results/herd.json`` for BENCHMARKS.md.

    .venv/bin/python benchmarks/herd.py [--phones 10 30] [--quick] [--kit-pool ready|usual]
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import gzip
import http.cookiejar
import re
import threading
import time
import urllib.parse
import urllib.request

from _common import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HEATMAP,
    PAGE_CONFIG_TEXT,
    PHONE_CONTEXT,
    WATCH_FIRST_WIDGET,
    Server,
    cpu_since,
    cpu_snapshot,
    kernel_id_in_config,
    kernel_memory,
    local_only,
    make_workbooks,
    median,
    new_workshop,
    percentile,
    print_table,
    run_main,
    settle_machine,
    start_plain_voila,
    start_server,
    temp_dir,
    wait_quiet,
    write_results,
)

IOPUB_TIMEOUT = "Timeout waiting for IOPub output"
MIB = 1024 * 1024


def arrival_cost(server: Server, cpu_before: dict, released_at: float) -> dict:
    """The arrival window (from the release until now) and the CPU the server's process tree spent in it."""
    window = time.perf_counter() - released_at
    cpu = cpu_since(server, cpu_before)
    # The server process alone (HTTP, gzip, websockets); the rest is kernels.
    me = server.process.pid
    cpu_server = cpu_snapshot(server).get(me, 0.0) - cpu_before.get(me, 0.0)
    return {"window_seconds": window, "cpu_seconds": cpu, "cpu_server_seconds": cpu_server}


async def one_phone(browser, url: str, selector: str, release: asyncio.Event, started: dict,
                    give_up_after: float, prepared: list) -> dict:
    """One phone: made before the release, opens ``url`` at it, reports when its first widget is usable."""
    refused: list[str] = []

    async def route(route):
        if local_only(route.request.url):
            await route.continue_()
        else:
            refused.append(route.request.url)
            await route.abort()

    context = await browser.new_context(**PHONE_CONTEXT)
    await context.route("**/*", route)
    await context.add_init_script(script=f"({WATCH_FIRST_WIDGET})({selector!r})")
    page = await context.new_page()
    prepared.append(page)
    await release.wait()
    result: dict = {"refused": refused}
    try:
        remaining = max(1.0, started["at"] + give_up_after - time.perf_counter())
        await page.goto(url, wait_until="commit", timeout=remaining * 1000)
        remaining = max(1.0, started["at"] + give_up_after - time.perf_counter())
        await page.locator(selector).first.wait_for(state="visible", timeout=remaining * 1000)
        result["seconds"] = time.perf_counter() - started["at"]
        first = await page.evaluate("() => window.__rwFirst")
        result["in_page_seconds"] = None if first is None else first / 1000.0
        result["empty"] = False
    except Exception as exc:  # noqa: BLE001 - a page that never shows its widgets is what is counted
        result["seconds"] = None
        result["empty"] = True
        result["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    try:
        result["kernel_id"] = kernel_id_in_config(await page.evaluate(PAGE_CONFIG_TEXT))
    except Exception:  # noqa: BLE001 - a page that never arrived has no kernel id
        result["kernel_id"] = None
    result["_context"], result["_page"] = context, page
    return result


async def herd(server: Server, url: str, selector: str, phones: int, give_up_after: float) -> dict:
    """Release ``phones`` phones together at ``url``; measure them and the server's CPU until the last is usable."""
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            release = asyncio.Event()
            started: dict = {}
            prepared: list = []
            tasks = [asyncio.ensure_future(one_phone(browser, url, selector, release, started, give_up_after,
                                                     prepared)) for _ in range(phones)]
            while len(prepared) < phones:  # every phone has its context and blank page
                if any(t.done() for t in tasks):  # one failed before the release: say why
                    await asyncio.gather(*tasks)
                await asyncio.sleep(0.1)
            await asyncio.sleep(0.5)
            cpu_before = cpu_snapshot(server)
            started["at"] = time.perf_counter()
            release.set()
            results = await asyncio.gather(*tasks)
            cost = arrival_cost(server, cpu_before, started["at"])
            # Close every page as a browser closes a tab (its goodbye runs), then its context.
            closed_at = time.perf_counter()
            for r in results:
                try:
                    await r["_page"].close(run_before_unload=True)
                except Exception:  # noqa: BLE001 - a page that is already gone is closed
                    pass
            await asyncio.sleep(2)
            for r in results:
                await r.pop("_context").close()
                r.pop("_page")
        finally:
            await browser.close()
    return {"pages": results, **cost, "closed_at": closed_at}


#: In a served page, the output a displayed widget leaves (missing when Voila gave up waiting for it).
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
CONFIG_DATA = re.compile(r'<script id="jupyter-config-data" type="application/json">\s*(.*?)\s*</script>', re.S)


def one_http_phone(url: str, release: threading.Event, started: dict, give_up_after: float) -> dict:
    """A phone as the server sees it, without a browser: the page's request, then its goodbye on closing.

    The time is until the whole page has arrived: Voila sends the end of a
    page only once the notebook has run, so the widgets exist by then (an
    empty page is one whose widget outputs are missing). What the phone's own
    processor then spends drawing them is the phone's, not the server's.
    """
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    release.wait()
    result: dict = {"refused": []}
    try:
        with opener.open(urllib.request.Request(url, headers={"Accept-Encoding": "gzip"}),
                         timeout=give_up_after) as response:
            body = response.read()
            if response.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
        html = body.decode("utf-8", "replace")
        result["seconds"] = time.perf_counter() - started["at"]
        result["empty"] = WIDGET_VIEW not in html
        found = CONFIG_DATA.search(html)
        result["kernel_id"] = kernel_id_in_config(found.group(1) if found else None)
    except Exception as exc:  # noqa: BLE001 - a page that never arrives is counted as empty
        result.update(seconds=None, empty=True, kernel_id=None, error=f"{type(exc).__name__}: {exc}")
    result["_goodbye"] = (opener, jar)
    return result


def goodbye(server: Server, opener, jar, kernel_id: str) -> None:
    """What the page's ``beforeunload``/``pagehide`` sends: ``_xsrf`` from its cookie (empty if none)."""
    xsrf = next((c.value for c in jar if c.name == "_xsrf"), "")
    body = urllib.parse.urlencode({"_xsrf": xsrf}).encode()
    try:
        opener.open(urllib.request.Request(server.url(f"/voila/api/shutdown/{kernel_id}"), data=body), timeout=30)
    except Exception:  # noqa: BLE001 - plain Voila refuses it (403): counted later as a kernel still alive
        pass


def http_herd(server: Server, url: str, phones: int, give_up_after: float) -> dict:
    """``herd`` with HTTP phones: the server's side of a room arriving, with no browser on this machine."""
    release = threading.Event()
    started: dict = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=phones) as pool:
        futures = [pool.submit(one_http_phone, url, release, started, give_up_after) for _ in range(phones)]
        time.sleep(0.5)
        cpu_before = cpu_snapshot(server)
        started["at"] = time.perf_counter()
        release.set()
        results = [f.result() for f in futures]
    cost = arrival_cost(server, cpu_before, started["at"])
    closed_at = time.perf_counter()
    for r in results:
        opener, jar = r.pop("_goodbye")
        if r.get("kernel_id"):
            goodbye(server, opener, jar, r["kernel_id"])
    return {"pages": results, **cost, "closed_at": closed_at}


def arrive(phone: str, server: Server, url: str, selector: str, phones: int, give_up_after: float) -> dict:
    if phone == "http":
        return http_herd(server, url, phones, give_up_after)
    return asyncio.run(herd(server, url, selector, phones, give_up_after))


def summarise(name: str, server: Server, phones: int, run: dict, linger: float) -> dict:
    """Numbers for one run, after waiting ``linger`` seconds from the pages' closing."""
    pages = run["pages"]
    times = [p["seconds"] for p in pages if not p["empty"]]
    page_kernels = {p["kernel_id"] for p in pages if p.get("kernel_id")}
    wait = run["closed_at"] + linger - time.perf_counter()
    if wait > 0:
        print(f"  {name}: waiting {wait:.0f} s to count the kernels still alive after the pages closed", flush=True)
        time.sleep(wait)
    log = server.log.read_text(errors="replace")
    left = kernel_memory(server, only=page_kernels)
    everything = kernel_memory(server)
    return {
        "server": name,
        "phones": phones,
        "p50_seconds": percentile(times, 50) if times else None,
        "p95_seconds": percentile(times, 95) if times else None,
        "max_seconds": max(times) if times else None,
        "median_seconds": median(times) if times else None,
        "empty_pages": sum(p["empty"] for p in pages),
        "iopub_timeouts_logged": log.count(IOPUB_TIMEOUT),
        "ready_kernels_used": sum(f"Using pre-heated kernel: {k}" in log for k in page_kernels),
        "window_seconds": run["window_seconds"],
        "cpu_seconds": run["cpu_seconds"],
        "cpu_seconds_per_page": run["cpu_seconds"] / phones,
        "cpu_server_process_seconds_per_page": run["cpu_server_seconds"] / phones,
        "cpu_kernels_seconds_per_page": (run["cpu_seconds"] - run["cpu_server_seconds"]) / phones,
        "linger_seconds": linger,
        "page_kernels_alive_after": left["count"],
        "page_kernels_rss_mib_after": left["rss_bytes"] / MIB,
        "all_kernels_alive_after": everything["count"],
        "all_kernels_rss_mib_after": everything["rss_bytes"] / MIB,
        "outside_requests_refused": sum(len(p["refused"]) for p in pages),
        "pages": [{k: v for k, v in p.items() if k != "refused"} for p in pages],
    }


def run_kit(phones: int, pool: str, give_up_after: float, linger: float, phone: str) -> dict:
    from relworkbook import readiness

    tmp = temp_dir(f"herd-kit-{phones}")
    workbooks = make_workbooks(tmp)
    data = tmp / "workshops.sqlite3"
    access = new_workshop(data, title="Herd")
    server = start_server(tmp, workbooks, data)
    try:
        notebooks = len(list(workbooks.glob("*.ipynb")))
        wait_quiet(server, new_kernels=notebooks, min_seconds=2, timeout=180)
        if pool == "ready":
            # The facilitator said how many people to expect when starting the workshop.
            readiness.ask_for_pages("heatmap.ipynb", phones, workshop=access.workshop.code,
                                    data_url=f"sqlite:///{data}")
            started = time.perf_counter()
            want = notebooks - 1 + min(phones, readiness.MAX_READY_PAGES)
            while len(server.kernels()) < want and time.perf_counter() - started < 600:
                time.sleep(0.5)
            print(f"  kit: {len(server.kernels()) - notebooks + 1} heatmap pages ready after "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
        wait_quiet(server, min_seconds=3, timeout=180)
        calm = settle_machine(max_busy=25, timeout=120)
        print(f"  kit: releasing {phones} phones (machine {calm['cpu_busy_percent']:.0f}% busy)", flush=True)
        run = arrive(phone, server, server.url(f"{HEATMAP}?join={access.workshop.code}"), ".rw-join", phones,
                     give_up_after)
        result = summarise("kit", server, phones, run, linger)
        result["pool"] = pool
        result["machine_before"] = calm
        return result
    finally:
        server.stop()


def run_plain(phones: int, give_up_after: float, linger: float, phone: str) -> dict:
    tmp = temp_dir(f"herd-plain-{phones}")
    server = start_plain_voila(tmp)
    try:
        wait_quiet(server, min_seconds=2, timeout=120)
        calm = settle_machine(max_busy=25, timeout=120)
        print(f"  plain: releasing {phones} phones (machine {calm['cpu_busy_percent']:.0f}% busy)", flush=True)
        run = arrive(phone, server, server.url("/"), ".widget-button", phones, give_up_after)
        result = summarise("plain", server, phones, run, linger)
        result["machine_before"] = calm
        return result
    finally:
        server.stop()


def ratio(a, b):
    return a / b if a is not None and b else None


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--phones", type=int, nargs="+", default=[10, 30], help="room sizes (default 10 and 30)")
    parser.add_argument("--quick", action="store_true", help="a room of 3 and a 30 s wait after closing (smoke run)")
    parser.add_argument("--empty-after", type=float, default=120.0,
                        help="seconds after which a page without widgets counts as empty (default 120)")
    parser.add_argument("--linger", type=float, default=120.0,
                        help="seconds after closing the pages before counting kernels (default 120)")
    parser.add_argument("--kit-pool", choices=["ready", "usual"], default="ready",
                        help="ready: the facilitator asked for N pages first (default); usual: the pool of 1")
    parser.add_argument("--phone", choices=["browser", "http"], default="browser",
                        help="browser: Chromium pages on this machine (their drawing shares its cores); http: the "
                             "page's request and goodbye only, to see the server's side of a big room")
    args = parser.parse_args()
    if args.quick:
        args.phones, args.linger = [3], 30.0
    runs = []
    for phones in args.phones:
        print(f"\n--- {phones} phones", flush=True)
        kit = run_kit(phones, args.kit_pool, args.empty_after, args.linger, args.phone)
        settle_machine(max_busy=15, timeout=120)
        plain = run_plain(phones, args.empty_after, args.linger, args.phone)
        runs.append({
            "phones": phones, "kit": kit, "plain": plain,
            "ratios": {key: ratio(kit[key], plain[key])
                       for key in ("p50_seconds", "p95_seconds", "max_seconds", "cpu_seconds_per_page")},
        })
        settle_machine(max_busy=15, timeout=120)

    def fmt(x, unit=""):
        return "-" if x is None else f"{x:.2f}{unit}"

    rows = []
    for r in runs:
        for side in ("kit", "plain"):
            s = r[side]
            rows.append([f"{r['phones']} phones, {side}", fmt(s["p50_seconds"]), fmt(s["p95_seconds"]),
                         fmt(s["max_seconds"]), s["empty_pages"], s["iopub_timeouts_logged"],
                         f"{fmt(s['cpu_seconds_per_page'])} ({fmt(s['cpu_server_process_seconds_per_page'])} + "
                         f"{fmt(s['cpu_kernels_seconds_per_page'])})", f"{s['page_kernels_alive_after']}/{r['phones']}",
                         f"{s['all_kernels_alive_after']} ({s['all_kernels_rss_mib_after']:.0f} MiB)"])
        q = r["ratios"]
        rows.append([f"{r['phones']} phones, kit/plain", fmt(q["p50_seconds"], "x"), fmt(q["p95_seconds"], "x"),
                     fmt(q["max_seconds"], "x"), "", "", fmt(q["cpu_seconds_per_page"], "x"), "", ""])
    until = "first usable widget" if args.phone == "browser" else "whole page served, widgets in it"
    print_table(f"A room of phones ({args.phone}) released together: {until} (seconds from the release), empty pages, "
                "server CPU per page in the arrival window, kernels after the pages closed",
                ["run", "p50 s", "p95 s", "max s", "empty", "IOPub timeouts", "CPU s/page (server + kernels)",
                 f"page kernels alive {args.linger:.0f} s later", "all kernels alive (RSS)"], rows)
    print("\nTargets: 0 empty pages; kit/plain at p95 <= 1.0x; CPU per page <= 0.5x; page kernels freed.")
    result = {"phone": args.phone, "phones": args.phones, "empty_after_seconds": args.empty_after,
              "linger_seconds": args.linger, "kit_pool": args.kit_pool, "quick": args.quick, "runs": runs}
    write_results("herd" if args.phone == "browser" else "herd-http", result)
    return result


if __name__ == "__main__":
    run_main(main)
