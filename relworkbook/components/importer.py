"""ImportPanel: add answers from response files (separate Binder sessions, other servers).

The facilitator may choose many files at once. Each file is imported whole or
not at all, one bad file does not stop the good ones, and the panel ends with
one summary: answers added (from how many files), answers skipped because they
were already here, and every refused file with its reason. A file from another
workshop waits until the facilitator says whether to add it.
"""

from __future__ import annotations

from typing import Callable, Sequence

import ipywidgets as widgets

from ..config import MAX_UPLOAD_BYTES
from ..content import UiText
from ..errors import FriendlyError, guarded
from ..exchange import Imported, OtherWorkshopFile, PayloadCheck, file_label, import_file
from ..store import Store, Workshop
from ..text import esc
from .status import StatusLine


def summary(ui: UiText, imported: Sequence[Imported], refused: Sequence[str], waiting: bool = False) -> str:
    """One message for a batch of files, so a facilitator who chose twenty files reads one line, not twenty."""
    parts = []
    added_from = [r for r in imported if r.added]
    added, skipped = sum(r.added for r in imported), sum(r.skipped for r in imported)
    if len(added_from) == 1:
        parts.append(ui("imported", added=added, name=added_from[0].name))
    elif added_from:
        parts.append(ui("imported_many", added=added, files=len(added_from)))
    elif len(imported) == 1:
        parts.append(ui("import_nothing_new", name=imported[0].name))
    elif imported:
        parts.append(ui("import_nothing_new_many", files=len(imported)))
    if skipped:
        parts.append(ui("import_skipped", skipped=skipped))
    parts.extend(refused)
    if waiting:
        parts.append(ui("import_other_waiting"))
    return " ".join(parts)


def _oversized(ui: UiText, name: str, size: int) -> FriendlyError:
    return FriendlyError(ui("import_too_big", name=name, size=f"{size / 1_048_576:.1f}",
                            limit=MAX_UPLOAD_BYTES // 1_048_576))


class ImportPanel(widgets.VBox):
    def __init__(
        self, *, ui: UiText, store: Store, workbook: str, workshop: Callable[[], Workshop],
        check_payload: PayloadCheck, on_imported: Callable[[int], None],
    ):
        self.ui, self.store, self.workbook = ui, store, workbook
        self._workshop, self._check, self._on_imported = workshop, check_payload, on_imported
        #: Files from another workshop waiting for the facilitator's choice: name -> (data, why).
        self.pending: dict[str, tuple[bytes, OtherWorkshopFile]] = {}
        self.status = StatusLine()
        self.upload = widgets.FileUpload(accept=".json,application/json", multiple=True,
                                         description=ui("import_choose"))
        self.upload.observe(guarded(self.status.error)(self._uploaded), names="value")
        self.other_list = widgets.HTML()
        self.add_anyway = widgets.Button(description=ui("import_add_anyway"), button_style="warning")
        self.leave_out = widgets.Button(description=ui("import_leave_out"))
        self.add_anyway.on_click(guarded(self.status.error)(self.add_other_files))
        self.leave_out.on_click(guarded(self.status.error)(self.leave_other_files))
        self.other = widgets.VBox([self.other_list, widgets.HBox([self.add_anyway, self.leave_out])])
        self.other.layout.display = "none"
        super().__init__([widgets.HTML(f"<h3>{esc(ui('import_label'))}</h3>"), self.upload, self.status,
                          self.other])

    def _import(self, name: str, data: bytes, *, allow_other_workshop: bool = False) -> Imported:
        return import_file(self.store, self._workshop(), self.workbook, data, name, self._check,
                           allow_other_workshop=allow_other_workshop)

    def _uploaded(self, change) -> None:
        files = change["new"] or ()
        if not files:
            return
        imported: list[Imported] = []
        refused: list[str] = []
        try:
            for item in files:
                name = item["name"]
                try:
                    if item.get("size", 0) > MAX_UPLOAD_BYTES:
                        raise _oversized(self.ui, file_label(name), item["size"])
                    data = bytes(item["content"])
                    imported.append(self._import(name, data))
                except OtherWorkshopFile as exc:
                    self.pending[name] = (data, exc)
                except FriendlyError as exc:
                    refused.append(exc.message)
        finally:
            # Clear the chooser so the same file can be chosen again.
            self.upload.value = ()
        self._show_other()
        self._report(imported, refused, waiting=bool(self.pending))

    def _report(self, imported: list[Imported], refused: list[str], *, waiting: bool) -> None:
        message = summary(self.ui, imported, refused, waiting)
        if refused:
            self.status.error(message)
        elif imported:
            self.status.success(message)
        else:
            self.status.info(message)
        total = sum(r.added for r in imported)
        if total:
            self._on_imported(total)

    def _show_other(self) -> None:
        items = "".join(
            f"<li>{esc(self.ui('import_other_item', name=exc.name, workshop=exc.where))}</li>"
            for _data, exc in self.pending.values()
        )
        self.other_list.value = (
            f"<p>{esc(self.ui('import_other_heading'))}</p><ul>{items}</ul>"
            f"<p>{esc(self.ui('import_other_question'))}</p>" if self.pending else ""
        )
        self.other.layout.display = None if self.pending else "none"

    def add_other_files(self, _button=None) -> None:
        """The facilitator said yes: add the waiting files from other workshops."""
        waiting, self.pending = self.pending, {}
        imported: list[Imported] = []
        refused: list[str] = []
        for name, (data, _exc) in waiting.items():
            try:
                imported.append(self._import(name, data, allow_other_workshop=True))
            except FriendlyError as exc:
                refused.append(exc.message)
        self._show_other()
        self._report(imported, refused, waiting=False)

    def leave_other_files(self, _button=None) -> None:
        """The facilitator said no: forget the waiting files; nothing of theirs was written."""
        names = ", ".join(exc.name for _data, exc in self.pending.values())
        self.pending = {}
        self._show_other()
        self.status.info(self.ui("import_left_out", names=names))
