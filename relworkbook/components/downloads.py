"""Downloads that work inside Voila.

Voila has no file server for kernel-made files, so a download is a link whose
address carries the file itself (a data: URL with a ``download`` name). The
browser saves it without another request, which also works on Binder.
"""

from __future__ import annotations

import base64

import ipywidgets as widgets

from ..files import DownloadFile
from ..text import esc

__all__ = ["DownloadFile", "DownloadLinks", "download_link_html"]


def download_link_html(file: DownloadFile) -> str:
    encoded = base64.b64encode(file.data).decode("ascii")
    return (
        f'<a class="rw-download" download="{esc(file.filename)}" href="data:{esc(file.mime)};base64,{encoded}"'
        ' style="display:inline-block;margin:4px 6px 4px 0;padding:8px 12px;border:1px solid #1f5fa8;'
        'border-radius:6px;color:#1f5fa8;text-decoration:none">'
        f"&#x2B07; {esc(file.label)}</a>"
    )


class DownloadLinks(widgets.HTML):
    """A row of download links; ``show`` replaces them."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.files: tuple[DownloadFile, ...] = ()

    def show(self, files: list[DownloadFile]) -> None:
        self.files = tuple(files)
        self.value = '<div class="rw-downloads">' + "".join(download_link_html(f) for f in files) + "</div>"
