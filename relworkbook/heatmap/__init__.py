"""The Relationships Heatmap workbook.

``HeatmapWorkbook.for_this_page()`` is all a notebook needs. The package
itself is light: the page (``app.py``, ipywidgets) loads only when
``HeatmapWorkbook`` is asked for, so the pure model and reports import without
widgets; the facilitator's module (Altair, vl-convert) loads only when a
facilitator view opens, so a participant's kernel stays small.
"""

from __future__ import annotations

from typing import Any

from .spec import WORKBOOK

__all__ = ["HeatmapWorkbook", "WORKBOOK"]


def __getattr__(name: str) -> Any:
    if name == "HeatmapWorkbook":
        from .app import HeatmapWorkbook

        return HeatmapWorkbook
    raise AttributeError(f"module 'relworkbook.heatmap' has no attribute {name!r}")
