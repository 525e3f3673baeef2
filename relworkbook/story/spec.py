"""Story weaving's registration: light to import, every hook loads its code lazily."""

from __future__ import annotations

from ..registry import WorkbookSpec, lazy

WORKBOOK = "story-weaving"


def _payload_check(pack):
    from .model import check_import

    return lambda answers: check_import(pack, answers, None)


def _export_files(pack, workshop, responses, notes):
    from .storybook import export_files

    return export_files(pack, workshop, responses)  # its pins and hides live in the workshop's settings, not notes


SPEC = WorkbookSpec(
    name=WORKBOOK,
    notebook="story-weaving.ipynb",
    pack_file="story-weaving.yaml",
    app="relworkbook.story.app:StoryWorkbook",
    participant_view="relworkbook.story.participant:StoryParticipantView",
    facilitator_view="relworkbook.story.facilitator:StoryFacilitatorView",
    solo_view="relworkbook.story.participant:StorySoloView",
    load_pack=lazy("relworkbook.story.pack:load_story_pack"),
    payload_check=_payload_check,
    share=lazy("relworkbook.story.sharing:share_responses"),
    tidy=lazy("relworkbook.story.storybook:facilitator_rows"),
    export_files=_export_files,
    withdraw=lazy("relworkbook.story.sharing:withdraw"),
)
