"""The Binder set-up (binder/) works, as far as this machine can show.

mybinder.org builds the image with repo2docker and Docker, neither of which
runs here (no Docker engine), so two things are checked instead:

* repo2docker, asked only to *write* its Dockerfile (--no-build), reads the
  binder/ folder the way we rely on: Python 3.11 from runtime.txt, the kit
  installed from requirements.txt *after* the repository is copied in (it
  says ".", a local path), postBuild run, start used as the entrypoint.
* A fresh venv built from nothing but those files, run the way Binder runs
  it (postBuild config in $HOME, server started through binder/start, Voila
  as a server extension), renders every workbook without an error.
"""

from __future__ import annotations

import json
import os
import shutil
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

# What postBuild must leave in the Jupyter config (see its comments).
EXPECTED_CONFIG = {
    "VoilaConfiguration": {"strip_sources": True, "show_tracebacks": False},
    "ServerApp": {"tornado_settings": {"websocket_max_message_size": 64 * 1024 * 1024}},
}

# A notebook we add to the *copy* of the repository we serve. It proves the
# error check below can fail (with show_tracebacks off, "Traceback" and
# stderr never reach the page, so those checks alone would always pass) and
# that the settings and RELWORKBOOK_DATA really reach a Voila kernel.
CANARY = "_binder_canary.ipynb"
CANARY_CELLS = [
    "import os, relworkbook  # canary-source-token\n"
    "print('canary-' + 'data=' + os.environ['RELWORKBOOK_DATA'])\n"
    "print('canary-' + 'kit=' + relworkbook.__file__)",
    "raise RuntimeError('canary-' + 'hidden-error')",
]

# Signs, in a rendered page, that a cell failed or wrote to stderr.
PROBLEM_MARKERS = [
    "Traceback",
    'class="jp-RenderedText" data-mime-type="application/vnd.jupyter.stderr"',
    "application/vnd.jupyter.error",
    "There was an error when executing cell",  # Voila, show_tracebacks off
    "Cell execution timed out",  # Voila
]
try:  # the kit's own "a callback failed" sentence, if it still has one
    from relworkbook.errors import GENERIC_MESSAGE

    PROBLEM_MARKERS.append(GENERIC_MESSAGE.split(".")[0])
except Exception:  # noqa: BLE001 - optional extra marker only
    pass


def problems(html: str) -> list[str]:
    return [marker for marker in PROBLEM_MARKERS if marker in html]


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
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = proc.stdout + proc.stderr  # Dockerfile on stdout, log on stderr
    assert proc.returncode == 0, out

    # runtime.txt: python-3.11 is honoured (no "unspecified" fallback).
    assert "Building conda environment for python=3.11" in out, out
    assert "Python version unspecified" not in out, out

    # requirements.txt: installed, and only after the whole repository is
    # copied in, because "." needs the repository (a pre-assemble install
    # would fail on Binder with "does not appear to be a Python project").
    lines = proc.stdout.splitlines()
    copy_repo = lines.index("COPY --chown=0:0 src/ ${REPO_DIR}/")
    pip_line = '${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r "binder/requirements.txt"'
    assert f"RUN {pip_line}" in lines, out
    assert lines.index(f"RUN {pip_line}") > copy_repo, out
    # The binder/ folder wins over the root pyproject.toml: no second install.
    assert "pip install --no-cache-dir ." not in out, out

    # postBuild runs (after the install), start becomes the entrypoint.
    assert lines.index("RUN ./binder/postBuild") > lines.index(f"RUN {pip_line}"), out
    assert 'ENV R2D_ENTRYPOINT="${REPO_DIR}/binder/start"' in lines, out


def test_start_sets_data_path_in_home_and_keeps_an_explicit_one(tmp_path):
    show = [sys.executable, "-c", "import os; print(os.environ['RELWORKBOOK_DATA'])"]
    env = {k: v for k, v in os.environ.items() if k != "RELWORKBOOK_DATA"}
    env["HOME"] = str(tmp_path)
    out = subprocess.run(
        [str(BINDER / "start"), *show], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert Path(out).parent.parent == tmp_path, out

    env["RELWORKBOOK_DATA"] = str(tmp_path / "mine.sqlite3")
    out = subprocess.run(
        [str(BINDER / "start"), *show], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == str(tmp_path / "mine.sqlite3")


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    """A copy of the repository with a fresh venv built from binder/ only.

    Binder copies the repository into the image and pip-installs from there;
    we do the same with a copy, so pip's build files (build/, *.egg-info)
    never land in the working tree.
    """
    root = tmp_path_factory.mktemp("binder")
    repo = root / "repo"
    shutil.copytree(
        REPO,
        repo,
        ignore=shutil.ignore_patterns(
            ".git", ".venv", "venv", "__pycache__", ".pytest_cache", "build", "*.egg-info"
        ),
    )
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
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # pip keeps the real HOME, so its download cache is reused between runs.
    subprocess.run(
        [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
         "-r", "binder/requirements.txt"],
        cwd=repo, env=env, check=True, timeout=900,
    )  # fmt: skip

    # From here on, HOME is the image's home, as on Binder.
    env.update(
        HOME=str(home),
        JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
        JUPYTER_DATA_DIR=str(home / ".local" / "share" / "jupyter"),
        JUPYTER_RUNTIME_DIR=str(home / ".local" / "share" / "jupyter" / "runtime"),
        IPYTHONDIR=str(home / ".ipython"),
    )
    subprocess.run(["./binder/postBuild"], cwd=repo, env=env, check=True, timeout=120)
    return {"root": root, "repo": repo, "home": home, "python": python, "env": env}


@pytest.mark.timeout(900)  # first user of binder_env: a cold pip cache is slow
def test_postbuild_writes_the_kits_voila_settings(binder_env):
    path = binder_env["home"] / ".jupyter" / "jupyter_server_config.json"
    assert json.loads(path.read_text()) == EXPECTED_CONFIG
    # Same number as the kit's own server uses.
    from relworkbook import config

    assert (
        EXPECTED_CONFIG["ServerApp"]["tornado_settings"]["websocket_max_message_size"]
        == config.WEBSOCKET_MAX_MESSAGE_BYTES
    )

    # Idempotent: a second run (e.g. a rebuild) changes nothing.
    subprocess.run(["./binder/postBuild"], cwd=binder_env["repo"], env=binder_env["env"], check=True)
    assert json.loads(path.read_text()) == EXPECTED_CONFIG


@pytest.mark.timeout(900)
def test_every_workbook_renders_in_voila_on_a_binder_like_server(binder_env):
    notebooks = sorted(p.name for p in WORKBOOKS.glob("*.ipynb"))
    assert notebooks, f"no notebooks in {WORKBOOKS}"
    assert "index.ipynb" in notebooks, "the Binder badge opens workbooks/index.ipynb"

    repo, env = binder_env["repo"], dict(binder_env["env"])
    data = binder_env["root"] / "data" / "workshops.sqlite3"
    env["RELWORKBOOK_DATA"] = str(data)
    (repo / "workbooks" / CANARY).write_text(
        json.dumps(
            {
                "cells": [
                    {"cell_type": "code", "execution_count": None, "id": f"c{i}",
                     "metadata": {}, "outputs": [], "source": src}
                    for i, src in enumerate(CANARY_CELLS)
                ],
                "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                            "language": "python"}},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )  # fmt: skip

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(binder_env["root"] / "server.log", "wb")
    # As on Binder: the server command goes through binder/start, from the
    # repository root, with Voila loaded as a server extension.
    server = subprocess.Popen(
        [
            "./binder/start",
            str(binder_env["python"]), "-m", "jupyter_server",
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            "--ServerApp.token=",
            "--ServerApp.password=",
            f"--ServerApp.root_dir={repo}",
        ],
        cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip

    def server_log() -> str:
        log.flush()
        return (binder_env["root"] / "server.log").read_text(errors="replace")[-6000:]

    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, "server exited:\n" + server_log()
            try:
                if get(f"{base}/api/status", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "server never answered:\n" + server_log()
            time.sleep(0.5)

        # The canary proves the checks can fail, and that the settings and
        # the environment reach the kernel.
        status, html = get(f"{base}/voila/render/workbooks/{CANARY}", timeout=120)
        assert status == 200, server_log()
        assert f"canary-data={data}" in html, "RELWORKBOOK_DATA did not reach the kernel"
        kit = html.split("canary-kit=", 1)[1].split("\n", 1)[0]
        assert "site-packages" in kit, f"kit imported from {kit}, not the venv"
        assert "canary-source-token" not in html, "sources are not stripped"
        assert "canary-hidden-error" not in html, "tracebacks reach visitors"
        assert problems(html), "the error check cannot see a failing cell"

        failures = {}
        for name in notebooks:
            status, html = get(f"{base}/voila/render/workbooks/{name}", timeout=120)
            if status != 200 or problems(html):
                failures[name] = (status, problems(html))
        assert not failures, f"{failures}\n--- server log ---\n{server_log()}"
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
