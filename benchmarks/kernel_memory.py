"""Kernel memory: a participant's heatmap kernel against a one-button notebook's.

One ``relworkbook serve --pool-size 0`` (each page gets its own fresh kernel).
A real browser (a) opens the participant link, clicks "Join the workshop",
picks the first rating of every statement and clicks "Save my answers";
(b) opens the baseline notebook (one ipywidgets Button). Each page's kernel is
found by the kernel id Voila writes into the page and the ``kernel-<id>.json``
in the kernel process's command line; its memory is read with psutil once the
server's processes are idle. The facilitator's kernel (live view with chart)
and the server process are measured too.

Target: participant RSS <= 1.3x baseline RSS. Also: how many participants fit
in 2 GiB next to the server and one facilitator.

    .venv/bin/python benchmarks/kernel_memory.py [--samples 3]
"""

from __future__ import annotations

import argparse
import json

import psutil

from _common import (
    BASELINE,
    HEATMAP,
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

TARGET = 1.3
BUDGET = 2 * 1024**3
MiB = 1024**2
HEAVY = ("pandas", "numpy", "altair", "vl_convert", "segno", "jupyter_server", "pyarrow")

MODULES_PROBE = (
    "import sys, json\n"
    f"_heavy = {HEAVY!r}\n"
    "print(json.dumps({'count': len(sys.modules), 'heavy': sorted({m.split('.')[0] for m in sys.modules} "
    "& set(_heavy))}))"
)


def memory(proc: psutil.Process) -> dict:
    info = proc.memory_full_info()
    return {"rss": info.rss, "uss": info.uss, "pss": getattr(info, "pss", float("nan"))}


def kernel_modules(connection_file: str) -> dict | None:
    """Ask the kernel which modules it has loaded (after the memory was read)."""
    from jupyter_client import BlockingKernelClient

    client = BlockingKernelClient()
    client.load_connection_file(connection_file)
    client.start_channels()
    try:
        client.wait_for_ready(timeout=30)
        out: list[str] = []
        client.execute_interactive(MODULES_PROBE, store_history=False, timeout=30,
                                   output_hook=lambda msg: out.append(msg["content"].get("text", ""))
                                   if msg["msg_type"] == "stream" else None)
        return json.loads("".join(out).strip().splitlines()[-1])
    except Exception as exc:  # noqa: BLE001 - a probe, not the measurement
        return {"error": repr(exc)}
    finally:
        client.stop_channels()


def measure_kernel(server, page) -> tuple[str, psutil.Process]:
    kernel_id = page_kernel_id(page)
    proc = server.kernels().get(kernel_id or "")
    if proc is None:
        raise RuntimeError(f"no kernel process for kernel id {kernel_id}")
    return kernel_id, proc


def open_baseline(browser, server):
    ctx = OfflineContext(browser)
    page = ctx.new_page()
    page.goto(server.url(BASELINE))
    page.locator(".widget-button").first.wait_for(state="visible")
    return ctx, page


def words() -> dict[str, str]:
    """The kit's own button and message words (they get reworded; never hard-code them)."""
    from relworkbook.content import load_ui

    ui = load_ui().words
    saved = ui["saved"].split("{", 1)[0].split(".", 1)[0].strip()  # "Saved at {time}..." -> "Saved at"
    return {"join": ui["join_button"], "save": ui["save_button"], "saved": saved}


def open_participant(browser, server, code: str):
    ui = words()
    ctx = OfflineContext(browser)
    page = ctx.new_page()
    page.goto(server.url(f"{HEATMAP}?join={code}"))
    page.locator(".rw-join").wait_for(state="visible")
    page.get_by_role("button", name=ui["join"]).click()
    groups = page.locator(".rw-rating")
    groups.first.wait_for()
    for index in range(groups.count()):
        groups.nth(index).get_by_role("radio").first.check()  # the choice control: native radios
    page.get_by_role("button", name=ui["save"]).click()
    page.locator(".rw-status .rw-success").filter(has_text=ui["saved"]).first.wait_for()
    return ctx, page


def open_facilitator(browser, server, code: str, key: str):
    ctx = OfflineContext(browser)
    page = ctx.new_page()
    page.goto(server.url(f"{HEATMAP}?facilitate={code}&key={key}"))
    page.locator(".rw-code").wait_for(state="visible")
    page.locator(".rw-count").wait_for(state="visible")
    # The live view is an HTML grid; open the Altair chart too, so the facilitator's
    # memory is measured in its heaviest everyday state (vl-convert has drawn).
    page.get_by_text("Chart (as in the report and downloads)").click()
    page.locator("figure svg").first.wait_for(state="attached")
    return ctx, page


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--samples", type=int, default=3)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    calm = settle_machine()
    tmp = temp_dir("kernel-memory")
    workbooks = make_workbooks(tmp)
    data = tmp / "workshops.sqlite3"
    access = new_workshop(data, title="Memory")
    code, key = access.workshop.code, access.key
    server = start_server(tmp, workbooks, data, "--pool-size", "0")
    samples: dict[str, list[dict]] = {"participant": [], "baseline": []}
    probes: dict[str, dict | None] = {}
    try:
        wait_quiet(server, min_seconds=0.5)
        with sync_playwright() as p:
            browser = launch_chromium(p)
            contexts = []
            try:
                for index in range(args.samples):
                    order = ["participant", "baseline"] if index % 2 == 0 else ["baseline", "participant"]
                    for which in order:
                        ctx, page = (open_participant(browser, server, code) if which == "participant"
                                     else open_baseline(browser, server))
                        contexts.append(ctx)
                        kernel_id, proc = measure_kernel(server, page)
                        wait_quiet(server, min_seconds=1.5)
                        mem = memory(proc)
                        samples[which].append({"kernel_id": kernel_id, **mem})
                        print(f"  sample {index + 1}  {which:<11} RSS {mem['rss'] / MiB:6.1f} MiB  "
                              f"USS {mem['uss'] / MiB:6.1f} MiB  PSS {mem['pss'] / MiB:6.1f} MiB", flush=True)
                        if which not in probes:
                            probes[which] = {"kernel_id": kernel_id}
                ctx, page = open_facilitator(browser, server, code, key)
                contexts.append(ctx)
                kernel_id, proc = measure_kernel(server, page)
                wait_quiet(server, min_seconds=1.5)
                facilitator = {"kernel_id": kernel_id, **memory(proc)}
                print(f"  facilitator   RSS {facilitator['rss'] / MiB:6.1f} MiB  "
                      f"USS {facilitator['uss'] / MiB:6.1f} MiB  PSS {facilitator['pss'] / MiB:6.1f} MiB")
                server_mem = memory(psutil.Process(server.process.pid))
                # Which modules each kind of kernel loaded (asked after measuring).
                probes["facilitator"] = {"kernel_id": kernel_id}
                for probe in probes.values():
                    connection = server.connection_file(probe["kernel_id"])
                    probe["modules"] = kernel_modules(connection) if connection else None
            finally:
                for ctx in contexts:
                    ctx.close()
                browser.close()
    finally:
        server.stop()

    def med(which: str, field: str) -> float:
        return median([s[field] for s in samples[which]])

    part_rss, base_rss = med("participant", "rss"), med("baseline", "rss")
    part_pss, base_pss = med("participant", "pss"), med("baseline", "pss")
    ratio = part_rss / base_rss
    left = BUDGET - server_mem["rss"] - facilitator["rss"]
    left_pss = BUDGET - server_mem["pss"] - facilitator["pss"]
    fit = {
        "by_rss_after_server_and_facilitator": int(left // part_rss),
        "by_pss_after_server_and_facilitator": int(left_pss // part_pss),
        "by_rss_participants_only": int(BUDGET // part_rss),
    }
    rows = [
        ["participant (joined + saved)", part_rss / MiB, med("participant", "uss") / MiB, part_pss / MiB],
        ["baseline (one Button)", base_rss / MiB, med("baseline", "uss") / MiB, base_pss / MiB],
        ["facilitator (live view)", facilitator["rss"] / MiB, facilitator["uss"] / MiB, facilitator["pss"] / MiB],
        ["server (Voila)", server_mem["rss"] / MiB, server_mem["uss"] / MiB, server_mem["pss"] / MiB],
    ]
    print_table(f"Kernel memory (MiB; participant and baseline: median of {args.samples})",
                ["process", "RSS", "USS", "PSS"], rows)
    print_table("Ratio", ["measure", "participant/baseline", "target", "result"],
                [["RSS", f"{ratio:.2f}x", f"<= {TARGET}x", verdict(ratio, TARGET)],
                 ["PSS", f"{part_pss / base_pss:.2f}x", "", ""]])
    print(f"\nParticipants in 2 GiB next to the server and one facilitator: "
          f"{fit['by_rss_after_server_and_facilitator']} (by RSS), "
          f"{fit['by_pss_after_server_and_facilitator']} (by PSS, shared pages split)")
    for which, probe in probes.items():
        mods = (probe or {}).get("modules") or {}
        print(f"  {which:<11} kernel: {mods.get('count', '?')} modules loaded; heavy: {mods.get('heavy', mods)}")
    result = {
        "samples": samples, "facilitator": facilitator, "server": server_mem,
        "median_rss": {"participant": part_rss, "baseline": base_rss},
        "median_pss": {"participant": part_pss, "baseline": base_pss},
        "ratio_rss": ratio, "ratio_pss": part_pss / base_pss, "target": TARGET, "verdict": verdict(ratio, TARGET),
        "machine_at_start": calm, "budget_bytes": BUDGET, "participants_in_budget": fit, "modules": probes,
    }
    write_results("kernel_memory", result)
    return result


if __name__ == "__main__":
    run_main(main)
