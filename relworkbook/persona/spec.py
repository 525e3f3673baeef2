"""Persona mapping's registration: light to import, every hook loads its code lazily."""

from __future__ import annotations

from ..registry import WorkbookSpec, lazy

WORKBOOK = "persona-mapping"

SPEC = WorkbookSpec(
    name=WORKBOOK,
    notebook="persona-mapping.ipynb",
    pack_file="persona-mapping.yaml",
    app="relworkbook.persona.app:PersonaWorkbook",
    participant_view="relworkbook.persona.participant:PersonaParticipantView",
    facilitator_view="relworkbook.persona.facilitator:PersonaFacilitatorView",
    solo_view="relworkbook.persona.participant:PersonaSoloView",
    load_pack=lazy("relworkbook.persona.pack:load_persona_pack"),
    payload_check=lazy("relworkbook.persona.model:payload_check"),
    share=lazy("relworkbook.persona.model:share"),
    tidy=lazy("relworkbook.persona.report:tidy_rows"),
    export_files=lazy("relworkbook.persona.report:export_files"),
)
