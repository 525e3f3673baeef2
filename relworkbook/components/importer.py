"""ImportPanel: add answers from response files (separate Binder sessions, other servers)."""

from __future__ import annotations

from typing import Callable

import ipywidgets as widgets

from ..config import MAX_UPLOAD_BYTES
from ..content import UiText
from ..errors import FriendlyError, guarded
from ..exchange import PayloadCheck, import_responses
from ..store import Store, Workshop
from ..text import esc
from .status import StatusLine


class ImportPanel(widgets.VBox):
    def __init__(
        self, *, ui: UiText, store: Store, workbook: str, workshop: Callable[[], Workshop],
        check_payload: PayloadCheck, on_imported: Callable[[int], None],
    ):
        self.ui, self.store, self.workbook = ui, store, workbook
        self._workshop, self._check, self._on_imported = workshop, check_payload, on_imported
        self.status = StatusLine()
        self.upload = widgets.FileUpload(accept=".json,application/json", multiple=True,
                                         description="Choose files")
        self.upload.observe(guarded(self.status.error)(self._uploaded), names="value")
        super().__init__([widgets.HTML(f"<h3>{esc(ui('import_label'))}</h3>"), self.upload, self.status])

    def _uploaded(self, change) -> None:
        files = change["new"] or ()
        if not files:
            return
        messages, refused, total = [], False, 0
        # Each file is imported whole or not at all; one bad file does not
        # stop the good ones, and the message says which was which.
        for item in files:
            name = item["name"]
            try:
                if item.get("size", 0) > MAX_UPLOAD_BYTES:
                    raise FriendlyError(
                        f"{name} is {item['size'] / 1_048_576:.1f} MB; the limit is "
                        f"{MAX_UPLOAD_BYTES // 1_048_576} MB. Nothing was imported from it."
                    )
                added = import_responses(
                    self.store, self._workshop(), self.workbook, bytes(item["content"]), name, self._check
                )
            except FriendlyError as exc:
                refused = True
                messages.append(exc.message)
                continue
            total += added
            messages.append(self.ui("imported", added=added, name=name) if added
                            else self.ui("import_nothing_new", name=name))
        # Clear the chooser so the same file can be chosen again.
        self.upload.value = ()
        (self.status.error if refused else self.status.success)(" ".join(messages))
        if total:
            self._on_imported(total)
