"""Schema migrations, on a file the old code really wrote.

``tests/data/schema1.sqlite3`` was made by ``tests/data/make_schema1.py`` with
relworkbook's schema-1 store, read out of git. A council upgrading the kit
keeps that file: opening it must bring it to today's schema once, keep every
row, and show everything it showed before (schema 1 showed every answer live),
and a file from a newer kit must be refused and left alone. Tests work on
copies; the fixture itself is never opened.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from relworkbook import sharing
from relworkbook.errors import FriendlyError
from relworkbook.store import SCHEMA_VERSION, Response, Store

DATA = Path(__file__).resolve().parent / "data"
FIXTURE = DATA / "schema1.sqlite3"
OLD_TABLES = ("workshops", "participants", "responses", "notes")


def _maker():
    """tests/data/make_schema1.py as a module (its CONTENTS say what the fixture holds)."""
    spec = importlib.util.spec_from_file_location("make_schema1", DATA / "make_schema1.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CONTENTS = _maker().CONTENTS


@pytest.fixture
def old_file(tmp_path) -> Path:
    path = tmp_path / "workshops.sqlite3"
    shutil.copy(FIXTURE, path)
    return path


def raw_rows(path: Path) -> dict[str, list[tuple]]:
    """Every row of the schema-1 tables, read with plain sqlite3 (no kit code)."""
    db = sqlite3.connect(path)
    try:
        return {table: db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall() for table in OLD_TABLES}
    finally:
        db.close()


def raw(path: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def on_disk(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


def expected_answers(spec: dict) -> set[tuple[str, str, int]]:
    return {(uid, round, value) for round, answers in spec["answers"].items() for uid, value in answers.items()}


def test_the_fixture_is_a_schema_1_file_with_what_its_script_says(old_file):
    assert raw(old_file, "PRAGMA user_version") == [(1,)]
    tables = {name for (name,) in raw(old_file, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == set(OLD_TABLES)
    rows = raw_rows(old_file)
    workshops = CONTENTS["workshops"]
    assert [w[1] for w in rows["workshops"]] == [w["code"] for w in workshops]
    assert len(rows["participants"]) == sum(len(w["participants"]) for w in workshops)
    assert len(rows["responses"]) == sum(len(expected_answers(w)) for w in workshops)
    assert len(rows["notes"]) == sum(len(w["notes"]) for w in workshops)


def test_opening_a_schema_1_file_migrates_it_and_keeps_every_row(old_file):
    before = raw_rows(old_file)
    store = Store(old_file)
    assert store.schema_version == SCHEMA_VERSION == 2
    store.close()
    assert raw_rows(old_file) == before
    # every answer became a version, and every round of every workshop a publication
    versions = raw(old_file, "SELECT workshop_id, participant_uid, round, uid, payload FROM response_versions")
    answers = raw(old_file, "SELECT workshop_id, participant_uid, round, uid, payload FROM responses")
    assert sorted(versions) == sorted(answers)
    publications = raw(old_file, "SELECT workshop_id, round FROM publications")
    assert sorted(publications) == sorted({(w, r) for w, _, r, _, _ in answers})


def test_everything_a_schema_1_file_showed_is_published(old_file):
    store = Store(old_file)
    for spec in CONTENTS["workshops"]:
        workshop = store.workshop_by_code(spec["code"])
        shown = sharing.published(store, workshop)
        assert {(r.participant_uid, r.round, r.payload["ratings"]["you-matters"]) for r in shown.responses} \
            == expected_answers(spec)
        assert shown.waiting == 0
    store.close()


def test_after_migrating_new_answers_follow_the_step_of_k_rule(old_file):
    store = Store(old_file)
    workshop = store.workshop_by_code("SCHM1A")
    store.save_response(Response(uid="new-1", workshop_id=workshop.id, participant_uid="p-ana", workbook="heatmap",
                                 round="follow-up", group_label="residents", display_name="",
                                 payload={"ratings": {"you-matters": 1, "place-matters": 5}},
                                 created_at=0, updated_at=0))
    shown = sharing.published(store, workshop)
    assert shown.waiting == 1
    assert {r.payload["ratings"]["you-matters"] for r in shown.of_round("follow-up")
            if r.participant_uid == "p-ana"} == {5}  # the old answer stays shown until k people change
    store.close()


def test_opening_a_migrated_file_again_writes_nothing(old_file):
    Store(old_file).close()
    before = on_disk(old_file)
    time.sleep(0.02)
    store = Store(old_file)
    assert store.schema_version == SCHEMA_VERSION
    assert len(store.responses(store.workshop_by_code("SCHM1A").id)) == 7
    store.close()
    assert on_disk(old_file) == before


def _open(path: str, barrier) -> None:
    barrier.wait()
    Store(path).close()


def test_kernels_opening_a_schema_1_file_at_once_migrate_it_once(old_file):
    """Each kernel is a process; if each migrated, every answer would be copied once per kernel."""
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(6)
    workers = [ctx.Process(target=_open, args=(str(old_file), barrier)) for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert raw(old_file, "SELECT COUNT(*) FROM response_versions") == raw(old_file, "SELECT COUNT(*) FROM responses")
    assert raw(old_file, "PRAGMA user_version") == [(SCHEMA_VERSION,)]


def test_a_migration_that_fails_halfway_leaves_the_file_as_it_was(old_file):
    """All steps or none: a stray table the migration cannot fill stops it after the new tables
    and index are made, and none of them is kept."""
    db = sqlite3.connect(old_file)
    db.execute("CREATE TABLE response_versions (id INTEGER PRIMARY KEY, workshop_id, workbook, round,"
               " participant_uid)")  # an unfinished schema 2: no uid, no payload
    db.commit()
    db.close()
    before = on_disk(old_file)
    with pytest.raises(FriendlyError) as refused:
        Store(old_file)
    assert refused.value.message == (
        f"The workshop file {old_file} could not be opened (SQLite says: table response_versions has no column "
        "named uid). Please restore a copy from a backup, or start with --data pointing to a new file.")
    assert on_disk(old_file) == before
    assert raw(old_file, "PRAGMA user_version") == [(1,)]
    assert raw(old_file, "SELECT name FROM sqlite_master WHERE name = 'publications'") == []


def test_a_file_from_a_newer_kit_is_refused_and_left_unchanged(old_file):
    Store(old_file).close()
    db = sqlite3.connect(old_file)
    db.execute("PRAGMA user_version = 99")
    db.close()
    before = on_disk(old_file)
    time.sleep(0.02)
    with pytest.raises(FriendlyError) as refused:
        Store(old_file)
    assert refused.value.message == (
        f"The workshop file {old_file} was written by a newer version of relworkbook (schema 99); "
        "please upgrade the kit to open it.")
    assert on_disk(old_file) == before


def test_the_script_remakes_the_fixture_from_the_old_code(tmp_path):
    """make_schema1.py still works, and what it makes has the fixture's rows (timestamps aside)."""
    maker = _maker()
    try:
        made = maker.make(tmp_path / "remade.sqlite3")
    except subprocess.CalledProcessError as exc:  # a copy of the code without its git history
        pytest.skip(f"git cannot show commit {maker.SCHEMA1_COMMIT}: {exc.stderr.strip()}")

    def without_times(path: Path) -> dict[str, list[tuple]]:
        timeless = {
            "workshops": "SELECT id, code, workbook, title, key_hash, locked, revealed, min_group, current_round,"
                         " settings FROM workshops",
            "participants": "SELECT id, workshop_id, uid, token_hash, display_name, group_label FROM participants",
            "responses": "SELECT id, uid, workshop_id, participant_uid, workbook, round, group_label, display_name,"
                         " payload FROM responses",
            "notes": "SELECT id, workshop_id, kind, text FROM notes",
        }
        return {table: raw(path, sql + " ORDER BY id") for table, sql in timeless.items()}

    copy = tmp_path / "fixture.sqlite3"
    shutil.copy(FIXTURE, copy)
    assert raw(made, "PRAGMA user_version") == [(1,)]
    assert without_times(made) == without_times(copy)
