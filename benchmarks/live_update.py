"""Live update: how fast the facilitator sees a new answer, and what one redraw costs.

(a) In a real browser. ``relworkbook serve`` (default, preheated) shows a
    facilitator page; a separate writer process saves one participant's answer
    at a time with ``Store.save_response``; a MutationObserver in the page
    stamps (``Date.now()``, same clock as the writer's ``time.time()``) the
    moment ``.rw-count`` reads "N of M joined have submitted", and the moment
    the chart's title says "N answers so far" (at every k-th save: pooled results
    move in steps of k people, see relworkbook/sharing.py). Latency = that stamp minus the start
    of the save call. Saves are spaced at random (0.4 to 1.6 s after the
    previous one was seen) so they land at every phase of the page's 1 s tick.
    Three workshops: a small one (10 joined), one pre-filled with 1,000
    answers, and one with 1,000 people in 4 groups in a second round (the
    heaviest redraw: two charts). Target: every new count within 2 s.

(b) In one process, no browser: a FacilitatorView given 1,000 synthetic
    participants (each rating 1-5 or "don't know" at random); median of 20
    ``view.update(responses)`` after warm-up, target <= 100 ms; with the
    aggregation (``report.analyse``) and the chart drawing (spec building and
    ``charts.render_svg``) timed on their own.

    .venv/bin/python benchmarks/live_update.py [--saves 8] [--runs 20]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import time
import uuid

from _common import (
    HEATMAP,
    OfflineContext,
    launch_chromium,
    make_workbooks,
    median,
    percentile,
    print_table,
    run_main,
    settle_machine,
    start_server,
    temp_dir,
    verdict,
    wait_quiet,
    write_results,
)

BROWSER_TARGET_S = 2.0
UPDATE_TARGET_MS = 100.0
PARTICIPANTS = 1000

OBSERVER = """
() => {
  window.__rwSeen = [];
  let lastCount = null, lastChart = null;
  const look = () => {
    const now = Date.now();
    const count = document.querySelector('.rw-count');
    const text = count ? count.textContent : null;
    if (text !== lastCount) {
      lastCount = text;
      window.__rwSeen.push({kind: 'count', text, nums: (text || '').match(/\\d+/g) || [], t: now});
    }
    let chart = null;
    // the live heat grid's caption ("Collective heatmap: N answers so far (...)")
    for (const fig of document.querySelectorAll('table.rw-table caption, figure')) {
      const m = /(\\d+) answers so far/.exec(fig.textContent || '');
      if (m) { chart = m[1]; break; }
    }
    if (chart !== lastChart) { lastChart = chart; window.__rwSeen.push({kind: 'chart', text: chart, t: now}); }
  };
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true, characterData: true});
  look();
}
"""

SEEN_COUNT = """
([index, value, jindex, joined]) => window.__rwSeen.find(s => s.kind === 'count' && s.nums.length > index
  && Number(s.nums[index]) === value && Number(s.nums[jindex]) === joined) || null
"""
SEEN_CHART = "(value) => window.__rwSeen.find(s => s.kind === 'chart' && s.text === String(value)) || null"


def count_positions() -> tuple[int, int]:
    """Where the submitted and joined numbers sit in the kit's "N of M ..." words (they get reworded)."""
    from relworkbook.content import load_ui

    template = load_ui().words["submitted"]
    count, joined = template.index("{count}"), template.index("{joined}")
    return (0, 1) if count < joined else (1, 0)


def random_ratings(pack, rng: random.Random) -> dict:
    return {s.id: rng.choice([1, 2, 3, 4, 5, None]) for s in pack.statements}


# -- (a) the writer: a separate process, as a participant's kernel would be --------------


def writer(data: str, conn) -> None:
    os.environ["RELWORKBOOK_DATA"] = data
    from relworkbook.content import load_heatmap
    from relworkbook.store import Response, Store

    store = Store(data)
    pack = load_heatmap()
    rng = random.Random(7)
    conn.send("ready")
    while True:
        job = conn.recv()
        if job is None:
            break
        workshop_id, participant_uid, round_name, group = job
        response = Response(uid=uuid.uuid4().hex, workshop_id=workshop_id, participant_uid=participant_uid,
                            workbook="heatmap", round=round_name, group_label=group, display_name="",
                            payload={"ratings": random_ratings(pack, rng)}, created_at=0, updated_at=0)
        started = time.time()
        store.save_response(response)
        conn.send((started, time.time()))
    store.close()


def prepare_workshop(data, joined: int, answered: dict[str, int], groups: list[str], rng: random.Random):
    """A workshop with ``joined`` participants (each in one of ``groups``); in
    each round of ``answered`` (the last is the current one) the first N of them
    have answered already. Returns the access and who has yet to answer now."""
    from relworkbook.content import load_heatmap
    from relworkbook.store import Response, Store
    from relworkbook.workshops import join, start_workshop

    store = Store(data)
    pack = load_heatmap()
    access = start_workshop(store, workbook="heatmap", title=f"Live {joined}", first_round=list(answered)[0])
    members = [join(store, access.workshop.code, "heatmap", group_label=rng.choice(groups)) for _ in range(joined)]
    now = time.time()
    store.import_responses([
        Response(uid=uuid.uuid4().hex, workshop_id=access.workshop.id, participant_uid=m.participant.uid,
                 workbook="heatmap", round=round_name, group_label=m.participant.group_label, display_name="",
                 payload={"ratings": random_ratings(pack, rng)}, created_at=now + i, updated_at=now + i)
        for i, (round_name, count) in enumerate(answered.items()) for m in members[:count]
    ])
    current = list(answered)[-1]
    store.update_workshop(access.workshop.id, current_round=current)
    store.close()
    waiting = [(m.participant.uid, current, m.participant.group_label) for m in members[answered[current]:]]
    return access, waiting


def browser_latency(saves: int) -> dict:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    ci, ji = count_positions()
    tmp = temp_dir("live-update")
    workbooks = make_workbooks(tmp)
    data = tmp / "workshops.sqlite3"
    os.environ["RELWORKBOOK_DATA"] = str(data)
    rng = random.Random(42)
    groups = ["staff", "residents", "partners", "board"]
    half = PARTICIPANTS // 2
    scenarios = [  # name, joined, answered per round (the last is current), groups
        ("small (10 joined)", 10, {"baseline": 0}, [""]),
        (f"{PARTICIPANTS} answers already", PARTICIPANTS + saves, {"baseline": PARTICIPANTS}, [""]),
        (f"{PARTICIPANTS} + {half} answers, 4 groups, 2 rounds", PARTICIPANTS,
         {"baseline": PARTICIPANTS, "follow-up": half}, groups),
    ]
    prepared = [(name, *prepare_workshop(data, joined, answered, grps, rng), joined, list(answered.values())[-1])
                for name, joined, answered, grps in scenarios]
    server = start_server(tmp, workbooks, data)
    ctx_mp = mp.get_context("spawn")
    parent, child = ctx_mp.Pipe()
    proc = ctx_mp.Process(target=writer, args=(str(data), child), daemon=True)
    proc.start()
    assert parent.recv() == "ready"
    results = []
    try:
        wait_quiet(server, new_kernels=len(list(workbooks.glob("*.ipynb"))), min_seconds=2)
        with sync_playwright() as p:
            browser = launch_chromium(p)
            try:
                for name, access, waiting, joined, prefilled in prepared:
                    calm = settle_machine(timeout=30)
                    ctx = OfflineContext(browser)
                    page = ctx.new_page()
                    opened = time.perf_counter()
                    page.goto(server.url(f"{HEATMAP}?facilitate={access.workshop.code}&key={access.key}"))
                    page.locator(".rw-count").wait_for()
                    page.evaluate(OBSERVER)
                    page.wait_for_function(SEEN_COUNT, arg=[ci, prefilled, ji, joined], timeout=60_000)
                    open_seconds = time.perf_counter() - opened
                    wait_quiet(server, min_seconds=1.5)
                    samples = []
                    for n in range(1, saves + 1):
                        time.sleep(rng.uniform(0.4, 1.6))
                        expected = prefilled + n
                        parent.send((access.workshop.id, *waiting[n - 1]))
                        started, committed = parent.recv()
                        count_t = page.wait_for_function(SEEN_COUNT, arg=[ci, expected, ji, joined], timeout=30_000,
                                                         polling=50).json_value()["t"] / 1000.0
                        # The grid moves only in steps of k people (relworkbook/sharing.py): its title
                        # ("N answers so far ...") follows the count at every k-th save, not at each one.
                        chart_t = float("nan")
                        if n % access.workshop.min_group == 0:
                            try:
                                chart_t = page.wait_for_function(SEEN_CHART, arg=expected, timeout=10_000,
                                                                 polling=50).json_value()["t"] / 1000.0
                            except PlaywrightTimeout:
                                pass
                        sample = {"n": expected, "save_seconds": committed - started,
                                  "count_seconds": count_t - started, "chart_seconds": chart_t - started}
                        samples.append(sample)
                        print(f"  {name:<42} save {n}: count after {sample['count_seconds']:.3f} s, chart after "
                              f"{sample['chart_seconds']:.3f} s (commit {sample['save_seconds'] * 1000:.1f} ms)",
                              flush=True)
                    ctx.close()
                    counts = [s["count_seconds"] for s in samples]
                    charts_ = [s["chart_seconds"] for s in samples if s["chart_seconds"] == s["chart_seconds"]] or [
                        float("nan")]
                    results.append({
                        "scenario": name, "joined": joined, "prefilled": prefilled, "page_open_seconds": open_seconds,
                        "median_count_seconds": median(counts), "p95_count_seconds": percentile(counts, 95),
                        "max_count_seconds": max(counts), "median_chart_seconds": median(charts_),
                        "max_chart_seconds": max(charts_), "median_commit_seconds": median(
                            [s["save_seconds"] for s in samples]),
                        "target_seconds": BROWSER_TARGET_S, "machine_at_start": calm,
                        "verdict": verdict(max(counts), BROWSER_TARGET_S),
                        "samples": samples,
                    })
            finally:
                browser.close()
    finally:
        parent.send(None)
        proc.join(timeout=10)
        server.stop()
    return {"scenarios": results}


# -- (b) one redraw, in process ---------------------------------------------------------------


def timed(fn, runs: int, warmup: int = 3) -> list[float]:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        out.append(time.perf_counter() - started)
    return out


def in_process(runs: int) -> dict:
    tmp = temp_dir("live-update-inproc")
    os.environ["RELWORKBOOK_DATA"] = str(tmp / "inproc.sqlite3")
    from relworkbook import charts
    from relworkbook.heatmap import HeatmapWorkbook, report
    from relworkbook.page import PageContext
    from relworkbook.store import Response, Store
    from relworkbook.workshops import start_workshop

    store = Store(tmp / "inproc.sqlite3")
    access = start_workshop(store, workbook="heatmap", title="In process")
    app = HeatmapWorkbook(PageContext.from_query(f"facilitate={access.workshop.code}&key={access.key}"), store=store)
    view = app.view
    assert type(view).__name__ == "FacilitatorView", app.status.message
    pack, workshop = view.pack, view.workshop
    rng = random.Random(1)
    now = time.time()

    def synthetic(groups: list[str], rounds: list[str]) -> list[Response]:
        return [Response(uid=uuid.uuid4().hex, workshop_id=workshop.id, participant_uid=uuid.uuid4().hex,
                         workbook="heatmap", round=rng.choice(rounds), group_label=rng.choice(groups),
                         display_name="", payload={"ratings": random_ratings(pack, rng)},
                         created_at=now, updated_at=now)
                for _ in range(PARTICIPANTS)]

    cases = {
        "1,000 participants, one group, one round": synthetic([""], ["baseline"]),
        "1,000 participants, 4 groups, 2 rounds": synthetic(["staff", "residents", "partners", "board"],
                                                            ["baseline", "follow-up"]),
    }
    out = []
    for name, responses in cases.items():
        if len({r.round for r in responses}) > 1:
            # the current round is the later one, as after "start a new round"
            view.workshop = workshop = store.update_workshop(workshop.id, current_round="follow-up")
        analysis = report.analyse(pack, workshop, responses)
        columns = report.chart_columns(analysis)
        title = f"{analysis.everyone.respondents} responses, round: {analysis.round}"
        chart = report.heatmap_chart(pack, columns, title)
        spec = chart.to_dict()
        vl = charts._vl_convert()
        t_update = timed(lambda: view.update(responses), runs)
        t_analyse = timed(lambda: report.analyse(pack, workshop, responses), runs)
        t_spec = timed(lambda: report.heatmap_chart(pack, report.chart_columns(analysis), title).to_dict(), runs)
        t_vega = timed(lambda: vl.vegalite_to_svg(spec), runs)
        t_svg = timed(lambda: charts.render_svg(report.heatmap_chart(pack, columns, title)), runs)
        charts_per_update = 1 + (len(analysis.by_round) > 1)
        row = {
            "case": name, "runs": runs, "columns": len(columns), "charts_per_update": charts_per_update,
            "update_ms": median(t_update) * 1000, "update_p95_ms": percentile(t_update, 95) * 1000,
            "analyse_ms": median(t_analyse) * 1000, "chart_spec_ms": median(t_spec) * 1000,
            "vl_convert_ms": median(t_vega) * 1000, "render_svg_ms": median(t_svg) * 1000,
        }
        row["target_ms"] = UPDATE_TARGET_MS
        row["verdict"] = verdict(row["update_ms"], UPDATE_TARGET_MS)
        out.append(row)
    # The whole refresh a tick triggers when something changed: read 1,000 rows back and redraw.
    view.workshop = workshop = store.update_workshop(workshop.id, current_round="baseline")
    store.import_responses(cases["1,000 participants, one group, one round"])
    t_read = timed(lambda: store.responses(workshop.id, "heatmap"), runs)
    t_fingerprint = timed(lambda: store.fingerprint(workshop.id), runs)
    t_refresh = timed(lambda: view.refresh(force=True), runs)
    store.close()
    return {"cases": out, "store_read_1000_ms": median(t_read) * 1000,
            "fingerprint_ms": median(t_fingerprint) * 1000, "refresh_1000_ms": median(t_refresh) * 1000}


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--saves", type=int, default=8, help="answers saved per scenario in the browser test")
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each in-process step")
    args = parser.parse_args()
    browser = browser_latency(args.saves)
    calm = settle_machine(timeout=30)
    local = in_process(args.runs)
    local["machine_at_start"] = calm
    print_table(f"(a) Save -> facilitator's page, real browser ({args.saves} saves each; seconds from the start "
                "of save_response)",
                ["workshop", "count median", "count p95", "count max", "chart median", "chart max", "target",
                 "result"],
                [[s["scenario"], s["median_count_seconds"], s["p95_count_seconds"], s["max_count_seconds"],
                  s["median_chart_seconds"], s["max_chart_seconds"], f"<= {BROWSER_TARGET_S} s", s["verdict"]]
                 for s in browser["scenarios"]])
    print_table(f"(b) FacilitatorView.update(), in process (median of {args.runs} runs, ms)",
                ["case", "update", "update p95", "analyse", "chart spec", "vl-convert", "render_svg", "target",
                 "result"],
                [[c["case"], c["update_ms"], c["update_p95_ms"], c["analyse_ms"], c["chart_spec_ms"],
                  c["vl_convert_ms"], c["render_svg_ms"], f"<= {UPDATE_TARGET_MS:.0f} ms", c["verdict"]]
                 for c in local["cases"]])
    print(f"  store.responses() for 1,000 rows: {local['store_read_1000_ms']:.1f} ms; fingerprint(): "
          f"{local['fingerprint_ms']:.2f} ms; whole refresh(force=True) at 1,000: {local['refresh_1000_ms']:.1f} ms")
    result = {"browser": browser, "in_process": local, "saves": args.saves, "runs": args.runs}
    write_results("live_update", result)
    return result


if __name__ == "__main__":
    run_main(main)
