"""The heatmap's registration: light to import, every hook loads its code lazily."""

from __future__ import annotations

from typing import Any

from ..registry import WorkbookSpec, lazy

WORKBOOK = "heatmap"


def _share(pack, workshop, responses):
    from .model import share

    return share(workshop, responses)


def _tidy(pack, workshop, responses) -> tuple[list[dict[str, Any]], list[str]]:
    from .report import TIDY_COLUMNS, tidy_rows

    return tidy_rows(pack, workshop.code, responses), TIDY_COLUMNS


SPEC = WorkbookSpec(
    name=WORKBOOK,
    notebook="heatmap.ipynb",
    pack_file="heatmap.yaml",
    app="relworkbook.heatmap.app:HeatmapWorkbook",
    participant_view="relworkbook.heatmap.participant:ParticipantView",
    facilitator_view="relworkbook.heatmap.facilitator:FacilitatorView",
    solo_view="relworkbook.heatmap.participant:SoloView",
    load_pack=lazy("relworkbook.content:load_heatmap"),
    payload_check=lazy("relworkbook.heatmap.model:payload_check"),
    share=_share,
    tidy=_tidy,
    export_files=lazy("relworkbook.heatmap.report:export_files"),
)
