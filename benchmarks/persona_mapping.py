"""Persona mapping against a one-button notebook: time to first widget and a participant's kernel memory.

The same method as ``first_widget.py`` and ``kernel_memory.py`` (which measure
the heatmap), for the third workbook, in one run side by side with the
baseline: cold kernels (``--pool-size 0``, so every page pays for its kernel),
samples interleaved persona/baseline/baseline/persona..., medians and ratios.
The participant's kernel is measured after they joined, answered every
statement and the check-in, and saved (the profile drawn), so it holds
everything a participant's path loads.

    .venv/bin/python benchmarks/persona_mapping.py [--samples 5]
"""

from __future__ import annotations

import argparse

from _common import (
    BASELINE,
    OfflineContext,
    launch_chromium,
    make_workbooks,
    median,
    new_workshop,
    print_table,
    run_main,
    settle_machine,
    start_server,
    temp_dir,
    verdict,
    wait_quiet,
    write_results,
)
from first_widget import one_sample
from kernel_memory import HEAVY, MiB, kernel_modules, measure_kernel, memory, open_baseline

PERSONA = "/voila/render/persona-mapping.ipynb"
TARGET_FIRST_WIDGET = 1.6  # cold, as for the heatmap
TARGET_MEMORY = 1.3


def open_participant(browser, server, code: str):
    """Join, answer everything, save, and wait for the profile: the participant's whole path."""
    from relworkbook.content import load_ui
    from relworkbook.persona.pack import load_persona_pack

    ui, pack = load_ui(), load_persona_pack()
    ctx = OfflineContext(browser)
    page = ctx.new_page()
    page.goto(server.url(f"{PERSONA}?join={code}"))
    page.get_by_role("button", name=ui("join_button")).click()
    groups = page.locator(".rw-rating")
    groups.first.wait_for()
    for index in range(groups.count()):
        groups.nth(index).get_by_role("radio").nth(index % pack.scale.max).check()
    page.get_by_role("button", name=pack.screen("save_answers")).click()
    page.locator(".rw-persona-profile").first.wait_for()
    return ctx, page


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=5)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    tmp = temp_dir("persona")
    workbooks = make_workbooks(tmp)
    data = tmp / "workshops.sqlite3"
    access = new_workshop(data, workbook="persona-mapping", title="Benchmark")
    pages = {"persona": (f"{PERSONA}?join={access.workshop.code}", ".rw-join"),
             "baseline": (BASELINE, ".widget-button")}
    first: dict[str, list[float]] = {"persona": [], "baseline": []}
    with sync_playwright() as p:
        browser = launch_chromium(p)
        server = start_server(tmp, workbooks, data, "--pool-size", "0")
        try:
            wait_quiet(server, min_seconds=0.5)
            for index in range(-1, args.samples):  # -1: one unmeasured warm-up of each page
                for which in (["persona", "baseline"] if index % 2 == 0 else ["baseline", "persona"]):
                    settle_machine(max_busy=20, timeout=15)
                    sample = one_sample(browser, server, *pages[which])
                    if index >= 0:
                        first[which].append(sample["seconds"])
                    print(f"  first widget {'warm-up' if index < 0 else index + 1} {which:<8} "
                          f"{sample['seconds']:.3f} s", flush=True)
                    wait_quiet(server, min_seconds=0.5)
            # Memory: one participant's kernel after the whole path, against the baseline's.
            rss: dict[str, list[float]] = {"persona": [], "baseline": []}
            modules = {}
            for _ in range(3):
                ctx, page = open_participant(browser, server, access.workshop.code)
                base_ctx, base_page = open_baseline(browser, server)
                wait_quiet(server, min_seconds=1)
                kernel_id, proc = measure_kernel(server, page)
                _bid, base_proc = measure_kernel(server, base_page)
                rss["persona"].append(memory(proc)["rss"] / MiB)
                rss["baseline"].append(memory(base_proc)["rss"] / MiB)
                connection = server.connection_file(kernel_id)
                if connection:  # which heavy modules the participant's kernel holds (none, we expect)
                    modules = kernel_modules(connection) or {}
                ctx.close()
                base_ctx.close()
                wait_quiet(server, min_seconds=2)
        finally:
            server.stop()
            browser.close()
    med_first = {k: median(v) for k, v in first.items()}
    med_rss = {k: median(v) for k, v in rss.items()}
    first_ratio = med_first["persona"] / med_first["baseline"]
    rss_ratio = med_rss["persona"] / med_rss["baseline"]
    rows = [
        ["first widget, cold", f"{med_first['persona']:.2f} s", f"{med_first['baseline']:.2f} s",
         f"{first_ratio:.2f}x", f"<= {TARGET_FIRST_WIDGET}x", verdict(first_ratio, TARGET_FIRST_WIDGET)],
        ["participant kernel RSS", f"{med_rss['persona']:.1f} MiB", f"{med_rss['baseline']:.1f} MiB",
         f"{rss_ratio:.2f}x", f"<= {TARGET_MEMORY}x", verdict(rss_ratio, TARGET_MEMORY)],
    ]
    print_table(f"Persona mapping vs a one-button notebook (first widget: median of {args.samples}; memory: "
                "median of 3)", ["measure", "persona", "baseline", "ratio", "target", "result"], rows)
    result = {"samples": args.samples, "first_widget_seconds": first, "rss_mib": rss,
              "median_first_widget_seconds": med_first, "median_rss_mib": med_rss,
              "first_widget_ratio": first_ratio, "rss_ratio": rss_ratio,
              "targets": {"first_widget": TARGET_FIRST_WIDGET, "memory": TARGET_MEMORY}, "heavy_modules_probe": modules,
              "heavy_watched": HEAVY}
    write_results("persona_mapping", result)
    return result


if __name__ == "__main__":
    run_main(main)
