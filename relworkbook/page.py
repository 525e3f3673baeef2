"""What a notebook knows about the page that opened it.

Voila passes the request to the kernel in environment variables
(``QUERY_STRING``, ``SCRIPT_NAME``, ...). With preheated kernels (a council's
``relworkbook serve``) the notebook starts running *before* anyone asks for
it, so it must first wait for the request to arrive. Voila's own helper for
that imports the whole Jupyter server (about 60 MB per kernel); this module
does the same wait with the light websocket client Voila already depends on.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs

STANDALONE = "standalone"
SHARED = "shared"


def hosting_mode(environ: Mapping[str, str]) -> str:
    """``"standalone"`` under ``relworkbook serve``, else ``"shared"``.

    Why it matters: ``relworkbook serve`` (cli.py, server.py) runs Voila on
    its own, and that Voila passes only widget messages from a page to its
    kernel; it refuses ``execute_request``. So a participant's page can move
    sliders, never run code, and live joining by code is safe to offer.

    Anywhere else (Binder, a JupyterHub user server, a plain ``voila`` or
    ``jupyter lab``) Voila runs inside a Jupyter server, and whoever holds
    that server's token can run any code on it: read every answer in the
    store and rewrite the facilitator's key. Handing the address to a room
    would hand over the server, so there the kit offers only what is safe:
    one screen, or each person their own copy and an answers file.

    ``relworkbook serve`` says it is in charge by exporting
    ``RELWORKBOOK_STANDALONE=1`` before Voila starts (kernels inherit it);
    without that word the kit assumes the cautious case.
    """
    value = environ.get("RELWORKBOOK_STANDALONE", "").strip().lower()
    return STANDALONE if value in ("1", "true", "yes") else SHARED


def _mode_from_environment() -> str:
    return hosting_mode(os.environ)


def wait_for_request(timeout: float = 3600.0) -> None:
    """In a preheated Voila kernel, block until a visitor's request arrives."""
    if os.environ.get("VOILA_PREHEAT", "False") == "False":
        return
    from websockets.sync.client import connect

    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    host = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    kernel_id = os.environ.get("VOILA_KERNEL_ID", "")
    url = f"{protocol}://{host}:{port}{base}voila/query/{kernel_id}"
    with connect(url, open_timeout=60, close_timeout=1) as ws:
        info = ws.recv(timeout=timeout)
    for key, value in json.loads(info).items():
        os.environ[key] = value


@dataclass(frozen=True)
class PageContext:
    """The query parameters and address of the page, as the kernel sees them."""

    params: dict[str, str] = field(default_factory=dict)
    script_name: str = ""
    server_name: str = ""
    server_port: str = ""
    #: ``"standalone"`` or ``"shared"`` (see :func:`hosting_mode`).
    hosting: str = field(default_factory=_mode_from_environment)

    @classmethod
    def from_environment(cls) -> "PageContext":
        wait_for_request()
        query = os.environ.get("QUERY_STRING", "")
        params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
        return cls(
            params=params,
            script_name=os.environ.get("SCRIPT_NAME", ""),
            server_name=os.environ.get("SERVER_NAME", ""),
            server_port=os.environ.get("SERVER_PORT", ""),
        )

    @classmethod
    def from_query(cls, query: str, script_name: str = "/voila/render/heatmap.ipynb",
                   hosting: str | None = None) -> "PageContext":
        """A page as a test (or a simulation) describes it; ``hosting`` defaults to the environment's."""
        params = {k: v[-1] for k, v in parse_qs(query.lstrip("?"), keep_blank_values=True).items()}
        return cls(params=params, script_name=script_name, server_name="127.0.0.1", server_port="8866",
                   hosting=hosting or _mode_from_environment())

    def get(self, name: str) -> str:
        return self.params.get(name, "").strip()

    @property
    def live_joining(self) -> bool:
        """May people join a workshop by code here? Only under ``relworkbook serve``."""
        return self.hosting == STANDALONE

    def guessed_base_url(self) -> str:
        """The notebook's address as the server saw it (before the browser tells us)."""
        from .config import Settings

        public = Settings.from_env().public_url
        page = self.script_name.rsplit("/", 1)[-1] or "index.ipynb"
        if public:
            return public.rstrip("/") + "/voila/render/" + page
        host = self.server_name or "127.0.0.1"
        port = f":{self.server_port}" if self.server_port and self.server_port not in ("80", "443") else ""
        return f"http://{host}{port}{self.script_name or '/voila/render/' + page}"


def base_of(href: str) -> str:
    """``https://x/voila/render/heatmap.ipynb?join=1#top`` -> without query and fragment."""
    return href.split("#", 1)[0].split("?", 1)[0]
