"""The heatmap's registration: light to import, every hook loads its code lazily."""

from __future__ import annotations

from typing import Any

from ..registry import WorkbookSpec

WORKBOOK = "heatmap"


def _load_pack(settings=None):
    from ..content import load_heatmap

    return load_heatmap(settings)


def _payload_check(pack):
    from .model import payload_check

    return payload_check(pack)


def _share(pack, workshop, responses):
    from .model import share

    return share(workshop, responses)


def _tidy(pack, workshop, responses) -> tuple[list[dict[str, Any]], list[str]]:
    from .report import TIDY_COLUMNS, tidy_rows

    return tidy_rows(pack, workshop.code, responses), TIDY_COLUMNS


def _export_files(pack, workshop, responses, notes):
    from .report import export_files

    return export_files(pack, workshop, responses, notes)


SPEC = WorkbookSpec(
    name=WORKBOOK,
    notebook="heatmap.ipynb",
    pack_file="heatmap.yaml",
    app="relworkbook.heatmap.app:HeatmapWorkbook",
    participant_view="relworkbook.heatmap.participant:ParticipantView",
    facilitator_view="relworkbook.heatmap.facilitator:FacilitatorView",
    solo_view="relworkbook.heatmap.participant:SoloView",
    load_pack=_load_pack,
    payload_check=_payload_check,
    share=_share,
    tidy=_tidy,
    export_files=_export_files,
)
