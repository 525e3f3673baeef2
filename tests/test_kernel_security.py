"""Under ``relworkbook serve`` a page's kernel takes widget messages, never code.

Live joining by code is offered only there (see ``relworkbook.page.
hosting_mode``) because Voila on its own passes a page's widget messages to
the kernel and drops ``execute_request``. This test does what a curious
participant could do with the browser's console: open their page's kernel
websocket and ask it to run code that writes a file. The same request to
Voila inside a Jupyter server (Binder, JupyterHub) does run: the reason the
kit shows no token in any link and offers no joining by code there.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid

import pytest
from websockets.sync.client import connect

from conftest import ROOT, free_port, start_server, stop_server

pytestmark = pytest.mark.voila

CONFIG = re.compile(r'<script id="jupyter-config-data" type="application/json">\s*(.*?)\s*</script>', re.S)
WIDGET_VIEW = re.compile(r'application/vnd\.jupyter\.widget-view\+json[^}]*?"model_id":\s*"([0-9a-f]{32})"', re.S)


def message(msg_type: str, content: dict, session: str) -> str:
    """A Jupyter message as JupyterLab's kernel connection sends it over the websocket (JSON form)."""
    header = {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "username": "participant", "session": session,
              "date": "2024-01-01T00:00:00.000Z", "version": "5.3"}
    return json.dumps({"header": header, "parent_header": {}, "metadata": {}, "content": content,
                       "channel": "shell", "buffers": []})


def replies(ws, seconds: float) -> list[dict]:
    """Every text message the kernel sends within ``seconds``."""
    received, deadline = [], time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        try:
            raw = ws.recv(timeout=left)
        except TimeoutError:
            break
        if isinstance(raw, str):
            received.append(json.loads(raw))
    return received


class Attempt:
    """What happened when a page's websocket asked its kernel to run code."""

    def __init__(self, base_url: str, page: str, tmp_path, token: str = ""):
        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with browser.open(base_url + page, timeout=120) as response:
            html = response.read().decode("utf-8", "replace")
        config, view = CONFIG.search(html), WIDGET_VIEW.search(html)
        assert config and view, "the page did not draw its widgets:\n" + html[-3000:]
        kernel_id = json.loads(config.group(1))["kernelId"]
        root_model = view.group(1)  # the shell the page draws
        session = uuid.uuid4().hex
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)  # what the page's own websocket carries
        ws_base = base_url.replace("http://", "ws://", 1)
        url = f"{ws_base}/api/kernels/{kernel_id}/channels?session_id={session}" + (f"&token={token}" if token else "")
        self.target = tmp_path / f"written-by-a-page-{uuid.uuid4().hex[:6]}.txt"

        with connect(url, additional_headers={"Cookie": cookie}, open_timeout=30) as ws:
            ws.send(message("execute_request", {
                "code": f"open({str(self.target)!r}, 'w').write('the page ran code')",
                "silent": False, "store_history": False, "user_expressions": {}, "allow_stdin": False,
                "stop_on_error": True,
            }, session))
            self.after_code = replies(ws, 5)
            # The same connection still carries what widgets need.
            ws.send(message("comm_msg", {"comm_id": root_model, "data": {"method": "request_state"}}, session))
            widget_traffic = replies(ws, 10)

        self.executed = [m for m in self.after_code if m["header"]["msg_type"] == "execute_reply"
                         and m["content"].get("status") == "ok"]
        self.states = [m["content"]["data"] for m in widget_traffic
                       if m["header"]["msg_type"] == "comm_msg" and m["content"].get("comm_id") == root_model]

    @property
    def wrote(self) -> bool:
        return self.target.exists()

    @property
    def widgets_answered(self) -> bool:
        return any(d.get("method") == "update" and "children" in d.get("state", {}) for d in self.states)


def test_a_participant_page_cannot_run_code_in_its_kernel(tmp_path):
    server = start_server(tmp_path)
    try:
        attempt = Attempt(server.base_url, "/voila/render/heatmap.ipynb?join=XXXXXX", tmp_path)
        assert not attempt.executed, attempt.executed
        assert not any(m["header"]["msg_type"] in ("execute_input", "execute_result", "stream")
                       for m in attempt.after_code)
        assert not attempt.wrote, "a page made its kernel run code"
        assert 'Received message of type "execute_request", which is not allowed' in server.log_text()
        assert attempt.widgets_answered, attempt.states
    finally:
        stop_server(server)


def test_inside_a_jupyter_server_the_same_page_can_run_code(tmp_path):
    """Why the kit offers no joining by code there: the token in a link is the key to the server.

    Voila as a Jupyter server extension, as on Binder or JupyterHub. This is
    also the check that the test above could fail: the same request, sent the
    same way, does run code here.
    """
    port, token = free_port(), "abc123"
    env = {k: v for k, v in os.environ.items() if k != "RELWORKBOOK_STANDALONE"}
    env.update(RELWORKBOOK_DATA=str(tmp_path / "hub.sqlite3"), JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"))
    log = (tmp_path / "jupyter-server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={ROOT / 'workbooks'}", *(["--allow-root"] if os.geteuid() == 0 else [])],
        env=env, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (tmp_path / "jupyter-server.log").read_text()
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "jupyter-server.log").read_text()
                time.sleep(0.3)
        attempt = Attempt(base, f"/voila/render/heatmap.ipynb?token={token}&join=XXXXXX", tmp_path, token)
        assert attempt.executed and attempt.wrote
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=20)
        log.close()
