"""Shared fixtures: a fresh store per test, a real Voila server, a real browser.

Nothing is mocked. The server is ``relworkbook serve`` itself; the browser is
Debian's Chromium driven by Playwright, with every request that leaves
127.0.0.1 aborted, so a test proves the kit works with no internet.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]

# nbval's kernels and any stray open_store() must never touch a real home folder.
_SESSION_DIR = Path(tempfile.mkdtemp(prefix="relworkbook-tests-"))
os.environ["RELWORKBOOK_DATA"] = str(_SESSION_DIR / "session.sqlite3")
os.environ.pop("RELWORKBOOK_CONTENT", None)
# Widget tests build screens as `relworkbook serve`'s kernels see them (the kit's
# own server, live joining offered); tests of shared Jupyter servers unset it.
os.environ["RELWORKBOOK_STANDALONE"] = "1"
os.environ.pop("RELWORKBOOK_PUBLIC_URL", None)


@pytest.fixture
def store(tmp_path):
    from relworkbook.store import Store

    s = Store(tmp_path / "workshops.sqlite3")
    yield s
    s.close()


@pytest.fixture
def pack():
    from relworkbook.content import load_heatmap

    return load_heatmap()


@pytest.fixture
def ui():
    from relworkbook.content import load_ui

    return load_ui()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def relworkbook_command() -> list[str]:
    return [sys.executable, "-m", "relworkbook.cli"]


class Server:
    def __init__(self, base_url: str, data: Path, process: subprocess.Popen, log: Path):
        self.base_url, self.data, self.process, self.log = base_url, data, process, log

    def url(self, path: str) -> str:
        return self.base_url + path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(tmp: Path, *extra: str, data: Path | None = None) -> Server:
    port = free_port()
    data = data or tmp / "server.sqlite3"
    log = tmp / f"server-{port}.log"
    env = {**os.environ, "RELWORKBOOK_DATA": str(data), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [*relworkbook_command(), "serve", "--port", str(port), "--data", str(data),
         "--workbooks", str(ROOT / "workbooks"), "--show-tracebacks", *extra],
        stdout=log.open("w"), stderr=subprocess.STDOUT, env=env, cwd=tmp,
        start_new_session=True,  # the server and its kernels form one group we can stop (or kill) together
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("relworkbook serve exited:\n" + log.read_text())
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            return Server(base, data, process, log)
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("relworkbook serve did not start:\n" + log.read_text())


def stop_server(server: Server, sig: int = signal.SIGTERM) -> None:
    """Stop the server and every kernel it started (SIGKILL simulates a crash)."""
    try:
        os.killpg(server.process.pid, sig)
        server.process.wait(timeout=15)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=15)


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """One real ``relworkbook serve`` (preheated kernels, tracebacks shown) for the session."""
    srv = start_server(tmp_path_factory.mktemp("server"))
    yield srv
    stop_server(srv)


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium through Playwright. Missing in CI is a failure, never a skip."""
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (see .ci/run)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class OfflineContext:
    """A browser context where only 127.0.0.1 answers; records what was refused."""

    def __init__(self, browser, **options):
        self.context = browser.new_context(**{"viewport": {"width": 1100, "height": 900}, **options})
        self.refused: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._route)

    def _route(self, route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:")):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()

    def new_page(self):
        page = self.context.new_page()
        page.set_default_timeout(60_000)

        def on_dialog(dialog):  # an alert() would mean typed text ran as code
            self.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        return page

    def close(self):
        self.context.close()


@pytest.fixture
def offline(chromium):
    contexts: list[OfflineContext] = []

    def make(**options) -> OfflineContext:
        ctx = OfflineContext(chromium, **options)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()
