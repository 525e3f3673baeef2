"""Make ``tests/data/schema1.sqlite3``: a workshop file written by relworkbook's schema 1.

Why: a council that ran workshops with an older kit keeps its file when it
upgrades, so the migration to today's schema must be tested on a file the old
code really wrote, not on an imitation. This script reads ``relworkbook/store.py``
as it was at ``SCHEMA1_COMMIT`` (the last commit whose store has
``SCHEMA_VERSION = 1``) out of git, loads it as a module and uses its own
methods to write the file. Nothing of today's store is used.

Run it from the repository root (it needs git and the repository's history):

    .venv/bin/python tests/data/make_schema1.py

It replaces ``tests/data/schema1.sqlite3``. Timestamps differ on every run;
the contents (``CONTENTS`` below) do not. ``tests/test_store_migrations.py``
opens copies of the file, never the file itself.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

SCHEMA1_COMMIT = "38e8a2c2a1a9f402aa6d010a200b527494dc5287"
ROOT = Path(__file__).resolve().parents[2]
TARGET = Path(__file__).resolve().parent / "schema1.sqlite3"

#: What the file holds: two heatmap workshops; the first has answers in two
#: rounds, notes and a changed setting; the second has fewer answers than k.
CONTENTS = {
    "workshops": [
        {"code": "SCHM1A", "title": "Town hall, spring", "min_group": 3, "current_round": "follow-up",
         "participants": ["p-ana", "p-ben", "p-cai", "p-dev"],
         "answers": {"baseline": {"p-ana": 1, "p-ben": 2, "p-cai": 3, "p-dev": 4},
                     "follow-up": {"p-ana": 5, "p-ben": 4, "p-cai": 3}},
         "notes": [("next-step", "Ask the library about a shared noticeboard"),
                   ("next-step", "Meet again in June <b>bring biscuits</b>")]},
        {"code": "SCHM1B", "title": "Youth council", "min_group": 3, "current_round": "baseline",
         "participants": ["p-eve", "p-fin"],
         "answers": {"baseline": {"p-eve": 2, "p-fin": 5}},
         "notes": []},
    ],
}


def load_schema1_store(commit: str = SCHEMA1_COMMIT):
    """Load store.py as it was at ``commit``, as a module inside the relworkbook package."""
    source = subprocess.run(["git", "show", f"{commit}:relworkbook/store.py"], cwd=ROOT, check=True,
                            capture_output=True, text=True).stdout
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="relworkbook-schema1-") as folder:
        path = Path(folder) / "schema1_store.py"
        path.write_text(source, encoding="utf-8")
        # Named inside the package so its ``from .errors import ...`` still resolves.
        spec = importlib.util.spec_from_file_location("relworkbook._schema1_store", path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module  # dataclasses look their module up here
        spec.loader.exec_module(module)
    assert module.SCHEMA_VERSION == 1, f"store.py at {commit} is not schema 1"
    return module


def make(target: Path = TARGET, commit: str = SCHEMA1_COMMIT) -> Path:
    """Write a schema-1 file at ``target`` with :data:`CONTENTS`, using the old code only."""
    old = load_schema1_store(commit)
    target.unlink(missing_ok=True)
    store = old.Store(target)
    for spec in CONTENTS["workshops"]:
        ws = store.create_workshop(code=spec["code"], workbook="heatmap", title=spec["title"],
                                   key_hash="0" * 64, min_group=spec["min_group"], current_round="baseline")
        for n, uid in enumerate(spec["participants"]):
            store.add_participant(workshop_id=ws.id, uid=uid, token_hash=f"{spec['code']}-{n}".ljust(64, "0"),
                                  display_name=uid[2:].title() if n % 2 == 0 else "", group_label="residents")
        for round_name, answers in spec["answers"].items():
            for uid, value in answers.items():
                store.save_response(old.Response(
                    uid=f"{spec['code']}-{uid}-{round_name}", workshop_id=ws.id, participant_uid=uid,
                    workbook="heatmap", round=round_name, group_label="residents", display_name="",
                    payload={"ratings": {"you-matters": value, "place-matters": 6 - value}},
                    created_at=0, updated_at=0))
        for kind, text in spec["notes"]:
            store.add_note(ws.id, kind, text)
        store.update_workshop(ws.id, current_round=spec["current_round"], settings={"made-by": "schema 1"})
    store.close()  # the last connection checkpoints the WAL into the file and removes it
    return target


if __name__ == "__main__":
    print(f"wrote {make()}")
