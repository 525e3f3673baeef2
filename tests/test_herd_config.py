"""No empty pages when a room arrives at once (issue 9): the cause, shown, and the kit's setting that fixes it.

With ten phones at once on 2 cores, 1 page in 10 came without its widgets and
the server logged "Timeout waiting for IOPub output". Voila runs the notebook
with nbclient, which, once a cell's reply has come, waits only 4 s
(``iopub_timeout``) for the rest of the cell's output; a busy server reads
that output (the widgets) later than that, and the page is sent without it.

Here a notebook's output reaches the server about 6 s after its reply on any
machine: the kernel's output thread is held for 7 s and its flushes give up
after 0.2 s, so the reply goes first. That is what a loaded server sees.
Real ``relworkbook serve``, real kernels, real HTTP.
"""

from __future__ import annotations

import json
import shutil
import urllib.request

import pytest

from conftest import ROOT, start_server, stop_server
from relworkbook.cli import build_parser, voila_config
from relworkbook.readiness import MAX_READY_PAGES

pytestmark = pytest.mark.voila

#: The widget's place in the page: without it the page is empty.
WIDGET_VIEW = b"application/vnd.jupyter.widget-view+json"
LATE_OUTPUT = [
    "import sys, time\n",
    "import ipywidgets as w\n",
    "# The reply may leave before the output does (as on a busy server).\n",
    "sys.stdout.flush_timeout = sys.stderr.flush_timeout = 0.2\n",
    "get_ipython().kernel.iopub_thread.schedule(lambda: time.sleep(7))\n",
    'w.Button(description="Go")',
]


def late_notebook_folder(tmp_path):
    folder = tmp_path / "workbooks"
    folder.mkdir()
    shutil.copy(ROOT / "workbooks" / "index.ipynb", folder / "index.ipynb")
    notebook = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "late-0", "metadata": {}, "outputs": [],
                   "source": LATE_OUTPUT}],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    (folder / "late.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    return folder


def open_late_page(tmp_path, voila_json: dict | None = None) -> tuple[bytes, str]:
    """The late notebook's page from a real server (fresh kernels), and the server's log."""
    if voila_json is not None:
        (tmp_path / "voila.json").write_text(json.dumps(voila_json), encoding="utf-8")  # read from the server's folder
    server = start_server(tmp_path, "--workbooks", str(late_notebook_folder(tmp_path)), "--pool-size", "0")
    try:
        with urllib.request.urlopen(server.url("/voila/render/late.ipynb"), timeout=120) as response:
            return response.read(), server.log_text()
    finally:
        stop_server(server)


def test_a_page_whose_widgets_reach_the_server_late_still_shows_them(tmp_path):
    page, log = open_late_page(tmp_path)
    assert WIDGET_VIEW in page
    assert "Timeout waiting for IOPub output" not in log


def test_the_cause_with_voilas_own_4_second_wait_the_same_page_is_empty(tmp_path):
    """Voila's default, put back for this server only: the page comes without its widget."""
    page, log = open_late_page(tmp_path, {"VoilaExecutor": {"iopub_timeout": 4}})
    assert WIDGET_VIEW not in page
    assert "Timeout waiting for IOPub output" in log


def test_the_serve_settings_for_a_room():
    args = build_parser().parse_args(["serve"])
    assert args.ready_max == MAX_READY_PAGES  # the CLI's default is the one cap readiness.py explains
    config = voila_config(args, ROOT / "workbooks")
    assert config.KitVoila.ready_max == MAX_READY_PAGES
    assert config.VoilaExecutor.iopub_timeout >= 60 and config.VoilaExecutor.startup_timeout >= 60
    assert voila_config(build_parser().parse_args(["serve", "--ready-max", "0"]), ROOT).KitVoila.ready_max == 0
