"""Run every benchmark, one after the other, and print one summary.

Each benchmark runs in its own process (its own server, browser and temporary
files) and writes its JSON to benchmarks/results/; this script then reads
those files back and prints the machine, the date and every ratio against its
target. Takes about 25 minutes on 2 cores (the herds wait 2 minutes after
closing their pages); ``--quick`` takes fewer samples.

    .venv/bin/python benchmarks/run_all.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from _common import RESULTS, machine, print_table, verdict

HERE = Path(__file__).resolve().parent

BENCHMARKS = {
    "first_widget": (["--samples", "7"], ["--samples", "2"]),
    "kernel_memory": (["--samples", "3"], ["--samples", "1"]),
    "live_update": (["--saves", "8", "--runs", "20"], ["--saves", "3", "--runs", "5"]),
    "concurrent_writes": ([], []),
    "persona_mapping": (["--samples", "5"], ["--samples", "1"]),
    # A room of 10 and of 30 phones at once (kit vs plain Voila), and a page on an emulated mid-range phone.
    "herd": (["--phones", "10", "30"], ["--quick"]),
    # The same rooms as the server sees them, with no browser drawing pages on the server's own cores.
    "herd-http": (["--phone", "http", "--phones", "10", "30"], ["--phone", "http", "--quick"]),
    "phone_page": (["--samples", "3"], ["--samples", "1"]),
}


#: Results whose script has another name.
SCRIPTS = {"herd-http": "herd"}


def run(name: str, args: list[str]) -> tuple[int, float]:
    print(f"\n=== {name} {' '.join(args)}", flush=True)
    started = time.perf_counter()
    code = subprocess.call([sys.executable, str(HERE / f"{SCRIPTS.get(name, name)}.py"), *args], cwd=HERE.parent)
    return code, time.perf_counter() - started


def load(name: str) -> dict | None:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def summary_rows(results: dict[str, dict | None]) -> list[list]:
    rows = []
    fw = results.get("first_widget")
    if fw:
        for c in fw["configs"]:
            m = c["median_seconds"]
            rows.append([f"first widget, {c['config']}", f"{m['heatmap']:.2f} s vs {m['baseline']:.2f} s",
                         f"{c['ratio']:.2f}x", f"<= {c['target']}x", c["verdict"]])
    km = results.get("kernel_memory")
    if km:
        mib = 1024**2
        rows.append(["kernel RSS, participant vs baseline",
                     f"{km['median_rss']['participant'] / mib:.0f} vs {km['median_rss']['baseline'] / mib:.0f} MiB",
                     f"{km['ratio_rss']:.2f}x", f"<= {km['target']}x", km["verdict"]])
        fit = km["participants_in_budget"]
        rows.append(["participants in 2 GiB (+server, facilitator)",
                     f"{fit['by_rss_after_server_and_facilitator']} by RSS, "
                     f"{fit['by_pss_after_server_and_facilitator']} by PSS", "", "", "info"])
    lu = results.get("live_update")
    if lu:
        for s in lu["browser"]["scenarios"]:
            rows.append([f"save -> facilitator count, {s['scenario']}",
                         f"median {s['median_count_seconds']:.2f} s, max {s['max_count_seconds']:.2f} s",
                         "", f"<= {s['target_seconds']} s", s["verdict"]])
        for c in lu["in_process"]["cases"]:
            rows.append([f"view.update(), {c['case']}",
                         f"{c['update_ms']:.0f} ms (analyse {c['analyse_ms']:.0f}, "
                         f"render_svg {c['render_svg_ms']:.0f})",
                         f"{c['update_ms'] / c['target_ms']:.2f}x target", f"<= {c['target_ms']:.0f} ms",
                         c["verdict"]])
    cw = results.get("concurrent_writes")
    if cw:
        c = cw["concurrent"]
        rows.append([f"{cw['writers']} writers x {cw['per_writer']} saves",
                     f"{c['rows']} rows, {c['lost']} lost; p50/p95/max {c['p50_ms']:.1f}/{c['p95_ms']:.0f}/"
                     f"{c['max_ms']:.0f} ms", "", "0 lost", cw["verdict"]])
    pm = results.get("persona_mapping")
    if pm:
        first, rss, target = pm["median_first_widget_seconds"], pm["median_rss_mib"], pm["targets"]
        rows.append(["persona mapping: first widget, cold", f"{first['persona']:.2f} s vs {first['baseline']:.2f} s",
                     f"{pm['first_widget_ratio']:.2f}x", f"<= {target['first_widget']}x",
                     verdict(pm["first_widget_ratio"], target["first_widget"])])
        rows.append(["persona mapping: participant kernel RSS",
                     f"{rss['persona']:.0f} vs {rss['baseline']:.0f} MiB", f"{pm['rss_ratio']:.2f}x",
                     f"<= {target['memory']}x", verdict(pm["rss_ratio"], target["memory"])])
    for key, phone in (("herd", "browsers"), ("herd-http", "HTTP phones")):
        hd = results.get(key)
        if not hd:
            continue
        for r in hd["runs"]:
            kit, plain, q = r["kit"], r["plain"], r["ratios"]
            n = f"{r['phones']} {phone}"
            rows.append([f"herd of {n}: empty pages (kit / plain)", f"{kit['empty_pages']} / {plain['empty_pages']}",
                         "", "0", verdict(kit["empty_pages"], 0)])
            if q["p95_seconds"] is not None:
                rows.append([f"herd of {n}: first widget p95",
                             f"{kit['p95_seconds']:.2f} s vs {plain['p95_seconds']:.2f} s",
                             f"{q['p95_seconds']:.2f}x", "<= 1.0x", verdict(q["p95_seconds"], 1.0)])
            rows.append([f"herd of {n}: server CPU per page", f"{kit['cpu_seconds_per_page']:.2f} s vs "
                         f"{plain['cpu_seconds_per_page']:.2f} s", f"{q['cpu_seconds_per_page']:.2f}x", "<= 0.5x",
                         verdict(q["cpu_seconds_per_page"], 0.5)])
            rows.append([f"herd of {n}: page kernels alive {hd['linger_seconds']:.0f} s after closing",
                         f"{kit['page_kernels_alive_after']} / {plain['page_kernels_alive_after']} (kit / plain)",
                         "", "0", verdict(kit["page_kernels_alive_after"], 0)])
    pp = results.get("phone_page")
    if pp:
        for visit, limit in (("first", 1_500_000), ("repeat", 300_000)):
            k, b = pp["summary"]["kit"][visit], pp["summary"]["plain"][visit]
            rows.append([f"phone page, {visit} visit: first widget", f"{k['seconds']:.2f} s vs {b['seconds']:.2f} s",
                         f"{pp['ratios'][visit]['seconds']:.2f}x", "", "info"])
            rows.append([f"phone page, {visit} visit: bytes",
                         f"{k['bytes'] / 1e3:,.0f} kB vs {b['bytes'] / 1e3:,.0f} kB",
                         f"{pp['ratios'][visit]['bytes']:.2f}x", f"<= {limit / 1e3:,.0f} kB",
                         verdict(k["bytes"], limit)])
            rows.append([f"phone page, {visit} visit: outside requests", f"{k['outside_requests']:.0f}", "", "0",
                         verdict(k["outside_requests"], 0)])
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer samples (a smoke run, not for BENCHMARKS.md)")
    parser.add_argument("--only", nargs="*", choices=list(BENCHMARKS), help="run just these")
    args = parser.parse_args()
    info = machine()
    print(f"{info['date']}  {info['platform']}  Python {info['python']}")
    print(f"{info['cpu']}, {info['cores']} cores, {info['ram_gib']} GiB RAM; {info['chromium']}")
    names = args.only or list(BENCHMARKS)
    outcomes = {}
    for name in names:
        full, quick = BENCHMARKS[name]
        (RESULTS / f"{name}.json").unlink(missing_ok=True)  # never summarise a stale file
        outcomes[name] = run(name, quick if args.quick else full)
    results = {name: load(name) for name in names}
    print("\n" + "=" * 100)
    print(f"Summary  {info['date']}")
    print(f"Machine  {info['platform']}; {info['cpu']}; {info['cores']} cores; {info['ram_gib']} GiB RAM")
    print(f"         Python {info['python']}, SQLite {info['sqlite']}, {info['chromium']}")
    print("Run      " + ", ".join(f"{n} {t:.0f} s (exit {c})" for n, (c, t) in outcomes.items()))
    print_table("Results", ["benchmark", "measured", "ratio", "target", "result"], summary_rows(results))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "summary.json").write_text(json.dumps(
        {"machine": info, "quick": args.quick, "runs": {n: {"exit": c, "seconds": t} for n, (c, t) in outcomes.items()},
         "rows": summary_rows(results)}, indent=2), encoding="utf-8")
    return max((c for c, _ in outcomes.values()), default=0)


if __name__ == "__main__":
    raise SystemExit(main())
