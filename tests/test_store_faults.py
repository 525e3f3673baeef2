"""The store under faults: a bad ``--data`` file is refused at open with one plain
sentence and left exactly as it was; a write that fails is rolled back whole and
loses nothing saved before; no raw sqlite3 error reaches a page or the command line.

How the faults are made, all real:

* **Read-only files.** Tests often run as root, and chmod does not stop root
  writing. So the file and its folder are made read-only (0444, 0555) and the
  opening runs in a child process that drops to the user ``nobody`` after
  importing the kit: the kernel then refuses the writes exactly as it would for
  a server running as an ordinary user. Run as an ordinary user, the chmod
  alone does it and the child just opens the file.
* **Full disks.** ``PRAGMA max_page_count`` on the store's own connection makes
  SQLite fail with SQLITE_FULL ("database or disk is full") exactly where a full
  disk would stop a statement. Where the tests may mount (root), a real 1 MB
  tmpfs is also filled to the last byte, in a private mount namespace
  (``unshare -m``) so nothing outside the test sees it; a real full disk shows
  at COMMIT, when SQLite writes the WAL.
* **Other SQLite errors.** An authorizer that refuses every statement, and a
  closed connection, make every public method meet a real sqlite3 error.
"""

from __future__ import annotations

import inspect
import json
import logging
import multiprocessing
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from relworkbook.errors import FriendlyError
from relworkbook.store import SCHEMA_VERSION, Response, Store

ROOT = Path(__file__).resolve().parent.parent
SCHEMA1 = ROOT / "tests" / "data" / "schema1.sqlite3"
AS_ROOT = os.geteuid() == 0

FULL = ("the server's disk is full. Nothing was changed; please ask whoever runs the server to free some space, "
        "then try again.")
ANOTHER = "start with --data pointing to a folder you can write to"


def read_only_message(path: Path) -> str:
    return (f"The workshop file {path} can be read but not written: this server may not change it, or the folder "
            f"it is in. Please check its permissions, or {ANOTHER}.")


def damaged_message(path: Path) -> str:
    return (f"The workshop file {path} is damaged or is not a workshop file, so it was not opened (and it has not "
            "been changed). Please restore a copy from a backup, or start with --data pointing to a new file.")


def newer_message(path: Path, version: int = 99) -> str:
    return (f"The workshop file {path} was written by a newer version of relworkbook (schema {version}); "
            "please upgrade the kit to open it.")


# -- helpers -------------------------------------------------------------------


def answer(workshop_id: int, participant: str, value: int, pad: int = 0, round: str = "baseline") -> Response:
    payload = {"ratings": {"you-matters": value}, **({"pad": "x" * pad} if pad else {})}
    return Response(uid=uuid.uuid4().hex, workshop_id=workshop_id, participant_uid=participant, workbook="heatmap",
                    round=round, group_label="", display_name="", payload=payload, created_at=0, updated_at=0)


def make_workshop_file(path: Path, answers: int = 3, pad: int = 0) -> int:
    """A real workshop file with a workshop, a participant, answers and a note; returns the workshop id."""
    store = Store(path)
    ws = store.create_workshop(code="FAULTS", workbook="heatmap", title="Town hall", key_hash="k" * 64,
                               min_group=3, current_round="baseline")
    store.add_participant(workshop_id=ws.id, uid="p0", token_hash="t" * 64, display_name="Ana", group_label="")
    for n in range(answers):
        store.save_response(answer(ws.id, f"p{n}", 1 + n % 5, pad=pad))
    store.add_note(ws.id, "next-step", "Meet in June")
    store.close()
    return ws.id


def contents(store: Store, workshop_id: int) -> dict:
    """Everything a workshop holds, in a form two stores can be compared by."""
    return {
        "workshop": store.workshop(workshop_id),
        "participants": store.participant_count(workshop_id),
        "responses": sorted((r.participant_uid, r.round, json.dumps(r.payload)) for r in store.responses(workshop_id)),
        "notes": [(n.kind, n.text) for n in store.notes(workshop_id)],
        "published": sorted(r.participant_uid for r in store.publication(workshop_id, "heatmap", "baseline").responses),
    }


def fresh_contents(path: Path, workshop_id: int) -> dict:
    store = Store(path)
    try:
        return contents(store, workshop_id)
    finally:
        store.close()


def on_disk(path: Path) -> tuple[bytes, int]:
    """The file's bytes and modification time: what 'left untouched' means."""
    return path.read_bytes(), path.stat().st_mtime_ns


def fill_the_disk(store: Store) -> None:
    """From now on this connection may not grow the file by a single page, as on a full disk."""
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    assert store._db.execute("PRAGMA max_page_count = 1").fetchone()[0] == pages


def free_the_disk(store: Store) -> None:
    store._db.execute("PRAGMA max_page_count = 1073741823")


# -- 1. opening an existing file writes nothing ---------------------------------------


def test_opening_an_existing_current_file_writes_nothing_to_it(tmp_path):
    path = tmp_path / "workshops.sqlite3"
    ws_id = make_workshop_file(path)
    before = on_disk(path)
    time.sleep(0.02)  # a write now would show in the modification time
    store = Store(path)
    assert store.schema_version == SCHEMA_VERSION
    seen = contents(store, ws_id)
    store.fingerprint(ws_id)
    assert on_disk(path) == before  # while open
    store.close()
    assert on_disk(path) == before  # and after the last connection closed
    assert seen["notes"] == [("next-step", "Meet in June")] and len(seen["responses"]) == 3


def test_a_copy_taken_out_of_wal_mode_is_switched_back_once(tmp_path):
    """Another tool may hand back a file in rollback-journal mode; kernels need WAL to read while one
    writes, so that file is switched back (its one write), and after that opening writes nothing again."""
    path = tmp_path / "workshops.sqlite3"
    ws_id = make_workshop_file(path)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
    db.close()
    store = Store(path)
    assert store._read("PRAGMA journal_mode")[0][0] == "wal"
    store.close()
    before = on_disk(path)
    time.sleep(0.02)
    assert len(fresh_contents(path, ws_id)["responses"]) == 3
    assert on_disk(path) == before


def test_a_new_file_is_created_in_wal_mode_with_its_folders(tmp_path):
    path = tmp_path / "not" / "there" / "yet" / "workshops.sqlite3"
    store = Store(path)
    assert path.is_file()
    assert store._read("PRAGMA journal_mode")[0][0] == "wal"
    assert store.schema_version == SCHEMA_VERSION
    store.close()


def test_odd_characters_in_the_path_name_the_file_exactly(tmp_path):
    """The file is opened by URI; a path with spaces, #, % and ? must still mean itself."""
    folder = tmp_path / "Council #1 100% sure? yes"
    path = folder / "work shops%20.sqlite3"
    ws_id = make_workshop_file(path)
    assert sorted(p.name for p in folder.iterdir()) == ["work shops%20.sqlite3"]
    assert len(fresh_contents(path, ws_id)["responses"]) == 3


def test_a_folder_given_as_the_file_is_refused_plainly(tmp_path):
    with pytest.raises(FriendlyError) as refused:
        Store(tmp_path)
    assert refused.value.message == (
        f"{tmp_path} is a folder, not a workshop file. Please start with --data pointing to a file, "
        f"for example {tmp_path / 'workshops.sqlite3'}.")


def _open_new(path: str, barrier, results) -> None:
    barrier.wait()
    try:
        Store(path).close()
        results.put("ok")
    except Exception as exc:  # noqa: BLE001 - the parent asserts on what came back
        results.put(repr(exc))


def test_kernels_creating_the_same_new_file_at_once_all_succeed(tmp_path):
    path = str(tmp_path / "new" / "workshops.sqlite3")
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(6), ctx.Queue()
    workers = [ctx.Process(target=_open_new, args=(path, barrier, results)) for _ in range(6)]
    for w in workers:
        w.start()
    outcomes = [results.get(timeout=60) for _ in workers]
    for w in workers:
        w.join(60)
    assert outcomes == ["ok"] * 6
    store = Store(path)
    assert store.schema_version == SCHEMA_VERSION and store._read("PRAGMA journal_mode")[0][0] == "wal"
    store.close()


# -- 2. read-only files and folders ---------------------------------------------------

# Runs in a child: import everything first, then (as root) become nobody, then open.
_OPEN_AS_READER = textwrap.dedent("""
    import json, os, sys
    from relworkbook.errors import FriendlyError
    from relworkbook.content import load_errors
    from relworkbook.store import Store
    # The refusals' words come from the content pack: read them while the kit's own
    # files (here even Python's) can still be read, as a real server's user always can.
    load_errors()
    if os.geteuid() == 0:
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
    try:
        Store(sys.argv[1]).close()
        print(json.dumps({"opened": True}))
    except FriendlyError as exc:
        print(json.dumps({"refused": exc.message}))
    except Exception as exc:
        print(json.dumps({"raw": repr(exc)}))
""")


def open_as_reader(path: Path) -> dict:
    """Open ``path`` as a user who may read but not write it; say what happened."""
    done = subprocess.run([sys.executable, "-c", _OPEN_AS_READER, str(path)], check=False, capture_output=True,
                          text=True, timeout=60, cwd=tempfile.gettempdir())
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def shared_folder():
    """A folder the user nobody can reach (pytest's own tmp folders are private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="relworkbook-faults-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("kind", ["current", "schema 1"])
def test_a_read_only_file_in_a_read_only_folder_is_refused_at_open_and_left_alone(shared_folder, kind):
    folder = shared_folder / "ro"
    folder.mkdir()
    path = folder / "workshops.sqlite3"
    if kind == "current":
        make_workshop_file(path)
    else:
        shutil.copy(SCHEMA1, path)
    path.chmod(0o444)
    folder.chmod(0o555)
    before, files = on_disk(path), listing(folder)
    assert open_as_reader(path) == {"refused": read_only_message(path)}
    assert on_disk(path) == before and listing(folder) == files  # no -wal, no -shm, no change


@pytest.mark.parametrize("kind", ["current", "schema 1"])
def test_a_read_only_file_in_a_writable_folder_is_refused_at_open_not_at_the_first_save(shared_folder, kind):
    """SQLite opens such a file read-only without a word; the probe at open must catch it."""
    folder = shared_folder / "rw"
    folder.mkdir()
    path = folder / "workshops.sqlite3"
    if kind == "current":
        make_workshop_file(path)
    else:
        shutil.copy(SCHEMA1, path)
    path.chmod(0o444)
    folder.chmod(0o777)
    before = on_disk(path)
    assert open_as_reader(path) == {"refused": read_only_message(path)}
    assert on_disk(path) == before


def test_a_writable_file_in_a_read_only_folder_is_refused_at_open(shared_folder):
    """SQLite must make its -wal and -shm files beside the file: the folder must be writable too."""
    folder = shared_folder / "fixed"
    folder.mkdir()
    path = folder / "workshops.sqlite3"
    make_workshop_file(path)
    path.chmod(0o666)
    folder.chmod(0o555)
    before = on_disk(path)
    assert open_as_reader(path) == {"refused": read_only_message(path)}
    assert on_disk(path) == before


def test_a_new_file_in_a_read_only_folder_cannot_be_created(shared_folder):
    folder = shared_folder / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    path = folder / "workshops.sqlite3"
    assert open_as_reader(path) == {"refused": (
        f"The workshop file {path} cannot be created: this server may not write to that folder. "
        f"Please check its permissions, or {ANOTHER}.")}
    assert listing(folder) == []


def test_an_unreadable_file_is_refused_plainly(shared_folder):
    path = shared_folder / "workshops.sqlite3"
    make_workshop_file(path)
    path.chmod(0o000)
    assert open_as_reader(path) == {"refused": (
        f"The workshop file {path} cannot be opened: this server may not read it. "
        f"Please check its permissions, or {ANOTHER}.")}


def test_the_read_only_check_itself_writes_nothing_to_a_writable_file(shared_folder):
    """The same child, on a file it may write, opens it; the probe leaves the bytes alone."""
    path = shared_folder / "workshops.sqlite3"
    make_workshop_file(path)
    path.chmod(0o666)
    shared_folder.chmod(0o777)
    before = on_disk(path)
    assert open_as_reader(path) == {"opened": True}
    assert on_disk(path) == before


# -- 3. damaged files and files that are not ours --------------------------------------


def _random_bytes(path: Path) -> None:
    path.write_bytes(os.urandom(20_000))


def _text_file(path: Path) -> None:
    path.write_text("name,answer\nAna,3\n" * 200, encoding="utf-8")


def _truncated(path: Path) -> None:
    make_workshop_file(path, answers=30, pad=500)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _damaged_inside(path: Path) -> None:
    """A whole file whose middle page was overwritten (a bad disk sector, a botched copy)."""
    make_workshop_file(path, answers=30, pad=500)
    data = bytearray(path.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle: middle + page] = os.urandom(page)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("spoil", [_random_bytes, _text_file, _truncated, _damaged_inside],
                         ids=["random bytes", "text file", "truncated", "damaged page"])
def test_a_damaged_file_is_refused_at_open_and_left_untouched(tmp_path, spoil):
    path = tmp_path / "workshops.sqlite3"
    spoil(path)
    before = on_disk(path)
    time.sleep(0.02)
    with pytest.raises(FriendlyError) as refused:
        Store(path)
    assert refused.value.message == damaged_message(path)
    assert on_disk(path) == before


def test_another_programs_database_is_refused_and_not_given_our_tables(tmp_path):
    path = tmp_path / "accounts.sqlite3"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    other.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    other.commit()
    other.close()
    before = on_disk(path)
    with pytest.raises(FriendlyError) as refused:
        Store(path)
    assert refused.value.message == (
        f"The file {path} is another program's database, not a workshop file, so it was not opened (and it has "
        "not been changed). Please start with --data pointing to a workshop file or a new file.")
    assert on_disk(path) == before


# -- 4. a full disk -------------------------------------------------------------------

# Each write, made big enough to need new pages; and the words that name it.
WRITES = {
    "save_response": ("Your answers could not be saved",
                      lambda s, ws: s.save_response(answer(ws, "late", 5, pad=20_000))),
    "import_responses": ("The answers could not be added",  # the first two fit; the third does not
                         lambda s, ws: s.import_responses([answer(ws, "i1", 1), answer(ws, "i2", 2),
                                                           answer(ws, "i3", 3, pad=20_000)])),
    "add_note": ("Your note could not be saved", lambda s, ws: s.add_note(ws, "next-step", "x" * 20_000)),
    "update_workshop": ("The workshop's settings could not be saved",
                        lambda s, ws: s.update_workshop(ws, title="Renamed", settings={"big": "x" * 20_000})),
    "add_participant": ("You could not join the workshop",
                        lambda s, ws: s.add_participant(workshop_id=ws, uid="late", token_hash="u" * 64,
                                                        display_name="x" * 20_000, group_label="")),
}


@pytest.mark.parametrize("name", list(WRITES))
def test_a_full_disk_refuses_the_write_plainly_and_loses_nothing(tmp_path, name):
    what, write = WRITES[name]
    path = tmp_path / "workshops.sqlite3"
    ws_id = make_workshop_file(path)
    store = Store(path)
    before = contents(store, ws_id)
    fill_the_disk(store)
    with pytest.raises(FriendlyError) as refused:
        write(store, ws_id)
    assert refused.value.message == f"{what}: {FULL}"
    assert not store._db.in_transaction  # rolled back: the write lock is free for other kernels
    assert contents(store, ws_id) == before
    assert fresh_contents(path, ws_id) == before  # all acknowledged answers, nothing half-written
    other = Store(path)
    other._db.execute("PRAGMA busy_timeout = 200")  # a held lock would fail this at once, not in 30 s
    other.add_note(ws_id, "next-step", "written by another kernel meanwhile")
    other.close()
    free_the_disk(store)
    write(store, ws_id)  # the same store works again once there is room
    store.close()


_REAL_FULL_DISK = textwrap.dedent("""
    import json, os, shutil, sqlite3, sys, uuid
    from relworkbook.errors import FriendlyError
    from relworkbook.store import Response, Store

    disk, schema1 = sys.argv[1], sys.argv[2]
    out = {}

    def answer(ws, who, pad=0):
        return Response(uid=uuid.uuid4().hex, workshop_id=ws, participant_uid=who, workbook="heatmap",
                        round="baseline", group_label="", display_name="",
                        payload={"ratings": {"you-matters": 3}, "pad": "x" * pad}, created_at=0, updated_at=0)

    def fill():
        fd = os.open(os.path.join(disk, "filler"), os.O_WRONLY | os.O_CREAT | os.O_APPEND)
        size = 1 << 16
        while size:
            try:
                os.write(fd, b"\\1" * size)
            except OSError:
                size //= 2
        os.close(fd)

    def free():
        os.remove(os.path.join(disk, "filler"))

    path = os.path.join(disk, "workshops.sqlite3")
    store = Store(path)
    ws = store.create_workshop(code="FULLUP", workbook="heatmap", title="", key_hash="k" * 64, min_group=3,
                               current_round="baseline").id
    for n in range(3):
        store.save_response(answer(ws, f"p{n}"))
    fill()
    out["free_bytes"] = shutil.disk_usage(disk).free
    for pad in (0, 100_000):
        try:
            store.save_response(answer(ws, f"late{pad}", pad))
            out[f"save {pad}"] = "saved"
        except FriendlyError as exc:
            out[f"save {pad}"] = exc.message
    out["in_transaction"] = store._db.in_transaction
    out["same store reads"] = sorted(r.participant_uid for r in store.responses(ws))
    free()
    store.save_response(answer(ws, "after"))
    store.close()
    fresh = Store(path)
    out["fresh store reads"] = sorted(r.participant_uid for r in fresh.responses(ws))
    out["integrity"] = fresh._read("PRAGMA integrity_check")[0][0]
    fresh.close()

    old = os.path.join(disk, "schema1.sqlite3")
    shutil.copy(schema1, old)
    before = open(old, "rb").read()
    fill()
    try:
        Store(old).close()
        out["migrate on a full disk"] = "opened"
    except FriendlyError as exc:
        out["migrate on a full disk"] = exc.message
    out["old file unchanged"] = open(old, "rb").read() == before
    free()
    migrated = Store(old)
    out["migrated later"] = migrated.schema_version
    migrated.close()
    print(json.dumps(out))
""")


@pytest.mark.skipif(not AS_ROOT or shutil.which("unshare") is None,
                    reason="a real small filesystem needs root (mount in a private namespace)")
def test_a_real_full_disk_refuses_saving_and_migrating_and_loses_nothing(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    script = tmp_path / "full_disk.py"
    script.write_text(_REAL_FULL_DISK, encoding="utf-8")
    done = subprocess.run(
        ["unshare", "-m", "sh", "-c", 'mount -t tmpfs -o size=1m tmpfs "$1" || exit 97; shift; exec "$@"', "sh",
         str(disk), sys.executable, str(script), str(disk), str(SCHEMA1)],
        check=False, capture_output=True, text=True, timeout=120,
    )
    if done.returncode == 97:
        pytest.skip("this machine does not let tests mount a filesystem: " + done.stderr.strip())
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["free_bytes"] == 0
    assert out["save 0"] == out["save 100000"] == f"Your answers could not be saved: {FULL}"
    assert out["in_transaction"] is False
    assert out["same store reads"] == ["p0", "p1", "p2"]
    assert out["fresh store reads"] == ["after", "p0", "p1", "p2"]
    assert out["integrity"] == "ok"
    old = disk / "schema1.sqlite3"
    assert out["migrate on a full disk"] == (
        f"The workshop file {old} cannot be opened: the server's disk is full. Nothing was changed; "
        "please free some space and start again.")
    assert out["old file unchanged"] is True
    assert out["migrated later"] == SCHEMA_VERSION
    assert list(disk.iterdir()) == []  # the filesystem went away with its namespace


# -- 5. every method: no raw sqlite3 error ----------------------------------------------


def every_public_method(store: Store, ws_id: int) -> dict:
    """One call of each public Store method (what it is for, and how to call it)."""
    calls = {
        "create_workshop": lambda: store.create_workshop(code="ZZZZZZ", workbook="heatmap", title="",
                                                         key_hash="k", min_group=3, current_round="baseline"),
        "code_in_use": lambda: store.code_in_use("FAULTS"),
        "workshop": lambda: store.workshop(ws_id),
        "workshop_by_code": lambda: store.workshop_by_code("FAULTS"),
        "update_workshop": lambda: store.update_workshop(ws_id, title="New"),
        "add_participant": lambda: store.add_participant(workshop_id=ws_id, uid="x", token_hash="x" * 64,
                                                         display_name="", group_label=""),
        "participant_by_token_hash": lambda: store.participant_by_token_hash(ws_id, "t" * 64),
        "participant_count": lambda: store.participant_count(ws_id),
        "save_response": lambda: store.save_response(answer(ws_id, "p1", 4)),
        "response_for": lambda: store.response_for(ws_id, "p1", "heatmap", "baseline"),
        "responses": lambda: store.responses(ws_id),
        "rounds": lambda: store.rounds(ws_id, "heatmap"),
        "import_responses": lambda: store.import_responses([answer(ws_id, "p7", 2)]),
        "publish_due": lambda: store.publish_due(ws_id, "heatmap", 1),
        "publication": lambda: store.publication(ws_id, "heatmap", "baseline"),
        "fingerprint": lambda: store.fingerprint(ws_id),
        "add_note": lambda: store.add_note(ws_id, "next-step", "x"),
        "notes": lambda: store.notes(ws_id),
        "schema_version": lambda: store.schema_version,
    }
    public = {name for name, _ in inspect.getmembers(Store) if not name.startswith("_")} - {"close"}
    assert set(calls) == public, "a new Store method needs a line here"
    return calls


def test_every_method_turns_a_refused_statement_into_a_plain_sentence_and_logs_it(tmp_path, caplog):
    path = tmp_path / "workshops.sqlite3"
    ws_id = make_workshop_file(path)
    store = Store(path)
    before = contents(store, ws_id)
    # SQLite itself refuses every statement but BEGIN/COMMIT/ROLLBACK, so writes fail mid-transaction.
    store._db.set_authorizer(lambda action, *_: sqlite3.SQLITE_OK if action == sqlite3.SQLITE_TRANSACTION
                             else sqlite3.SQLITE_DENY)
    caplog.set_level(logging.ERROR, logger="relworkbook")
    for name, call in every_public_method(store, ws_id).items():
        caplog.clear()
        with pytest.raises(FriendlyError) as refused:
            call()
        message = refused.value.message
        assert message.endswith(": the workshop file could not be used just now. Nothing was changed; please try "
                                "again, and tell whoever runs the server if it keeps happening."), (name, message)
        assert "sqlite" not in message.lower() and "not authorized" not in message, name
        assert not store._db.in_transaction, name  # rolled back, never left holding the lock
        [record] = [r for r in caplog.records if r.name == "relworkbook"]
        assert record.levelno == logging.ERROR and name in record.getMessage(), name
        assert isinstance(record.exc_info[1], sqlite3.DatabaseError) and "not authorized" in str(record.exc_info[1])
    store._db.set_authorizer(None)
    assert contents(store, ws_id) == before
    store.close()


def test_every_method_on_a_closed_store_gives_a_plain_sentence(tmp_path):
    path = tmp_path / "workshops.sqlite3"
    ws_id = make_workshop_file(path)
    store = Store(path)
    calls = every_public_method(store, ws_id)
    store.close()
    for name, call in calls.items():
        with pytest.raises(FriendlyError) as refused:
            call()
        assert "could not be used just now" in refused.value.message, name


# -- 6. the command line ---------------------------------------------------------------

# As root, the CLI runs as nobody: everything is imported (and the content pack
# checked) first, then the child drops to nobody and runs the real main().
_CLI_AS_READER = textwrap.dedent("""
    import os, sys
    # Modules imported lazily later would be unreadable once we are nobody
    # (the interpreter lives under /root): import them while still root.
    import argparse, gettext, locale, json, logging, socket, sqlite3, traceback, encodings.idna
    import relworkbook.cli as cli
    import relworkbook.store, relworkbook.sharing, relworkbook.exchange
    from relworkbook import config, registry
    if os.geteuid() == 0:
        cli.build_parser().parse_args(sys.argv[1:])
        registry.check_packs(config.Settings.from_env())
        os.setgroups([])
        os.setgid(65534)
        os.setuid(65534)
    sys.exit(cli.main(sys.argv[1:]))
""")


def run_cli(*args: str, env: dict | None = None, as_reader: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", _CLI_AS_READER] if as_reader else [sys.executable, "-m", "relworkbook.cli"]
    return subprocess.run([*command, *args], check=False, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})}, cwd=tempfile.gettempdir())


def serve(data: Path, as_reader: bool = False) -> subprocess.CompletedProcess:
    from conftest import free_port

    return run_cli("serve", "--data", str(data), "--port", str(free_port()), "--workbooks", str(ROOT / "workbooks"),
                   as_reader=as_reader)


def assert_one_line(done: subprocess.CompletedProcess, message: str) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [f"relworkbook: {message}"]


def test_serve_refuses_a_damaged_file_in_one_line(tmp_path):
    path = tmp_path / "workshops.sqlite3"
    _random_bytes(path)
    before = on_disk(path)
    assert_one_line(serve(path), damaged_message(path))
    assert on_disk(path) == before


def test_serve_refuses_a_file_from_a_newer_kit_in_one_line(tmp_path):
    path = tmp_path / "workshops.sqlite3"
    make_workshop_file(path)
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    before = on_disk(path)
    assert_one_line(serve(path), newer_message(path))
    assert on_disk(path) == before


def test_serve_refuses_a_read_only_file_in_one_line(shared_folder):
    folder = shared_folder / "ro"
    folder.mkdir()
    path = folder / "workshops.sqlite3"
    make_workshop_file(path)
    path.chmod(0o444)
    folder.chmod(0o555)
    before = on_disk(path)
    assert_one_line(serve(path, as_reader=True), read_only_message(path))
    assert on_disk(path) == before


def test_export_with_a_damaged_data_file_says_so_in_one_line(tmp_path):
    path = tmp_path / "workshops.sqlite3"
    _truncated(path)
    before = on_disk(path)
    assert_one_line(run_cli("export", "FAULTS", env={"RELWORKBOOK_DATA": str(path)}), damaged_message(path))
    assert on_disk(path) == before



def test_a_page_on_a_broken_file_shows_one_clear_message(tmp_path, monkeypatch):
    """Binder and other Jupyter servers open the store in the page's kernel: a broken file gets a message there."""
    from relworkbook.heatmap import HeatmapWorkbook
    from relworkbook.page import PageContext

    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("RELWORKBOOK_DATA", str(broken))
    page = HeatmapWorkbook(PageContext.from_query(""))
    assert page.status.kind == "error" and str(broken) in page.status.message
    assert page.body.children == ()  # no half-working form on a store that cannot be used
