"""Story weaving's page: the shell with the story's three views (imports ipywidgets)."""

from __future__ import annotations

from ..components.shell import WorkbookShell
from ..workshops import FacilitatorAccess, Membership
from .spec import WORKBOOK


class StoryWorkbook(WorkbookShell):
    workbook = WORKBOOK

    @classmethod
    def prepare(cls, settings) -> None:
        super().prepare(settings)
        from . import participant  # noqa: F401 - the participant's path, not the facilitator's
        from .pack import load_story_pack

        load_story_pack(settings)

    @property
    def pack(self):
        from .pack import load_story_pack

        return load_story_pack(self.settings)

    def participant_view(self, membership: Membership, resumed: bool):
        from .participant import StoryParticipantView

        return StoryParticipantView(pack=self.pack, store=self.require_store(), membership=membership)

    def facilitator_view(self, access: FacilitatorAccess):
        from .facilitator import StoryFacilitatorView

        return StoryFacilitatorView(pack=self.pack, ui=self.ui, store=self.require_store(), access=access)

    def solo_view(self):
        from .participant import StorySoloView

        return StorySoloView(pack=self.pack)


