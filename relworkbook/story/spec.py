"""Story weaving's registration: light to import, every hook loads its code lazily."""

from __future__ import annotations

from typing import Any

from ..registry import WorkbookSpec

WORKBOOK = "story-weaving"


def _load_pack(settings=None):
    from .pack import load_story_pack

    return load_story_pack(settings)


def _payload_check(pack):
    from .model import check_import

    return lambda answers: check_import(pack, answers, None)


def _share(pack, workshop, responses):
    from .sharing import share_responses

    return share_responses(pack, workshop, responses)


def _tidy(pack, workshop, responses) -> tuple[list[dict[str, Any]], list[str]]:
    from .storybook import facilitator_rows

    return facilitator_rows(pack, workshop, responses)


def _export_files(pack, workshop, responses, notes):
    from .storybook import export_files

    return export_files(pack, workshop, responses)


def _withdraw(published, live):
    from .sharing import withdraw

    return withdraw(published, live)


SPEC = WorkbookSpec(
    name=WORKBOOK,
    notebook="story-weaving.ipynb",
    pack_file="story-weaving.yaml",
    app="relworkbook.story.app:StoryWorkbook",
    participant_view="relworkbook.story.participant:StoryParticipantView",
    facilitator_view="relworkbook.story.facilitator:StoryFacilitatorView",
    solo_view="relworkbook.story.participant:StorySoloView",
    load_pack=_load_pack,
    payload_check=_payload_check,
    share=_share,
    tidy=_tidy,
    export_files=_export_files,
    withdraw=_withdraw,
)
