"""Every setting of the kit, in one place, each with its help text.

Settings come from environment variables so that a Voila kernel (a separate
process started by the server) sees the same values as ``relworkbook serve``,
which exports them before it starts Voila.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

#: name -> (default, help). The CLI prints this table in ``relworkbook --help``.
SETTINGS_HELP: dict[str, tuple[str, str]] = {
    "RELWORKBOOK_DATA": (
        "~/.relworkbook/workshops.sqlite3",
        "SQLite file shared by every kernel of a server (or a sqlite:/// URL).",
    ),
    "RELWORKBOOK_CONTENT": (
        "(built-in English pack)",
        "Folder of YAML files that replaces the built-in content, e.g. a translation.",
    ),
    "RELWORKBOOK_MIN_GROUP": (
        "3",
        "Default k: any cell with fewer respondents is hidden in every view and export.",
    ),
    "RELWORKBOOK_PUBLIC_URL": (
        "(worked out from the browser)",
        "Base address participants use, e.g. https://intranet.example/relworkbook/.",
    ),
}

#: The largest response file a facilitator may upload. Far above any real
#: workshop (1,000 participants is about 1 MB), far below what hurts a server.
MAX_UPLOAD_BYTES = 5 * 1024 * 1024

#: The websocket frame size Voila must accept so the uploader can *see* an
#: oversized file and refuse it politely, instead of the connection dropping.
WEBSOCKET_MAX_MESSAGE_BYTES = 64 * 1024 * 1024

#: Free text limits (characters).
MAX_NAME_CHARS = 40
MAX_LABEL_CHARS = 40
MAX_NOTE_CHARS = 2000

#: How often pages check the store for news (seconds). The facilitator's view
#: must show a new submission within 2 s, so it looks every second.
FACILITATOR_POLL_SECONDS = 1.0
PARTICIPANT_POLL_SECONDS = 2.0


def _default_data_path() -> Path:
    return Path.home() / ".relworkbook" / "workshops.sqlite3"


@dataclass(frozen=True)
class Settings:
    """The values in force for this process."""

    data_url: str = field(default_factory=lambda: "sqlite:///" + str(_default_data_path()))
    content_dir: Path | None = None
    min_group: int = 3
    public_url: str | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        data = env.get("RELWORKBOOK_DATA", "").strip()
        if data and "://" not in data:
            data = "sqlite:///" + str(Path(data).expanduser().resolve())
        content = env.get("RELWORKBOOK_CONTENT", "").strip()
        try:
            min_group = max(1, int(env.get("RELWORKBOOK_MIN_GROUP", "3")))
        except ValueError:
            min_group = 3
        return cls(
            data_url=data or "sqlite:///" + str(_default_data_path()),
            content_dir=Path(content).expanduser() if content else None,
            min_group=min_group,
            public_url=env.get("RELWORKBOOK_PUBLIC_URL", "").strip() or None,
        )
