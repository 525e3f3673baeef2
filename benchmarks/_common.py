"""Shared pieces of the benchmarks: a real ``relworkbook serve``, an offline
Chromium, kernel processes, quiet-waiting, machine facts and result files.

Nothing here asserts a time: the scripts measure ratios side by side in one
run and print them; BENCHMARKS.md records the numbers.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]
HEATMAP = "/voila/render/heatmap.ipynb"
BASELINE = "/voila/render/baseline.ipynb"

BASELINE_NOTEBOOK = {
    "cells": [{
        "cell_type": "code", "execution_count": None, "id": "baseline-0", "metadata": {}, "outputs": [],
        "source": ["import ipywidgets as w\n", "\n", 'w.Button(description="Go")'],
    }],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


# -- files and workshops ---------------------------------------------------------------


_TEMP_DIRS: list[Path] = []


def temp_dir(prefix: str) -> Path:
    """A scratch folder (server log, SQLite file, workbooks copy), removed after a
    successful run unless RELWORKBOOK_BENCH_KEEP=1."""
    path = Path(tempfile.mkdtemp(prefix=f"relworkbook-bench-{prefix}-"))
    _TEMP_DIRS.append(path)
    return path


def run_main(main) -> None:
    """Run a benchmark's main(); tidy its scratch folders if it succeeded, keep
    them (and say where) if it failed."""
    try:
        main()
    except BaseException:
        for path in _TEMP_DIRS:
            print(f"kept for inspection: {path}", file=sys.stderr)
        raise
    if not os.environ.get("RELWORKBOOK_BENCH_KEEP"):
        for path in _TEMP_DIRS:
            shutil.rmtree(path, ignore_errors=True)


def make_workbooks(tmp: Path) -> Path:
    """A copy of the kit's workbooks plus ``baseline.ipynb`` (one ipywidgets Button)."""
    folder = tmp / "workbooks"
    folder.mkdir(parents=True, exist_ok=True)
    for notebook in (ROOT / "workbooks").glob("*.ipynb"):
        shutil.copy(notebook, folder / notebook.name)
    (folder / "baseline.ipynb").write_text(json.dumps(BASELINE_NOTEBOOK, indent=1), encoding="utf-8")
    return folder


def new_workshop(data: Path, workbook: str = "heatmap", **kwargs):
    """Create a workshop of ``workbook`` in ``data`` (the file the server will use)."""
    os.environ["RELWORKBOOK_DATA"] = str(data)
    from relworkbook.store import Store
    from relworkbook.workshops import start_workshop

    store = Store(data)
    try:
        return start_workshop(store, workbook=workbook, **kwargs)
    finally:
        store.close()


# -- the server --------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    base_url: str
    process: subprocess.Popen
    log: Path
    data: Path
    started_kernels: list[int] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def tree(self) -> list[psutil.Process]:
        try:
            me = psutil.Process(self.process.pid)
            return [me, *me.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def kernels(self) -> dict[str, psutil.Process]:
        """Kernel id -> process, for every kernel this server has running."""
        found = {}
        for proc in self.tree()[1:]:
            try:
                cmd = " ".join(proc.cmdline())
            except psutil.Error:
                continue
            if "ipykernel" not in cmd:
                continue
            match = re.search(r"kernel-([0-9a-f-]{36})\.json", cmd)
            if match:
                found[match.group(1)] = proc
        return found

    def connection_file(self, kernel_id: str) -> str | None:
        proc = self.kernels().get(kernel_id)
        if proc is None:
            return None
        match = re.search(r"-f\s+(\S+kernel-" + re.escape(kernel_id) + r"\.json)", " ".join(proc.cmdline()))
        return match.group(1) if match else None

    def stop(self) -> None:
        """Stop the server and its kernels: the process group we created, by its id."""
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=20)


def start_server(tmp: Path, workbooks: Path, data: Path, *extra: str) -> Server:
    port = free_port()
    log = tmp / f"server-{port}.log"
    env = {**os.environ, "RELWORKBOOK_DATA": str(data), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [PYTHON, "-m", "relworkbook.cli", "serve", "--port", str(port), "--data", str(data),
         "--workbooks", str(workbooks), *extra],
        stdout=log.open("w"), stderr=subprocess.STDOUT, env=env, cwd=tmp, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("relworkbook serve exited:\n" + log.read_text())
        try:
            urllib.request.urlopen(base + "/voila/tree", timeout=2).read()
            return Server(base, process, log, data)
        except OSError:
            time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("relworkbook serve did not start:\n" + log.read_text())


def wait_quiet(server: Server, *, min_seconds: float = 0.0, new_kernels: int = 0, known: set[int] | None = None,
               window: float = 0.5, threshold: float = 8.0, timeout: float = 60.0) -> float:
    """Wait until the server's process tree is idle (CPU below ``threshold`` % of
    one core over ``window`` s, twice in a row), at least ``min_seconds`` have
    passed, and ``new_kernels`` kernel processes not in ``known`` exist (a
    preheated pool refilling). Returns the seconds waited."""
    start = time.perf_counter()
    known = known or set()
    quiet_windows = 0
    while time.perf_counter() - start < timeout:
        procs = server.tree()
        for proc in procs:
            try:
                proc.cpu_percent(None)
            except psutil.Error:
                pass
        time.sleep(window)
        busy = 0.0
        for proc in procs:
            try:
                busy += proc.cpu_percent(None)
            except psutil.Error:
                pass
        fresh = [p for p in server.kernels().values() if p.pid not in known]
        ready = len(fresh) >= new_kernels and time.perf_counter() - start >= min_seconds
        quiet_windows = quiet_windows + 1 if busy < threshold else 0
        if ready and quiet_windows >= 2:
            return time.perf_counter() - start
    return time.perf_counter() - start


# -- the browser ---------------------------------------------------------------------------


def launch_chromium(playwright):
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: install Debian's chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


#: Records in the page when ``selector`` first has a size: ``window.__rwFirst``
#: (``performance.now()``, milliseconds since navigation start).
WATCH_FIRST_WIDGET = """
(selector) => {
  window.__rwFirst = null;
  const check = () => {
    if (window.__rwFirst !== null) return;
    const el = document.querySelector(selector);
    if (el) {
      const box = el.getBoundingClientRect();
      if (box.width > 0 && box.height > 0) { window.__rwFirst = performance.now(); return; }
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
}
"""


def local_only(url: str) -> bool:
    """May a benchmark's browser fetch this? Only the server on this machine."""
    return url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:"))


class OfflineContext:
    """A fresh browser context (empty cache) where only 127.0.0.1 answers."""

    def __init__(self, browser):
        self.context = browser.new_context(viewport={"width": 1100, "height": 900})
        self.refused: list[str] = []
        self.context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if local_only(url):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()

    def new_page(self, timeout_ms: int = 120_000):
        page = self.context.new_page()
        page.set_default_timeout(timeout_ms)
        return page

    def close(self):
        self.context.close()


#: The page's config as text (Voila writes the page's kernel id into it), or null before it has arrived.
PAGE_CONFIG_TEXT = ("() => { const el = document.getElementById('jupyter-config-data');"
                    " return el ? el.textContent : null; }")


def kernel_id_in_config(text: str | None) -> str | None:
    """The kernel id in a page's config text (``PAGE_CONFIG_TEXT``), or None."""
    if not text:
        return None
    try:
        return json.loads(text).get("kernelId")
    except ValueError:
        match = re.search(r'"kernelId":\s*"([0-9a-f-]{36})"', text)
        return match.group(1) if match else None


def page_kernel_id(page) -> str | None:
    """The kernel id Voila wrote into the page's config."""
    return kernel_id_in_config(page.evaluate(PAGE_CONFIG_TEXT))


def settle_machine(max_busy: float = 25.0, timeout: float = 90.0) -> dict:
    """Wait (up to ``timeout`` s) until the whole machine is mostly idle, so other
    work on it disturbs the samples less. Returns what was seen."""
    start = time.perf_counter()
    busy = psutil.cpu_percent(interval=1.0)
    while busy > max_busy and time.perf_counter() - start < timeout:
        busy = psutil.cpu_percent(interval=1.0)
    waited = time.perf_counter() - start
    seen = {"cpu_busy_percent": busy, "waited_seconds": round(waited, 1),
            "loadavg": [round(x, 2) for x in os.getloadavg()]}
    if busy > max_busy:
        print(f"  note: the machine is still {busy:.0f}% busy with other work after {waited:.0f} s; "
              "samples may be noisier", flush=True)
    return seen


# -- numbers, tables, machine, results ----------------------------------------------------------


def median(values):
    return statistics.median(values) if values else float("nan")


def percentile(values, q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, int(-(-q * len(ordered) // 100)))  # ceil
    return ordered[min(rank, len(ordered)) - 1]


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


def print_table(title: str, headers: list[str], rows: list[list]) -> None:
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    print(f"\n{title}")
    print("  ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def _fmt(value) -> str:
    if isinstance(value, float):
        return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    return str(value)


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    chromium = ""
    try:
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    versions = {}
    for name in ("voila", "ipykernel", "ipywidgets", "jupyter_server", "altair", "vl-convert-python", "playwright"):
        try:
            from importlib.metadata import version

            versions[name] = version(name)
        except Exception:  # noqa: BLE001
            versions[name] = "?"
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": round(psutil.virtual_memory().total / 1024**3, 1),
        "sqlite": __import__("sqlite3").sqlite_version,
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "chromium": chromium,
        "versions": versions,
    }


def write_results(name: str, data: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"benchmark": name, "machine": machine(), **data}, indent=2), encoding="utf-8")
    print(f"\nresults written to {path.relative_to(ROOT)}")
    return path


# -- a room of phones (herd.py, phone_page.py) ----------------------------------------------

#: A mid-range Android phone's screen, as Chromium's device emulation describes one.
PHONE_CONTEXT = {
    "viewport": {"width": 360, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "user_agent": ("Mozilla/5.0 (Linux; Android 13; Pixel 6a) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/124.0.0.0 Mobile Safari/537.36"),
}


def start_plain_voila(tmp: Path) -> Server:
    """Plain Voila, standalone and with its defaults, serving the one-button notebook at ``/``.

    ``python -m voila --no-browser --port P baseline.ipynb``: what a Voila user
    would run, for the same-run comparison the issue asks for.
    """
    (tmp / "baseline.ipynb").write_text(json.dumps(BASELINE_NOTEBOOK, indent=1), encoding="utf-8")
    port = free_port()
    log = tmp / f"plain-voila-{port}.log"
    process = subprocess.Popen(
        [PYTHON, "-m", "voila", "--no-browser", f"--port={port}", "baseline.ipynb"],
        stdout=log.open("w"), stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=tmp,
        start_new_session=True,
    )
    deadline = time.time() + 90
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("voila exited:\n" + log.read_text())
        # Asking for "/" would start a kernel; the log says when it listens.
        if "is running at" in log.read_text(errors="replace"):
            return Server(f"http://127.0.0.1:{port}", process, log, tmp / "none.sqlite3")
        time.sleep(0.3)
    os.killpg(process.pid, signal.SIGKILL)
    raise RuntimeError("voila did not start:\n" + log.read_text())


def cpu_snapshot(server: Server) -> dict[int, float]:
    """User + system CPU seconds of every process in the server's tree (the server and its kernels)."""
    seen = {}
    for proc in server.tree():
        try:
            times = proc.cpu_times()
            seen[proc.pid] = times.user + times.system
        except psutil.Error:
            continue
    return seen


def cpu_since(server: Server, before: dict[int, float]) -> float:
    """CPU seconds the server's tree has used since ``before`` (processes started since count in full)."""
    now = cpu_snapshot(server)
    return sum(max(0.0, seconds - before.get(pid, 0.0)) for pid, seconds in now.items())


def kernel_memory(server: Server, only: set[str] | None = None) -> dict:
    """How many kernels are running (or those of ``only``), and their RSS in bytes."""
    alive = {kid: proc for kid, proc in server.kernels().items() if only is None or kid in only}
    rss = 0
    for proc in alive.values():
        try:
            rss += proc.memory_info().rss
        except psutil.Error:
            continue
    return {"count": len(alive), "rss_bytes": rss, "ids": sorted(alive)}
