"""The Binder set-up (binder/) works, as far as this machine can show.

mybinder.org builds the image with repo2docker and Docker; Docker does not run
here, so instead:

* repo2docker, asked only to *write* its Dockerfile (--no-build), reads the
  binder/ folder the way we rely on: Python 3.11 from runtime.txt, the kit
  installed from requirements.txt *after* the repository is copied in (the
  file says ".", a local path), postBuild run, start used as the entrypoint.
* A fresh venv built from nothing but those files, run the way Binder runs
  it (postBuild's config in $HOME, the server started through binder/start
  from the repository root, Voila as a server extension under a /user/...
  prefix), renders every workbook without an error, in HTTP and in Chromium.
* There, opened the way Binder opens it (``?token=...`` in the address), no
  link the kit draws carries the token, the address bar loses it, and the
  welcome screen explains why joining by code is off instead of offering it:
  on a Jupyter server the token lets whoever holds it run code.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
BINDER = REPO / "binder"
WORKBOOKS = REPO / "workbooks"
ROOT_FLAG = ["--allow-root"] if os.geteuid() == 0 else []  # Binder runs as jovyan, CI may be root

# What postBuild must leave in the Jupyter config (see its comments).
EXPECTED_CONFIG = {
    "VoilaConfiguration": {"strip_sources": True, "show_tracebacks": False},
    "ServerApp": {"tornado_settings": {"websocket_max_message_size": 64 * 1024 * 1024}},
}

# A notebook added to the *copy* of the repository we serve. It proves the
# error check can fail (with show_tracebacks off, Voila drops tracebacks and
# stderr, so a "Traceback" check alone would always pass) and that the
# settings and RELWORKBOOK_DATA reach a Voila kernel.
CANARY = "_binder_canary.ipynb"
CANARY_CELLS = [
    "import os, relworkbook  # canary-source-token\n"
    "print('canary-' + 'data=' + os.environ['RELWORKBOOK_DATA'])\n"
    "print('canary-' + 'kit=' + relworkbook.__file__)",
    "raise RuntimeError('canary-' + 'hidden-error')",
]

# Signs, in a rendered page, that a cell failed or wrote to stderr. (Voila
# writes class="jp-RenderedText jp-OutputArea-output", so match the attribute.)
STDERR = 'data-mime-type="application/vnd.jupyter.stderr"'
VOILA_ERROR = "There was an error when executing cell"  # Voila, show_tracebacks off
PROBLEM_MARKERS = [
    "Traceback", STDERR, VOILA_ERROR, "Cell execution timed out", "Error displaying widget",
]  # fmt: skip
try:  # the kit's own "a callback failed" sentence, if it still has one
    from relworkbook.errors import GENERIC_MESSAGE

    PROBLEM_MARKERS.append(GENERIC_MESSAGE.split(".")[0])
except Exception:  # noqa: BLE001 - an optional extra marker only
    pass


def problems(text: str) -> list[str]:
    return [marker for marker in PROBLEM_MARKERS if marker in text]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str, timeout: float) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


def test_repo2docker_reads_the_binder_folder():
    repo2docker = Path(sys.executable).with_name("repo2docker")
    proc = subprocess.run(
        [str(repo2docker), "--no-build", "--debug", str(REPO)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    out = proc.stdout + proc.stderr  # the Dockerfile on stdout, the log on stderr
    assert proc.returncode == 0, out
    lines = proc.stdout.splitlines()

    # runtime.txt: python-3.11 is honoured (no "unspecified" fallback).
    assert "Building conda environment for python=3.11" in out, out
    assert "Python version unspecified" not in out, out

    # requirements.txt is installed only after the whole repository is copied
    # in, because "." needs it (installed earlier, pip would find no project).
    # (--chown=<uid>:<uid> follows the user running repo2docker.)
    copy = re.compile(r"COPY --chown=\S+ src/ \$\{REPO_DIR\}/")
    copy_repo = next(i for i, line in enumerate(lines) if copy.fullmatch(line))
    pip = 'RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r "binder/requirements.txt"'
    assert pip in lines, out
    assert lines.index(pip) > copy_repo, out
    # binder/ wins over the root pyproject.toml: no second, implicit install.
    assert "pip install --no-cache-dir ." not in out, out

    # postBuild runs after the install; start becomes the entrypoint.
    assert lines.index("RUN ./binder/postBuild") > lines.index(pip), out
    assert 'ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in lines, out


def test_start_puts_the_store_in_home_and_keeps_an_explicit_one(tmp_path):
    show = [sys.executable, "-c", "import os; print(os.environ['RELWORKBOOK_DATA'])"]
    env = {k: v for k, v in os.environ.items() if k != "RELWORKBOOK_DATA"}
    env["HOME"] = str(tmp_path)
    run = dict(env=env, capture_output=True, text=True, check=True, timeout=30)
    out = subprocess.run([str(BINDER / "start"), *show], **run).stdout.strip()
    assert Path(out).is_relative_to(tmp_path), out

    env["RELWORKBOOK_DATA"] = str(tmp_path / "mine.sqlite3")
    out = subprocess.run([str(BINDER / "start"), *show], **run).stdout.strip()
    assert out == str(tmp_path / "mine.sqlite3")


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    """A copy of the repository, and a fresh venv built from binder/ only.

    Binder copies the repository into the image and installs from there; a
    copy here too keeps pip's build/ and *.egg-info out of the working tree.
    """
    root = tmp_path_factory.mktemp("binder")
    repo = root / "repo"
    # Leave out what git leaves out (.gitignore): Binder builds from a clone.
    shutil.copytree(REPO, repo, ignore=shutil.ignore_patterns(
        ".git", ".venv", "venv", "__pycache__", ".pytest_cache", ".ipynb_checkpoints", "build", "dist",
        "*.egg-info", "*.sqlite3", "*.sqlite3-*", "test-artifacts"))  # fmt: skip
    home = root / "home"
    home.mkdir()
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"

    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JUPYTER", "PYTHON", "VIRTUAL_ENV", "RELWORKBOOK", "IPYTHON"))
    }
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"  # as on Binder: the env first
    # pip keeps the real HOME, so its download cache is reused between runs.
    subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
         "-r", "binder/requirements.txt"],
        cwd=repo, env=env, check=True, timeout=900,
    )  # fmt: skip

    # From here on HOME is the image's home, as on Binder.
    jupyter_data = home / ".local" / "share" / "jupyter"
    env.update(
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
        JUPYTER_DATA_DIR=str(jupyter_data),
        JUPYTER_RUNTIME_DIR=str(jupyter_data / "runtime"),
        IPYTHONDIR=str(home / ".ipython"),
    )
    subprocess.run(["./binder/postBuild"], cwd=repo, env=env, check=True, timeout=120)
    return {"root": root, "repo": repo, "home": home, "python": python, "env": env}


@pytest.fixture(scope="module")
def binder_server(binder_env):
    """The Jupyter server of that venv, started the way Binder starts it."""
    root, repo = binder_env["root"], binder_env["repo"]
    env = dict(binder_env["env"], RELWORKBOOK_DATA=str(root / "data" / "workshops.sqlite3"))
    cells = [
        {"cell_type": "code", "execution_count": None, "id": f"c{i}", "metadata": {},
         "outputs": [], "source": source}
        for i, source in enumerate(CANARY_CELLS)
    ]  # fmt: skip
    kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    canary = {"cells": cells, "metadata": {"kernelspec": kernelspec}, "nbformat": 4, "nbformat_minor": 5}
    (repo / "workbooks" / CANARY).write_text(json.dumps(canary))

    port = free_port()
    base = f"http://127.0.0.1:{port}/user/binder-test/"  # Binder serves under /user/<id>/
    log_path = root / "server.log"
    log = log_path.open("wb")
    server = subprocess.Popen(
        ["./binder/start", str(binder_env["python"]), "-m", "jupyter_server",
         "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", "--ServerApp.base_url=/user/binder-test/",
         "--IdentityProvider.token=",  # = ServerApp.token='' (that name is deprecated)
         "--ServerApp.password=", f"--ServerApp.root_dir={repo}", *ROOT_FLAG],
        cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # the server and its kernels: one group to stop together
    )  # fmt: skip

    def server_log() -> str:
        log.flush()
        return log_path.read_text(errors="replace")[-6000:]

    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "server exited:\n" + server_log()
            try:
                if get(base + "api/status", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "server never answered:\n" + server_log()
            time.sleep(0.5)
        yield {"base": base, "data": root / "data" / "workshops.sqlite3", "log": server_log, "log_file": log_path}
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)  # the server stops its kernels
            server.wait(timeout=20)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)
        log.close()


@pytest.mark.timeout(900)  # the first user of binder_env: a cold pip cache is slow
def test_postbuild_writes_the_kits_voila_settings(binder_env):
    path = binder_env["home"] / ".jupyter" / "jupyter_server_config.json"
    assert json.loads(path.read_text()) == EXPECTED_CONFIG
    from relworkbook import config  # the same number the kit's own server uses

    websocket = EXPECTED_CONFIG["ServerApp"]["tornado_settings"]["websocket_max_message_size"]
    assert websocket == config.WEBSOCKET_MAX_MESSAGE_BYTES

    # Idempotent: running it again (a rebuild) changes nothing.
    subprocess.run(["./binder/postBuild"], cwd=binder_env["repo"], env=binder_env["env"], check=True)
    assert json.loads(path.read_text()) == EXPECTED_CONFIG

    # And the Jupyter server of that venv, under that HOME, loads it.
    shown = subprocess.run(
        [str(binder_env["python"]), "-m", "jupyter_server", "--show-config", *ROOT_FLAG],
        cwd=binder_env["repo"], env=binder_env["env"], capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    out = shown.stdout + shown.stderr
    assert shown.returncode == 0, out
    assert str(path) in out, out
    assert f".tornado_settings = {{'websocket_max_message_size': {websocket}}}" in out, out
    assert ".show_tracebacks = False" in out, out
    assert ".strip_sources = True" in out, out


@pytest.mark.timeout(900)
def test_every_workbook_renders_in_voila_on_a_binder_like_server(binder_server):
    notebooks = sorted(p.name for p in WORKBOOKS.glob("*.ipynb"))
    assert notebooks, f"no notebooks in {WORKBOOKS}"
    assert "index.ipynb" in notebooks, "the Binder badge opens workbooks/index.ipynb"
    render = binder_server["base"] + "voila/render/workbooks/"

    # The canary first: the checks can fail, and settings and env arrive.
    status, html = get(render + CANARY, timeout=120)
    assert status == 200, binder_server["log"]()
    assert f"canary-data={binder_server['data']}" in html, "RELWORKBOOK_DATA did not reach the kernel"
    kit = html.split("canary-kit=", 1)[1].split("\n", 1)[0]
    assert "/venv/lib/" in kit and "site-packages" in kit, f"kit imported from {kit}, not the venv"
    assert "canary-source-token" not in html, "sources are not stripped"
    assert "canary-hidden-error" not in html, "tracebacks reach visitors"
    assert {STDERR, VOILA_ERROR} <= set(problems(html)), "the error check cannot see a failing cell"

    failures = {}
    for name in notebooks:
        status, html = get(render + name, timeout=120)
        if status != 200 or problems(html):
            failures[name] = (status, problems(html))
    assert not failures, f"{failures}\n--- server log ---\n{binder_server['log']()}"


# Binder's own address carries the server's token. This test server has none
# (token auth off), so the parameter is simply ignored by it, yet the kit sees
# it in the page's query exactly as it would on mybinder.org.
BINDER_TOKEN = "binder-t0ken"


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_badge_page_shows_its_widgets_and_links_stay_on_binder(binder_server, offline):
    """What a visitor of the badge sees: widgets drawn, links under /user/<id>/, never the token, and
    nothing asked of any other host (the kit's Jupyter extension gives Voila the kit's templates)."""
    from relworkbook.content import load_ui

    ui = load_ui()
    base = binder_server["base"]
    render = base + "voila/render/workbooks/"
    browser = offline()
    page = browser.new_page()
    try:
        page.goto(render + f"index.ipynb?token={BINDER_TOKEN}")
        links = page.locator(".jupyter-widgets a[href*='.ipynb']")  # drawn by a widget
        links.first.wait_for()
        hrefs = links.evaluate_all("links => links.map(a => a.href)")
        text = page.locator("body").inner_text()
        assert not problems(text), text
        assert ui("landing_shared") in text

        for href in hrefs:  # relative links, so they keep Binder's prefix and folder
            assert href.startswith(render), f"{href} leaves {render}"
            assert "token" not in href, f"{href} hands out the server's token"
            page.goto(href + f"?token={BINDER_TOKEN}")
            page.locator(".jupyter-widgets").first.wait_for()
            page.get_by_text(ui("shared_title")).wait_for()  # no joining by code on a Jupyter server
            page.wait_for_timeout(1000)  # let late widgets draw
            text = page.locator("body").inner_text()
            assert not problems(text), f"{href}:\n{text}"
            assert page.get_by_role("button", name=ui("join_button")).count() == 0
            drawn = page.locator(".jupyter-widgets").evaluate_all("els => els.map(e => e.innerHTML).join(' ')")
            assert BINDER_TOKEN not in drawn and "token=" not in drawn, href

        # A join link opened with the token: the explanation, and the address bar loses the token.
        page.goto(render + f"heatmap.ipynb?token={BINDER_TOKEN}&join=ABCDEF")
        page.get_by_text(ui("shared_title")).wait_for()
        page.wait_for_function("() => !window.location.search.includes('token')")
        assert page.url == render + "heatmap.ipynb?join=ABCDEF", page.url
        assert browser.refused == [], f"pages on the Jupyter server asked other hosts: {browser.refused}"
    finally:
        page.close()


def kernel_ids(base: str) -> set[str]:
    status, body = get(base + "api/kernels", timeout=30)
    assert status == 200, body
    return {kernel["id"] for kernel in json.loads(body)}


@pytest.mark.browser
@pytest.mark.timeout(300)
def test_closed_and_reloaded_pages_free_their_kernels_on_a_jupyter_server(binder_server, offline):
    """In extension mode too, a page's kernel (about 55 MB) goes with the page, not at a cull 30 minutes on.

    Voila's page says goodbye with the ``_xsrf`` value from its cookie; on a Jupyter server nothing set that
    cookie, so the goodbye was refused and every closed or reloaded page left its kernel running.
    """
    base = binder_server["base"]
    before = kernel_ids(base)
    page = offline().new_page()
    page.goto(base + "voila/render/workbooks/heatmap.ipynb")
    page.locator(".widget-button").first.wait_for()
    first = kernel_ids(base) - before
    assert len(first) == 1, first

    page.reload()  # a reload is a close and an open: the old kernel goes, the new one stays
    page.locator(".widget-button").first.wait_for()
    deadline = time.monotonic() + 120
    while first & kernel_ids(base) and time.monotonic() < deadline:
        time.sleep(1)
    assert not first & kernel_ids(base), "the reloaded page's old kernel still runs\n" + binder_server["log"]()
    second = kernel_ids(base) - before
    assert len(second) == 1, second

    page.close()
    deadline = time.monotonic() + 120
    while second & kernel_ids(base) and time.monotonic() < deadline:
        time.sleep(1)
    assert not second & kernel_ids(base), "the closed page's kernel still runs\n" + binder_server["log"]()
    assert "relworkbook: Voila's pages now stop their kernels" in binder_server["log_file"].read_text()
