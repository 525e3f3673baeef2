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
from dataclasses import dataclass, field
from urllib.parse import parse_qs

#: Query parameters that belong to the hosting server (Binder, JupyterHub) and
#: must travel along in links we hand out, or the link would not open.
PASS_THROUGH = ("token",)


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
    with connect(url, open_timeout=10, close_timeout=1) as ws:
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
    def from_query(cls, query: str, script_name: str = "/voila/render/heatmap.ipynb") -> "PageContext":
        params = {k: v[-1] for k, v in parse_qs(query.lstrip("?"), keep_blank_values=True).items()}
        return cls(params=params, script_name=script_name, server_name="127.0.0.1", server_port="8866")

    def get(self, name: str) -> str:
        return self.params.get(name, "").strip()

    def passthrough(self) -> dict[str, str]:
        return {k: self.params[k] for k in PASS_THROUGH if self.params.get(k)}

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
