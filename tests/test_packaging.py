"""Built as a wheel and installed (not editable), the kit serves every workbook from any folder.

The wheel goes into a fresh venv with ``--no-deps``; the dependencies come
from the test venv through a path file, so the test checks the package's own
contents (notebooks, packs, scripts) without downloading anything.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT, free_port

pytestmark = pytest.mark.voila


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w",
                    str(tmp / "dist"), str(ROOT)], check=True, capture_output=True)
    wheel = next((tmp / "dist").glob("relworkbook-*.whl"))
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # The test venv's packages, but not its editable relworkbook (that is a finder
    # hook in a .pth file, which a plain path line does not run).
    Path(site, "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True,
                   capture_output=True)
    return venv


def test_the_wheel_holds_notebooks_and_packs(installed):
    where = subprocess.run(
        [str(installed / "bin" / "python"), "-c",
         "import relworkbook, relworkbook.cli as c; print(relworkbook.__file__); print(c.find_workbooks(None))"],
        check=True, capture_output=True, text=True, cwd="/", env={**os.environ, "PYTHONPATH": ""},
    ).stdout.split()
    assert str(installed) in where[0], "the installed package, not the checkout, was imported"
    notebooks = Path(where[1])
    assert str(installed) in str(notebooks)
    assert {"index.ipynb", "heatmap.ipynb", "story-weaving.ipynb"} <= {p.name for p in notebooks.glob("*.ipynb")}


def test_serve_from_any_folder_serves_every_workbook(installed, tmp_path):
    port = free_port()
    log = tmp_path / "serve.log"
    # Voila's templates and the widget extensions are data files of the test venv
    # (a real install would have them in its own prefix).
    shared = Path(sysconfig.get_paths()["data"]) / "share" / "jupyter"
    env = {**os.environ, "PYTHONPATH": "", "RELWORKBOOK_DATA": str(tmp_path / "w.sqlite3"), "JUPYTER_PATH": str(shared)}
    process = subprocess.Popen(
        [str(installed / "bin" / "relworkbook"), "serve", "--port", str(port), "--pool-size", "0"],
        cwd=tmp_path, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=2)
                break
            except OSError:
                if time.time() > deadline or process.poll() is not None:
                    pytest.fail("serve did not start:\n" + log.read_text())
                time.sleep(0.3)
        for notebook in ("index.ipynb", "heatmap.ipynb", "story-weaving.ipynb"):
            with urllib.request.urlopen(f"{base}/voila/render/{notebook}", timeout=120) as response:
                html = response.read().decode("utf-8", errors="replace")
            assert "application/vnd.jupyter.widget-view+json" in html, notebook
            assert "Traceback" not in html, notebook
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
