"""The Story Weaving workbook: tell, weave and bottle the spirit.

``StoryWorkbook.for_this_page()`` is all the notebook needs. As with the
heatmap, the package is light: the page (``app.py``, ipywidgets) loads only
when ``StoryWorkbook`` is asked for, and Altair and vl-convert only in the
facilitator's kernel.
"""

from __future__ import annotations

from typing import Any

from .spec import WORKBOOK

__all__ = ["StoryWorkbook", "WORKBOOK"]


def __getattr__(name: str) -> Any:
    if name == "StoryWorkbook":
        from .app import StoryWorkbook

        return StoryWorkbook
    raise AttributeError(f"module 'relworkbook.story' has no attribute {name!r}")
