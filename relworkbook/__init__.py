"""relworkbook: The Relationships Project's workshop tools as Voila widget notebooks.

The public API is flat and loaded lazily, so ``import relworkbook`` costs
almost nothing on a participant's kernel.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "HeatmapWorkbook": "relworkbook.heatmap",
    "StoryWorkbook": "relworkbook.story",
    "PersonaWorkbook": "relworkbook.persona.app",
    "Settings": "relworkbook.config",
    "FriendlyError": "relworkbook.errors",
    "Store": "relworkbook.store",
    "open_store": "relworkbook.store",
    "load_heatmap": "relworkbook.content",
    "load_ui": "relworkbook.content",
    "ContentError": "relworkbook.content",
    "start_workshop": "relworkbook.workshops",
    "join": "relworkbook.workshops",
    "specs": "relworkbook.registry",
    "spec_for": "relworkbook.registry",
    "WorkbookSpec": "relworkbook.registry",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'relworkbook' has no attribute {name!r}")
