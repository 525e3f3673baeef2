"""Time to first widget: the heatmap's participant page against a one-button notebook.

Both pages are served by the same ``relworkbook serve``, in two configurations:

* cold       ``--pool-size 0``: every page starts its own kernel;
* preheated  the default (a pool of 1 ready kernel per notebook), waiting
             for the pool to refill between samples.

Each sample opens a fresh browser context (empty cache) and measures, in the
page, ``performance.now()`` (milliseconds since navigation start) when the
first widget is visible: ``.rw-join`` for the heatmap, ``.widget-button`` for
the baseline. Samples are interleaved A/B/B/A... The ratio heatmap/baseline
of the medians is the number that matters (targets: <= 1.6x cold, <= 1.2x
preheated).

    .venv/bin/python benchmarks/first_widget.py [--samples 7]
"""

from __future__ import annotations

import argparse
import time

from _common import (
    BASELINE,
    HEATMAP,
    WATCH_FIRST_WIDGET,
    OfflineContext,
    launch_chromium,
    make_workbooks,
    median,
    new_workshop,
    page_kernel_id,
    print_table,
    run_main,
    settle_machine,
    start_server,
    temp_dir,
    verdict,
    wait_quiet,
    write_results,
)

TARGETS = {"cold": 1.6, "preheated": 1.2}


def one_sample(browser, server, path: str, selector: str) -> dict:
    ctx = OfflineContext(browser)
    try:
        ctx.context.add_init_script(script=f"({WATCH_FIRST_WIDGET})({selector!r})")
        page = ctx.new_page()
        started = time.perf_counter()
        page.goto(server.url(path), wait_until="commit")
        page.locator(selector).first.wait_for(state="visible")
        wall = time.perf_counter() - started
        page.wait_for_function("() => window.__rwFirst !== null")
        in_page = page.evaluate("() => window.__rwFirst") / 1000.0
        kernel = page_kernel_id(page)
        nav = page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return n ? {response_start: n.responseStart, response_end: n.responseEnd,"
            " dom_content_loaded: n.domContentLoadedEventEnd} : {}; }"
        )
        refused_local = [u for u in ctx.refused if "127.0.0.1" in u]
        return {"seconds": in_page, "wall_seconds": wall, "kernel_id": kernel,
                **{k: v / 1000.0 for k, v in nav.items()}, "refused": len(ctx.refused),
                "refused_local": refused_local}
    finally:
        ctx.close()


def run_config(browser, name: str, extra: list[str], samples: int) -> dict:
    tmp = temp_dir(f"first-widget-{name}")
    workbooks = make_workbooks(tmp)
    data = tmp / "workshops.sqlite3"
    access = new_workshop(data, title="Benchmark")
    pages = {
        "heatmap": (f"{HEATMAP}?join={access.workshop.code}", ".rw-join"),
        "baseline": (BASELINE, ".widget-button"),
    }
    preheated = name == "preheated"
    server = start_server(tmp, workbooks, data, *extra)
    try:
        # Let the server (and, preheated, the pool of every notebook) settle first.
        notebooks = len(list(workbooks.glob("*.ipynb")))
        wait_quiet(server, new_kernels=notebooks if preheated else 0, min_seconds=2 if preheated else 0.5)
        results: dict[str, list[dict]] = {"heatmap": [], "baseline": []}
        warmup: dict[str, dict] = {}
        order_log = []
        for index in range(-1, samples):  # -1: one unmeasured warm-up of each page
            order = ["heatmap", "baseline"] if index % 2 == 0 else ["baseline", "heatmap"]
            for which in order:
                path, selector = pages[which]
                known = {p.pid for p in server.kernels().values()}
                calm = settle_machine(max_busy=20, timeout=15)  # other work on the machine
                sample = one_sample(browser, server, path, selector)
                sample["machine_busy_before_percent"] = calm["cpu_busy_percent"]
                log = server.log.read_text(errors="replace")
                sample["used_preheated_kernel"] = bool(sample["kernel_id"]) and (
                    f"Using pre-heated kernel: {sample['kernel_id']}" in log)
                if index < 0:
                    warmup[which] = sample
                else:
                    results[which].append(sample)
                    order_log.append(which)
                print(f"  {name:<9} {'warm-up' if index < 0 else f'sample {index + 1}'}  {which:<8} "
                      f"{sample['seconds']:.3f} s  (html done {sample.get('response_end', 0):.3f} s,"
                      f" wall {sample['wall_seconds']:.3f} s"
                      f"{', pool kernel' if sample['used_preheated_kernel'] else ''})", flush=True)
                # Preheated: wait for the pool to start a replacement kernel and go idle.
                wait_quiet(server, known=known, new_kernels=1 if preheated else 0,
                           min_seconds=4 if preheated else 0.5)
    finally:
        server.stop()
    med = {k: median([s["seconds"] for s in v]) for k, v in results.items()}
    ratio = med["heatmap"] / med["baseline"]
    # Each sample's heatmap/baseline pair ran back to back: their ratios show the spread.
    pairs = [h["seconds"] / b["seconds"] for h, b in zip(results["heatmap"], results["baseline"], strict=True)]
    return {
        "config": name,
        "server_args": extra,
        "median_seconds": med,
        # responseEnd: Voila sends the page's last byte once the notebook has run
        # (server side: kernel start + execution); the rest is the browser.
        "median_html_seconds": {k: median([s.get("response_end", float("nan")) for s in v])
                                for k, v in results.items()},
        "min_seconds": {k: min(s["seconds"] for s in v) for k, v in results.items()},
        "max_seconds": {k: max(s["seconds"] for s in v) for k, v in results.items()},
        "ratio": ratio,
        "paired_ratios": pairs,
        "paired_ratio_median": median(pairs),
        "target": TARGETS[name],
        "verdict": verdict(ratio, TARGETS[name]),
        "samples": results,
        "warmup": warmup,
        "order": order_log,
    }


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=7)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    configs = []
    with sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            configs.append(run_config(browser, "cold", ["--pool-size", "0"], args.samples))
            configs.append(run_config(browser, "preheated", [], args.samples))
        finally:
            browser.close()
    rows = [[c["config"], c["median_seconds"]["heatmap"], c["median_seconds"]["baseline"],
             f"{c['ratio']:.2f}x", f"{c['paired_ratio_median']:.2f}x ({min(c['paired_ratios']):.2f}-"
             f"{max(c['paired_ratios']):.2f})", f"<= {c['target']}x", c["verdict"]] for c in configs]
    print_table(f"Time to first widget, median of {args.samples} (seconds since navigation start)",
                ["config", "heatmap join", "baseline button", "ratio", "paired ratios: median (range)", "target",
                 "result"], rows)
    print_table("Where the time goes, medians (seconds): page HTML complete (kernel + notebook run) / rest",
                ["config", "heatmap html", "heatmap rest", "baseline html", "baseline rest"],
                [[c["config"], c["median_html_seconds"]["heatmap"],
                  c["median_seconds"]["heatmap"] - c["median_html_seconds"]["heatmap"],
                  c["median_html_seconds"]["baseline"],
                  c["median_seconds"]["baseline"] - c["median_html_seconds"]["baseline"]] for c in configs])
    for c in configs:
        pool = sum(s["used_preheated_kernel"] for v in c["samples"].values() for s in v)
        print(f"  {c['config']}: {pool} of {sum(len(v) for v in c['samples'].values())} samples used a pool kernel")
    result = {"samples": args.samples, "configs": configs}
    write_results("first_widget", result)
    return result


if __name__ == "__main__":
    run_main(main)
