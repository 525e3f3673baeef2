"""Concurrent writes: 50 processes x 20 answers into one SQLite file, none lost.

Each writer is its own process (multiprocessing, spawn: like a Voila kernel,
it opens its own ``Store``), saves 20 responses for its own participants
through ``Store.save_response`` (which returns only after COMMIT, and reads
the row back), and all 50 start together at one barrier. Afterwards the rows
are counted: 1,000 expected, 0 lost. Reported: the latency of each
``save_response`` call (p50/p95/max), the wall time and the throughput, and,
for comparison, one process doing the same 1,000 saves alone.

    .venv/bin/python benchmarks/concurrent_writes.py [--writers 50] [--per-writer 20]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import sqlite3
import time
import uuid

from _common import median, percentile, print_table, run_main, settle_machine, temp_dir, write_results


def _response(pack, workshop_id: int, participant: str, rng: random.Random):
    from relworkbook.store import Response

    return Response(uid=uuid.uuid4().hex, workshop_id=workshop_id, participant_uid=participant,
                    workbook="heatmap", round="baseline", group_label="", display_name="",
                    payload={"ratings": {s.id: rng.choice([1, 2, 3, 4, 5, None]) for s in pack.statements}},
                    created_at=0, updated_at=0)


def writer(index: int, path: str, workshop_id: int, count: int, barrier, queue) -> None:
    os.environ["RELWORKBOOK_DATA"] = path
    from relworkbook.content import load_heatmap
    from relworkbook.store import Store

    pack = load_heatmap()
    rng = random.Random(index)
    latencies, errors = [], []
    try:
        store = Store(path)
        jobs = [_response(pack, workshop_id, f"writer{index:02d}-p{j:02d}", rng) for j in range(count)]
    except Exception as exc:  # noqa: BLE001 - reported, never hidden
        barrier.wait()
        queue.put((index, [], [f"open: {exc!r}"], 0.0, 0.0))
        return
    barrier.wait()
    first = time.perf_counter()
    started_at = time.time()
    for job in jobs:
        t0 = time.perf_counter()
        try:
            store.save_response(job)
        except Exception as exc:  # noqa: BLE001
            errors.append(repr(exc))
        latencies.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - first
    store.close()
    queue.put((index, latencies, errors, started_at, elapsed))


def count_rows(path: str, workshop_id: int) -> tuple[int, int]:
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT COUNT(*), COUNT(DISTINCT participant_uid) FROM responses WHERE workshop_id = ?",
                          (workshop_id,)).fetchone()
        return rows[0], rows[1]
    finally:
        db.close()


def concurrent(path: str, workshop_id: int, writers: int, per_writer: int) -> dict:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(writers)
    queue = ctx.Queue()
    procs = [ctx.Process(target=writer, args=(i, path, workshop_id, per_writer, barrier, queue))
             for i in range(writers)]
    for proc in procs:
        proc.start()
    results = [queue.get(timeout=600) for _ in procs]
    for proc in procs:
        proc.join(timeout=60)
    latencies = [x for r in results for x in r[1]]
    errors = [e for r in results for e in r[2]]
    start = min(r[3] for r in results if r[3])
    end = max(r[3] + r[4] for r in results if r[3])
    per_writer = {r[0]: [round(x * 1000, 3) for x in r[1]] for r in results}
    return {"latencies": latencies, "errors": errors, "wall_seconds": end - start,
            "latencies_ms_by_writer": dict(sorted(per_writer.items())),
            "exit_codes": sorted({p.exitcode for p in procs})}


def serial(path: str, workshop_id: int, total: int) -> dict:
    from relworkbook.content import load_heatmap
    from relworkbook.store import Store

    pack = load_heatmap()
    rng = random.Random(99)
    store = Store(path)
    jobs = [_response(pack, workshop_id, f"serial-p{j:04d}", rng) for j in range(total)]
    latencies = []
    first = time.perf_counter()
    for job in jobs:
        t0 = time.perf_counter()
        store.save_response(job)
        latencies.append(time.perf_counter() - t0)
    wall = time.perf_counter() - first
    store.close()
    return {"latencies": latencies, "errors": [], "wall_seconds": wall}


def summary(name: str, run: dict, expected: int, rows: tuple[int, int]) -> dict:
    lat = run["latencies"]
    return {
        "run": name, "expected_rows": expected, "rows": rows[0], "distinct_participants": rows[1],
        "lost": expected - rows[0], "errors": len(run["errors"]), "error_samples": run["errors"][:5],
        "p50_ms": percentile(lat, 50) * 1000, "p95_ms": percentile(lat, 95) * 1000,
        "max_ms": max(lat) * 1000 if lat else float("nan"), "mean_ms": sum(lat) / len(lat) * 1000 if lat else 0,
        "median_ms": median(lat) * 1000, "wall_seconds": run["wall_seconds"],
        "saves_per_second": len(lat) / run["wall_seconds"] if run["wall_seconds"] else float("nan"),
        "over_1s": sum(x > 1.0 for x in lat), "over_250ms": sum(x > 0.25 for x in lat),
        **({"latencies_ms_by_writer": run["latencies_ms_by_writer"]} if "latencies_ms_by_writer" in run else {}),
    }


def main() -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--per-writer", type=int, default=20)
    args = parser.parse_args()
    tmp = temp_dir("concurrent-writes")
    path = str(tmp / "workshops.sqlite3")
    os.environ["RELWORKBOOK_DATA"] = path
    from relworkbook.store import Store
    from relworkbook.workshops import start_workshop

    setup = Store(path)
    shared = start_workshop(setup, workbook="heatmap", title="Concurrent").workshop.id
    alone = start_workshop(setup, workbook="heatmap", title="Serial").workshop.id
    setup.close()
    expected = args.writers * args.per_writer

    calm = settle_machine()
    print(f"  {args.writers} writers x {args.per_writer} saves, all released at one barrier ...", flush=True)
    conc = concurrent(path, shared, args.writers, args.per_writer)
    conc_sum = summary(f"{args.writers} processes at once", conc, expected, count_rows(path, shared))
    print(f"  one process, {expected} saves in a row ...", flush=True)
    ser = serial(path, alone, expected)
    ser_sum = summary("1 process, serial", ser, expected, count_rows(path, alone))
    rows = [[s["run"], s["rows"], s["lost"], s["errors"], s["p50_ms"], s["p95_ms"], s["max_ms"],
             s["wall_seconds"], s["saves_per_second"]] for s in (conc_sum, ser_sum)]
    print_table("save_response latency (ms) and rows in the file",
                ["run", "rows", "lost", "errors", "p50", "p95", "max", "wall s", "saves/s"], rows)
    ok = conc_sum["lost"] == 0 and conc_sum["errors"] == 0
    print(f"\n  {conc_sum['rows']} of {expected} rows present, {conc_sum['lost']} lost, {conc_sum['errors']} errors: "
          f"{'PASS' if ok else 'MISS'}; p95 latency {conc_sum['p95_ms'] / ser_sum['p95_ms']:.1f}x the serial p95")
    result = {"writers": args.writers, "per_writer": args.per_writer, "concurrent": conc_sum, "serial": ser_sum,
              "verdict": "PASS" if ok else "MISS", "journal": "WAL", "synchronous": "FULL",
              "machine_at_start": calm, "db_dir": str(tmp)}
    write_results("concurrent_writes", result)
    return result


if __name__ == "__main__":
    run_main(main)
