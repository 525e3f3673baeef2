"""A participant's page on a mid-range phone: the heatmap's join page against a one-button notebook.

Both under the same emulated conditions, through Chrome DevTools:

* CPU slowed down 4x (``Emulation.setCPUThrottlingRate``);
* a 4G-like connection (``Network.emulateNetworkConditions``): 9 Mbit/s down,
  1.5 Mbit/s up, 150 ms latency;
* a phone's screen (360 x 740, ``is_mobile``, ``has_touch``).

Sides: the kit's join link on ``relworkbook serve`` (its usual pool of one
ready page, refilled between samples) and the one-button notebook on plain
Voila (standalone, its defaults). Each sample is a fresh browser context (empty
cache): a first visit, then a repeat visit in the same tab (the link opened
again, the browser's cache warm). Measured: time to first usable widget
(``performance.now()`` when ``.rw-join`` / ``.widget-button`` first has a size,
from navigation start) and bytes on the wire (DevTools ``encodedDataLength``,
headers included; the kernel websocket's text counted apart). Requests to any
other host fail (Chromium's host resolver knows only 127.0.0.1) and are counted.

No routing through Playwright: it turns the HTTP cache off, and the repeat
visit is about the cache. Nothing is asserted; ratios kit/plain are printed and
written to ``benchmarks/results/phone_page.json``.

    .venv/bin/python benchmarks/phone_page.py [--samples 3]
"""

from __future__ import annotations

import argparse
import time

from _common import (
    CHROMIUM,
    CHROMIUM_ARGS,
    HEATMAP,
    PHONE_CONTEXT,
    WATCH_FIRST_WIDGET,
    local_only,
    make_workbooks,
    median,
    new_workshop,
    print_table,
    run_main,
    settle_machine,
    start_plain_voila,
    start_server,
    temp_dir,
    wait_quiet,
    write_results,
)

#: The emulated phone: Chrome DevTools' throttling, as a mid-range Android phone on 4G.
CPU_SLOWDOWN = 4
NETWORK = {"offline": False, "latency": 150, "downloadThroughput": 9_000_000 / 8, "uploadThroughput": 1_500_000 / 8}
#: Only this machine resolves: any other host fails at once, as on a network that drops outside traffic.
OFFLINE_ARGS = ["--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


class PhoneTab:
    """One tab on the emulated phone, counting what comes over the wire."""

    def __init__(self, browser, selector: str):
        self.context = browser.new_context(**PHONE_CONTEXT)
        self.context.add_init_script(script=f"({WATCH_FIRST_WIDGET})({selector!r})")
        self.page = self.context.new_page()
        self.page.set_default_timeout(240_000)
        self.selector = selector
        self.finished: dict[str, int] = {}
        self.websocket_text = 0
        self.outside: list[str] = []
        self.page.on("request", lambda request: None if local_only(request.url) else self.outside.append(request.url))
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", NETWORK)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        cdp.on("Network.loadingFinished", lambda e: self.finished.__setitem__(e["requestId"], e["encodedDataLength"]))
        cdp.on("Network.webSocketFrameReceived",
               lambda e: setattr(self, "websocket_text", self.websocket_text + len(e["response"]["payloadData"])))
        self.cdp = cdp

    def visit(self, url: str) -> dict:
        """Open ``url`` (first or repeat visit); seconds to the first usable widget and bytes taken."""
        self.finished.clear()
        self.websocket_text = 0
        outside_before = len(self.outside)
        started = time.perf_counter()
        self.page.goto(url, wait_until="commit")
        self.page.locator(self.selector).first.wait_for(state="visible")
        wall = time.perf_counter() - started
        self.page.wait_for_function("() => window.__rwFirst !== null")
        seconds = self.page.evaluate("() => window.__rwFirst") / 1000.0
        try:
            self.page.wait_for_load_state("networkidle", timeout=30_000)
        except Exception:  # noqa: BLE001 - a page that keeps talking still has its bytes counted so far
            pass
        time.sleep(1)
        return {"seconds": seconds, "wall_seconds": wall, "bytes": sum(self.finished.values()),
                "requests": len(self.finished), "websocket_text": self.websocket_text,
                "outside_requests": len(self.outside) - outside_before}

    def close(self):
        self.context.close()


def sample(browser, url: str, selector: str) -> dict:
    tab = PhoneTab(browser, selector)
    try:
        first = tab.visit(url)
        repeat = tab.visit(url)
    finally:
        tab.close()
    return {"first": first, "repeat": repeat}


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = temp_dir("phone-page")
    workbooks = make_workbooks(tmp / "kit")
    data = tmp / "kit" / "workshops.sqlite3"
    access = new_workshop(data, title="Phone")
    kit = start_server(tmp / "kit", workbooks, data)
    (tmp / "plain").mkdir()
    plain = start_plain_voila(tmp / "plain")
    sides = {
        "kit": (kit, kit.url(f"{HEATMAP}?join={access.workshop.code}"), ".rw-join"),
        "plain": (plain, plain.url("/"), ".widget-button"),
    }
    results: dict[str, list[dict]] = {"kit": [], "plain": []}
    try:
        wait_quiet(kit, new_kernels=len(list(workbooks.glob("*.ipynb"))), min_seconds=2, timeout=180)
        wait_quiet(plain, min_seconds=1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *OFFLINE_ARGS])
            try:
                for index in range(args.samples):
                    for name in (("kit", "plain") if index % 2 == 0 else ("plain", "kit")):
                        server, url, selector = sides[name]
                        known = {proc.pid for proc in server.kernels().values()}
                        settle_machine(max_busy=20, timeout=30)
                        result = sample(browser, url, selector)
                        results[name].append(result)
                        print(f"  sample {index + 1} {name:<5} first {result['first']['seconds']:.2f} s "
                              f"{result['first']['bytes'] / 1e6:.2f} MB, repeat {result['repeat']['seconds']:.2f} s "
                              f"{result['repeat']['bytes'] / 1e3:.0f} kB", flush=True)
                        # The kit refills its ready page after the rush: wait for it (and for quiet).
                        wait_quiet(server, known=known, new_kernels=1 if name == "kit" else 0,
                                   min_seconds=8 if name == "kit" else 1, timeout=90)
            finally:
                browser.close()
    finally:
        kit.stop()
        plain.stop()

    def med(name: str, visit: str, key: str) -> float:
        return median([s[visit][key] for s in results[name]])

    summary = {name: {visit: {key: med(name, visit, key) for key in
                              ("seconds", "wall_seconds", "bytes", "requests", "websocket_text", "outside_requests")}
                      for visit in ("first", "repeat")} for name in results}
    ratios = {visit: {"seconds": summary["kit"][visit]["seconds"] / summary["plain"][visit]["seconds"],
                      "bytes": summary["kit"][visit]["bytes"] / max(1, summary["plain"][visit]["bytes"])}
              for visit in ("first", "repeat")}
    rows = []
    for visit in ("first", "repeat"):
        k, b = summary["kit"][visit], summary["plain"][visit]
        rows.append([visit, k["seconds"], b["seconds"], f"{ratios[visit]['seconds']:.2f}x",
                     f"{k['bytes'] / 1e3:,.0f}", f"{b['bytes'] / 1e3:,.0f}", f"{ratios[visit]['bytes']:.2f}x",
                     f"{k['websocket_text'] / 1e3:,.0f} / {b['websocket_text'] / 1e3:,.0f}",
                     f"{k['outside_requests']:.0f} / {b['outside_requests']:.0f}"])
    print_table(f"A participant page on an emulated mid-range phone (CPU {CPU_SLOWDOWN}x slower, 9/1.5 Mbit/s, "
                f"150 ms), median of {args.samples}",
                ["visit", "kit s", "plain s", "ratio", "kit kB", "plain kB", "ratio", "websocket text kB kit/plain",
                 "outside requests kit/plain"], rows)
    print("\nTargets (issue 9): first visit at most 1.5 MB, repeat at most 300 kB, 0 outside requests.")
    result = {"samples": args.samples, "cpu_slowdown": CPU_SLOWDOWN, "network": NETWORK, "summary": summary,
              "ratios": ratios, "runs": results}
    write_results("phone_page", result)
    return result


if __name__ == "__main__":
    run_main(main)
