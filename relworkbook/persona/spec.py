"""Persona mapping's registration: light to import, every hook loads its code lazily."""

from __future__ import annotations

from typing import Any

from ..registry import WorkbookSpec

WORKBOOK = "persona-mapping"


def _load_pack(settings=None):
    from .pack import load_persona_pack

    return load_persona_pack(settings)


def _payload_check(pack):
    from .model import payload_check

    return payload_check(pack)


def _share(pack, workshop, responses):
    from .model import share

    return share(pack, workshop, responses)


def _tidy(pack, workshop, responses) -> tuple[list[dict[str, Any]], list[str]]:
    from .report import tidy_rows

    return tidy_rows(pack, workshop, responses)


def _export_files(pack, workshop, responses, notes):
    from .report import export_files

    return export_files(pack, workshop, responses, notes)


SPEC = WorkbookSpec(
    name=WORKBOOK,
    notebook="persona-mapping.ipynb",
    pack_file="persona-mapping.yaml",
    app="relworkbook.persona.app:PersonaWorkbook",
    participant_view="relworkbook.persona.participant:PersonaParticipantView",
    facilitator_view="relworkbook.persona.facilitator:PersonaFacilitatorView",
    solo_view="relworkbook.persona.participant:PersonaSoloView",
    load_pack=_load_pack,
    payload_check=_payload_check,
    share=_share,
    tidy=_tidy,
    export_files=_export_files,
)
