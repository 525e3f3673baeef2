"""The workshop store: the only module that speaks SQL.

One SQLite file is shared by every Voila kernel of a server (each browser page
is its own kernel process). WAL lets readers carry on while one writer
commits; the busy timeout makes simultaneous writers queue instead of failing.
Every write is committed before the call returns, so a screen that says
"saved" is telling the truth even if the server is killed a moment later.

Keeping SQL here means a later change can add a PostgreSQL backend behind the
same methods, chosen by URL in :func:`open_store`.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .errors import FriendlyError, error_words

log = logging.getLogger("relworkbook")

#: 1: workshops, participants, responses, notes.
#: 2: response versions and publications (pooled results move in steps of k).
SCHEMA_VERSION = 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS workshops (
    id            INTEGER PRIMARY KEY,
    code          TEXT NOT NULL UNIQUE,
    workbook      TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    key_hash      TEXT NOT NULL,
    created_at    REAL NOT NULL,
    locked        INTEGER NOT NULL DEFAULT 0,
    revealed      INTEGER NOT NULL DEFAULT 0,
    min_group     INTEGER NOT NULL DEFAULT 3,
    current_round TEXT NOT NULL DEFAULT 'baseline',
    settings      TEXT NOT NULL DEFAULT '{}'  -- a workbook's own per-workshop settings (JSON)
);
CREATE TABLE IF NOT EXISTS participants (
    id           INTEGER PRIMARY KEY,
    workshop_id  INTEGER NOT NULL REFERENCES workshops(id),
    uid          TEXT NOT NULL UNIQUE,
    token_hash   TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    group_label  TEXT NOT NULL DEFAULT '',
    created_at   REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS responses (
    id              INTEGER PRIMARY KEY,
    uid             TEXT NOT NULL,
    workshop_id     INTEGER NOT NULL REFERENCES workshops(id),
    participant_uid TEXT NOT NULL,
    workbook        TEXT NOT NULL,
    round           TEXT NOT NULL,
    group_label     TEXT NOT NULL DEFAULT '',
    display_name    TEXT NOT NULL DEFAULT '',
    payload         TEXT NOT NULL,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL,
    UNIQUE (workshop_id, participant_uid, workbook, round),
    UNIQUE (workshop_id, uid)  -- a response may be imported into several workshops, once each
);
CREATE INDEX IF NOT EXISTS responses_by_workshop ON responses (workshop_id, workbook, round);
CREATE TABLE IF NOT EXISTS notes (
    id          INTEGER PRIMARY KEY,
    workshop_id INTEGER NOT NULL REFERENCES workshops(id),
    kind        TEXT NOT NULL,
    text        TEXT NOT NULL,
    created_at  REAL NOT NULL
);
"""

# Schema 2. Every save also appends a version; a publication says "every version
# up to this id is shown". Pooled results are computed from the published
# versions only, and a new publication happens only once at least k people have
# new or changed answers, so no two states anyone sees differ by one person.
# Superseded versions are pruned, so a round keeps at most two per person.
_SCHEMA_2 = """
CREATE TABLE IF NOT EXISTS response_versions (
    id              INTEGER PRIMARY KEY,
    workshop_id     INTEGER NOT NULL REFERENCES workshops(id),
    workbook        TEXT NOT NULL,
    round           TEXT NOT NULL,
    participant_uid TEXT NOT NULL,
    uid             TEXT NOT NULL,
    group_label     TEXT NOT NULL DEFAULT '',
    display_name    TEXT NOT NULL DEFAULT '',
    payload         TEXT NOT NULL,
    created_at      REAL NOT NULL,
    updated_at      REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_by_round ON response_versions (workshop_id, workbook, round, participant_uid, id);
CREATE TABLE IF NOT EXISTS publications (
    workshop_id  INTEGER NOT NULL REFERENCES workshops(id),
    workbook     TEXT NOT NULL,
    round        TEXT NOT NULL,
    version_id   INTEGER NOT NULL,
    published_at REAL NOT NULL,
    PRIMARY KEY (workshop_id, workbook, round)
);
"""

_COPY_TO_VERSIONS = """
INSERT INTO response_versions (workshop_id, workbook, round, participant_uid, uid, group_label, display_name,
                               payload, created_at, updated_at)
SELECT workshop_id, workbook, round, participant_uid, uid, group_label, display_name, payload, created_at, updated_at
FROM responses ORDER BY updated_at, id;
"""

# A file made by schema 1 showed every answer live, so publishing all of it on
# the way to schema 2 shows nobody anything new.
_PUBLISH_ALL = """
INSERT OR REPLACE INTO publications (workshop_id, workbook, round, version_id, published_at)
SELECT workshop_id, workbook, round, MAX(id), strftime('%s','now') FROM response_versions
GROUP BY workshop_id, workbook, round;
"""


@dataclass(frozen=True)
class Workshop:
    id: int
    code: str
    workbook: str
    title: str
    key_hash: str
    created_at: float
    locked: bool
    revealed: bool
    min_group: int
    current_round: str
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Participant:
    id: int
    workshop_id: int
    uid: str
    display_name: str
    group_label: str


@dataclass(frozen=True)
class Response:
    uid: str
    workshop_id: int
    participant_uid: str
    workbook: str
    round: str
    group_label: str
    display_name: str
    payload: dict[str, Any]
    created_at: float
    updated_at: float


@dataclass(frozen=True)
class Publication:
    """What of one round is shown, and what is waiting to be."""

    responses: tuple[Response, ...]  # the published version of each person's answer
    waiting: int  # people whose new or changed answers are not shown yet


@dataclass(frozen=True)
class Note:
    kind: str
    text: str
    created_at: float


_WORKSHOP_FIELDS = {"title", "locked", "revealed", "min_group", "current_round", "settings"}

# -- SQLite errors in plain words ----------------------------------------------

# SQLite's primary result codes that the kit explains to people.
_PERM, _BUSY, _LOCKED, _READONLY, _IOERR, _CORRUPT, _FULL, _CANTOPEN, _NOTADB = 3, 5, 6, 8, 10, 11, 13, 14, 26

# Before Python 3.11 an error carries no code, only SQLite's message.
_CODES_BY_MESSAGE = (
    ("readonly", _READONLY), ("disk is full", _FULL), ("not a database", _NOTADB), ("malformed", _CORRUPT),
    ("unable to open", _CANTOPEN), ("locked", _BUSY), ("disk i/o", _IOERR),
)


# An I/O error sizing the shared-memory file beside a WAL file: on a full disk
# this, not SQLITE_FULL, is what opening a file reports.
_IOERR_SHMSIZE = _IOERR | (19 << 8)


#: How long opening a file waits out other kernels opening (and creating) it at the same moment.
OPEN_BUSY_SECONDS = 30.0


def _when_free(step: Callable[[], object]) -> None:
    """Run ``step``; while the file is busy, try again (up to ``OPEN_BUSY_SECONDS``).

    SQLite's busy timeout does not cover everything opening does: switching a
    new file to WAL, or a read that must become a write, can answer "busy" at
    once while another kernel creates the same file. Every step is safe to repeat.
    """
    deadline = time.monotonic() + OPEN_BUSY_SECONDS
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if _code(exc) not in (_BUSY, _LOCKED) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def _code(exc: sqlite3.Error) -> int | None:
    """SQLite's primary result code of ``exc`` (extended codes share their low byte)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code == _IOERR_SHMSIZE:
        return _FULL
    if code is not None:
        return code & 0xFF
    text = str(exc).lower()
    return next((code for words, code in _CODES_BY_MESSAGE if words in text), None)


def _why(code: int | None) -> str:
    """The key of the words (``errors: why_...``) saying what went wrong at a method, and what to do."""
    if code == _FULL:
        return "why_full"
    if code in (_READONLY, _PERM, _CANTOPEN):
        return "why_read_only"
    if code in (_BUSY, _LOCKED):
        return "why_busy"
    if code in (_CORRUPT, _NOTADB):
        return "why_damaged"
    if code == _IOERR:
        return "why_disk"
    return "why_other"


_Method = TypeVar("_Method", bound=Callable[..., Any])


def _friendly(what: str) -> Callable[[_Method], _Method]:
    """Turn any SQLite error inside a Store method into ``what`` plus a plain reason.

    Every public method wears this, so no raw sqlite3 exception reaches a page;
    the server's log gets the details. ``what`` is the key of the words
    (``errors: store_...``) naming the thing that failed: looked up when it
    fails, so the pack in force words it.
    """

    def wrap(method: _Method) -> _Method:
        @functools.wraps(method)
        def run(self: Store, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                log.error("store: %s failed on %s (%s)", method.__name__, self.path, exc, exc_info=exc)
                raise FriendlyError.of("store_failed", what=error_words(what),
                                       why=error_words(_why(_code(exc)))) from exc

        return run  # type: ignore[return-value]

    return wrap


_READ = "store_read"
#: The problems opening a workshop file can have; each has its words in the pack (``errors: open_...``).
_OPEN_PROBLEMS = ("cannot-create", "cannot-read", "read-only", "damaged", "foreign", "full-create", "full", "disk",
                  "busy")


def _open_message(path: Path, problem: str) -> str:
    """The one sentence for a workshop file that cannot be used, naming it and saying what to do."""
    if problem not in _OPEN_PROBLEMS:
        raise KeyError(problem)
    return error_words("open_" + problem.replace("-", "_"), path=path)


def _unknown_open_message(path: Path, exc: sqlite3.Error) -> str:
    return error_words("open_unknown", path=path, detail=exc)


def _newer_message(path: Path, version: int) -> str:
    return error_words("open_newer", path=path, version=version)


def _statements(script: str) -> list[str]:
    """Split an SQL script into its statements (SQLite's own tokenizer says where each ends)."""
    statements, part = [], ""
    for piece in script.split(";"):
        part += piece + ";"
        if sqlite3.complete_statement(part):
            if part.strip().strip(";").strip():
                statements.append(part.strip())
            part = ""
    assert not part.strip().strip(";").strip(), f"unfinished SQL: {part!r}"
    return statements


class Store:
    """A workshop store backed by one SQLite file.

    Opening checks the file once, up front (readable, undamaged, ours, not
    from a newer kit, writable), so a server with a bad ``--data`` stops at
    start with one sentence instead of failing on the first save. Opening an
    existing, current file writes nothing to it. Every SQLite error inside a
    method becomes a FriendlyError with a plain sentence; the details go to
    the "relworkbook" log.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        # One connection per Store; a kernel is effectively single-threaded but
        # the lock keeps a stray timer thread from interleaving transactions.
        self._lock = threading.RLock()
        new = self._prepare_path()
        self._db = self._connect(new)
        try:
            self._open(new)
        except BaseException:
            self._db.close()  # a refused file keeps no lock and no handle
            raise

    def _prepare_path(self) -> bool:
        """Say whether the file is new; make its folder only then (an existing file's folder is left alone)."""
        try:
            is_dir, exists = self.path.is_dir(), self.path.exists()
        except OSError as exc:  # a folder on the way that this server may not look into
            log.info("store: cannot reach %s", self.path, exc_info=exc)
            raise FriendlyError(_open_message(self.path, "cannot-read")) from exc
        if is_dir:
            raise FriendlyError.of("open_folder", path=self.path, example=self.path / "workshops.sqlite3")
        if exists:
            return False
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            log.info("store: cannot make the folder of %s", self.path, exc_info=exc)
            raise FriendlyError(_open_message(self.path, "cannot-create")) from exc
        return True

    def _connect(self, new: bool) -> sqlite3.Connection:
        """Connect; only a path that did not exist may be created (mode=rwc), an existing one is never replaced."""
        uri = self.path.absolute().as_uri() + ("?mode=rwc" if new else "?mode=rw")
        try:
            db = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise self._open_failure(exc, new, "cannot-create" if new else "cannot-read") from exc
        db.row_factory = sqlite3.Row
        return db

    def _open(self, new: bool) -> None:
        """Check the file before anything is written to it, then bring it up to date.

        The order matters: every check that can refuse a file only reads, so a
        damaged, foreign, newer or read-only file is left exactly as it was.
        """
        db = self._db
        try:
            # Connection settings only: none of these writes to the file.
            db.execute("PRAGMA busy_timeout = 30000")
            # FULL: a committed answer survives a power cut, not only a killed server.
            db.execute("PRAGMA synchronous = FULL")
            db.execute("PRAGMA foreign_keys = ON")
            # Freed pages are zeroed: a moment made private, or a superseded
            # version, leaves no readable copy behind in the file.
            db.execute("PRAGMA secure_delete = ON")
            # One statement, so one snapshot: a kernel creating this same file at
            # this moment commits its tables and its version together, and two
            # separate reads could see its tables but not yet its version (and
            # call the kit's own new file another program's database).
            version, tables = db.execute(
                "SELECT (SELECT user_version FROM pragma_user_version), (SELECT COUNT(*) FROM sqlite_master)"
            ).fetchone()
            if version > SCHEMA_VERSION:
                raise FriendlyError(_newer_message(self.path, version))
            if not new:
                # A truncated or damaged copy opens without complaint and fails
                # later, on whichever page is bad; reading every page now costs
                # milliseconds (about 40 ms for a 40 MB file) and says so at start.
                if db.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
                    raise FriendlyError(_open_message(self.path, "damaged"))
                if version == 0 and tables:
                    raise FriendlyError(_open_message(self.path, "foreign"))
            _when_free(lambda: self._check_writable(version))
        except sqlite3.Error as exc:
            # Past connecting, a file SQLite cannot open is the -wal, -shm or
            # journal beside it: the folder may not be written.
            raise self._open_failure(exc, new, "read-only" if _code(exc) == _CANTOPEN else "") from exc
        try:
            # The mode is kept in the file: only a new file (or a copy some other
            # tool made) is switched, so opening the kit's own file writes nothing.
            _when_free(self._switch_to_wal)
            _when_free(self._migrate)
        except sqlite3.Error as exc:
            raise self._open_failure(exc, new) from exc

    def _switch_to_wal(self) -> None:
        if self._db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            self._db.execute("PRAGMA journal_mode = WAL")

    def _check_writable(self, version: int) -> None:
        """Refuse now, not at the first save, a file this server may read but not write.

        SQLite quietly opens a write-protected file read-only, and even BEGIN
        IMMEDIATE succeeds on it: only a change is refused. So change the
        version to its own value and roll back; nothing reaches the disk.
        """
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.execute(f"PRAGMA user_version = {int(version)}")
        finally:
            self._rollback()

    def _open_failure(self, exc: sqlite3.Error, new: bool, stage: str = "") -> FriendlyError:
        """The one sentence for a file that cannot be opened; the details go to the log.

        Logged below WARNING: the sentence already names the file, what is
        wrong and what to do, and ``relworkbook serve`` must print that one
        line and no traceback. ``stage`` names a problem the step that failed
        implies when SQLite's code alone does not say it.
        """
        log.info("store: opening %s failed (%s)", self.path, exc, exc_info=exc)
        code = _code(exc)
        if code in (_CORRUPT, _NOTADB):
            problem = "damaged"
        elif code in (_READONLY, _PERM):
            problem = "read-only"
        elif code == _FULL:
            problem = "full-create" if new else "full"
        elif code in (_BUSY, _LOCKED):
            problem = "busy"
        elif code == _IOERR:
            problem = "disk"
        elif stage:
            problem = stage
        else:
            return FriendlyError(_unknown_open_message(self.path, exc))
        return FriendlyError(_open_message(self.path, problem))

    def _migrate(self) -> None:
        """Bring the file to SCHEMA_VERSION in one transaction; a file already there is not written.

        The version is read again once the write lock is held, so kernels that
        open an old file at the same moment migrate it once, not once each.
        Statements run one by one (``executescript`` would first commit the
        transaction it is in, and leave it open if a statement failed).
        """
        with self._lock:
            if self._db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
                return
            with self._write() as db:
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version == SCHEMA_VERSION:
                    return  # another kernel migrated it while this one waited
                if version > SCHEMA_VERSION:
                    raise FriendlyError(_newer_message(self.path, version))
                steps = [_SCHEMA, _SCHEMA_2]
                if version == 1:
                    steps += [_COPY_TO_VERSIONS, _PUBLISH_ALL]
                for script in steps:
                    for statement in _statements(script):
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @property
    @_friendly(_READ)
    def schema_version(self) -> int:
        return self._read("PRAGMA user_version")[0][0]

    @_friendly("store_close")
    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A transaction that takes the write lock up front (no upgrade deadlocks).

        All or nothing: if a statement or the COMMIT itself fails (a full disk
        shows at COMMIT, when the WAL is written), the transaction is rolled
        back, so the write lock is never left held for the other kernels.
        """
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException:
                self._rollback()
                raise

    @contextmanager
    def _snapshot(self) -> Iterator[sqlite3.Connection]:
        """Several reads that see one consistent state of the file (never writes)."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                self._rollback()  # ends the read; there is nothing to keep

    def _rollback(self) -> None:
        """End a transaction that must not commit.

        After a full disk or an I/O error SQLite may already have rolled back on
        its own; then there is nothing to do (and ROLLBACK would fail).
        """
        if self._db.in_transaction:
            try:
                self._db.execute("ROLLBACK")
            except sqlite3.Error:
                log.warning("store: rollback failed on %s", self.path, exc_info=True)

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    # -- workshops -----------------------------------------------------------

    @_friendly("store_start")
    def create_workshop(
        self, *, code: str, workbook: str, title: str, key_hash: str, min_group: int, current_round: str
    ) -> Workshop:
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO workshops (code, workbook, title, key_hash, created_at, min_group, current_round)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (code, workbook, title, key_hash, time.time(), min_group, current_round),
            )
            row = db.execute("SELECT * FROM workshops WHERE id = ?", (cur.lastrowid,)).fetchone()
        return _workshop(row)

    @_friendly(_READ)
    def code_in_use(self, code: str) -> bool:
        return bool(self._read("SELECT 1 FROM workshops WHERE code = ?", (code,)))

    @_friendly(_READ)
    def workshop(self, workshop_id: int) -> Workshop:
        rows = self._read("SELECT * FROM workshops WHERE id = ?", (workshop_id,))
        if not rows:
            raise FriendlyError.of("workshop_gone")
        return _workshop(rows[0])

    @_friendly(_READ)
    def workshop_by_code(self, code: str) -> Workshop | None:
        rows = self._read("SELECT * FROM workshops WHERE code = ?", (code,))
        return _workshop(rows[0]) if rows else None

    @_friendly("store_settings")
    def update_workshop(self, workshop_id: int, **fields: Any) -> Workshop:
        unknown = set(fields) - _WORKSHOP_FIELDS
        if unknown:
            raise ValueError(f"not workshop settings: {sorted(unknown)}")
        if not fields:
            return self.workshop(workshop_id)
        assignments = ", ".join(f"{name} = ?" for name in fields)
        with self._write() as db:
            db.execute(
                f"UPDATE workshops SET {assignments} WHERE id = ?",
                (*[_plain(v) for v in fields.values()], workshop_id),
            )
            row = db.execute("SELECT * FROM workshops WHERE id = ?", (workshop_id,)).fetchone()
        if row is None:
            raise FriendlyError.of("workshop_gone")
        return _workshop(row)

    # -- participants --------------------------------------------------------

    @_friendly("store_join")
    def add_participant(
        self, *, workshop_id: int, uid: str, token_hash: str, display_name: str, group_label: str
    ) -> Participant:
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO participants (workshop_id, uid, token_hash, display_name, group_label, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (workshop_id, uid, token_hash, display_name, group_label, time.time()),
            )
            pid = cur.lastrowid
        assert pid is not None  # an INSERT that succeeded always sets lastrowid
        return Participant(pid, workshop_id, uid, display_name, group_label)

    @_friendly(_READ)
    def participant_by_token_hash(self, workshop_id: int, token_hash: str) -> Participant | None:
        rows = self._read(
            "SELECT id, workshop_id, uid, display_name, group_label FROM participants"
            " WHERE workshop_id = ? AND token_hash = ?",
            (workshop_id, token_hash),
        )
        return Participant(*rows[0]) if rows else None

    @_friendly(_READ)
    def participant_count(self, workshop_id: int) -> int:
        return self._read("SELECT COUNT(*) FROM participants WHERE workshop_id = ?", (workshop_id,))[0][0]

    # -- responses -----------------------------------------------------------

    @_friendly("store_save")
    def save_response(self, response: Response) -> Response:
        """Insert or revise a participant's response for one workbook round.

        Returns only after the transaction has committed.
        """
        payload = json.dumps(response.payload, ensure_ascii=False, sort_keys=True)
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT INTO responses (uid, workshop_id, participant_uid, workbook, round, group_label,"
                " display_name, payload, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (workshop_id, participant_uid, workbook, round) DO UPDATE SET"
                " payload = excluded.payload, group_label = excluded.group_label,"
                " display_name = excluded.display_name, updated_at = excluded.updated_at",
                (
                    response.uid,
                    response.workshop_id,
                    response.participant_uid,
                    response.workbook,
                    response.round,
                    response.group_label,
                    response.display_name,
                    payload,
                    now,
                    now,
                ),
            )
            row = db.execute(
                "SELECT * FROM responses WHERE workshop_id = ? AND participant_uid = ? AND workbook = ? AND round = ?",
                (response.workshop_id, response.participant_uid, response.workbook, response.round),
            ).fetchone()
            self._add_version(db, row)
        # The row as committed: no second query that could fail after the answers are safe.
        return _response(row)

    @_friendly(_READ)
    def response_for(self, workshop_id: int, participant_uid: str, workbook: str, round: str) -> Response | None:
        rows = self._read(
            "SELECT * FROM responses WHERE workshop_id = ? AND participant_uid = ? AND workbook = ? AND round = ?",
            (workshop_id, participant_uid, workbook, round),
        )
        return _response(rows[0]) if rows else None

    @_friendly(_READ)
    def responses(self, workshop_id: int, workbook: str | None = None, round: str | None = None) -> list[Response]:
        sql = "SELECT * FROM responses WHERE workshop_id = ?"
        params: list[Any] = [workshop_id]
        if workbook is not None:
            sql += " AND workbook = ?"
            params.append(workbook)
        if round is not None:
            sql += " AND round = ?"
            params.append(round)
        return [_response(r) for r in self._read(sql + " ORDER BY created_at, id", params)]

    @_friendly(_READ)
    def rounds(self, workshop_id: int, workbook: str) -> list[str]:
        rows = self._read(
            "SELECT round, MIN(created_at) AS first FROM responses WHERE workshop_id = ? AND workbook = ?"
            " GROUP BY round ORDER BY first",
            (workshop_id, workbook),
        )
        return [r["round"] for r in rows]

    @_friendly("store_import")
    def import_responses(self, responses: list[Response]) -> int:
        """Add responses all-or-nothing; ones already present (same uid, or the
        same participant and round) are skipped. Returns how many were added."""
        added = 0
        with self._write() as db:
            for r in responses:
                cur = db.execute(
                    "INSERT OR IGNORE INTO responses (uid, workshop_id, participant_uid, workbook, round,"
                    " group_label, display_name, payload, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        r.uid,
                        r.workshop_id,
                        r.participant_uid,
                        r.workbook,
                        r.round,
                        r.group_label,
                        r.display_name,
                        json.dumps(r.payload, ensure_ascii=False, sort_keys=True),
                        r.created_at,
                        r.updated_at,
                    ),
                )
                if cur.rowcount:
                    row = db.execute("SELECT * FROM responses WHERE id = ?", (cur.lastrowid,)).fetchone()
                    self._add_version(db, row)
                added += cur.rowcount
        return added

    # -- publications: pooled results move in steps of at least k people --------

    @staticmethod
    def _cutoff(db: sqlite3.Connection, workshop_id: int, workbook: str, round: str) -> int:
        row = db.execute(
            "SELECT version_id FROM publications WHERE workshop_id = ? AND workbook = ? AND round = ?",
            (workshop_id, workbook, round),
        ).fetchone()
        return row[0] if row else 0

    def _add_version(self, db: sqlite3.Connection, row: sqlite3.Row) -> None:
        """Record ``row`` as the person's newest version, if it changes what can be shown.

        The person's older unpublished version is dropped. A save that shows
        nothing new (the same answers saved again, or only their sealed,
        never-shown part re-encrypted) adds no version, so pressing Save twice
        cannot count as "a new answer" and push someone else's answer into
        view; a save back to what is already published withdraws the waiting one.
        """
        key = (row["workshop_id"], row["workbook"], row["round"], row["participant_uid"])
        cutoff = self._cutoff(db, *key[:3])
        db.execute(
            "DELETE FROM response_versions WHERE workshop_id = ? AND workbook = ? AND round = ?"
            " AND participant_uid = ? AND id > ?",
            (*key, cutoff),
        )
        shown = db.execute(
            "SELECT group_label, display_name, payload FROM response_versions WHERE workshop_id = ? AND workbook = ?"
            " AND round = ? AND participant_uid = ? AND id <= ? ORDER BY id DESC LIMIT 1",
            (*key, cutoff),
        ).fetchone()
        if shown is not None and _visible(shown) == _visible(row):
            return
        db.execute(
            "INSERT INTO response_versions (workshop_id, workbook, round, participant_uid, uid, group_label,"
            " display_name, payload, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (row["workshop_id"], row["workbook"], row["round"], row["participant_uid"], row["uid"],
             row["group_label"], row["display_name"], row["payload"], row["created_at"], row["updated_at"]),
        )

    @staticmethod
    def _waiting(db: sqlite3.Connection, workshop_id: int, workbook: str, round: str, cutoff: int) -> int:
        return db.execute(
            "SELECT COUNT(DISTINCT participant_uid) FROM response_versions"
            " WHERE workshop_id = ? AND workbook = ? AND round = ? AND id > ?",
            (workshop_id, workbook, round, cutoff),
        ).fetchone()[0]

    @_friendly("store_publish")
    def publish_due(self, workshop_id: int, workbook: str, min_group: int) -> list[str]:
        """Publish every round where at least ``min_group`` people have new or changed answers.

        Reads first and takes the write lock only when a round is due, so the
        pages that call this on every tick cost one cheap query. Returns the
        rounds published.
        """
        due = self._read(
            "SELECT v.round, COUNT(DISTINCT v.participant_uid) AS waiting FROM response_versions v"
            " LEFT JOIN publications p ON p.workshop_id = v.workshop_id AND p.workbook = v.workbook"
            " AND p.round = v.round WHERE v.workshop_id = ? AND v.workbook = ? AND v.id > COALESCE(p.version_id, 0)"
            " GROUP BY v.round",
            (workshop_id, workbook),
        )
        rounds = [row["round"] for row in due if row["waiting"] >= max(1, min_group)]
        published = []
        for round in rounds:
            with self._write() as db:
                cutoff = self._cutoff(db, workshop_id, workbook, round)
                # Another kernel may have published between the read and the lock.
                if self._waiting(db, workshop_id, workbook, round, cutoff) < max(1, min_group):
                    continue
                newest = db.execute(
                    "SELECT MAX(id) FROM response_versions WHERE workshop_id = ? AND workbook = ? AND round = ?",
                    (workshop_id, workbook, round),
                ).fetchone()[0]
                db.execute(
                    "INSERT OR REPLACE INTO publications (workshop_id, workbook, round, version_id, published_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (workshop_id, workbook, round, newest, time.time()),
                )
                # Versions now superseded by a published one are never shown again.
                db.execute(
                    "DELETE FROM response_versions WHERE workshop_id = ? AND workbook = ? AND round = ? AND id <= ?"
                    " AND id NOT IN (SELECT MAX(id) FROM response_versions WHERE workshop_id = ? AND workbook = ?"
                    " AND round = ? AND id <= ? GROUP BY participant_uid)",
                    (workshop_id, workbook, round, newest, workshop_id, workbook, round, newest),
                )
            published.append(round)
        return published

    @_friendly(_READ)
    def publication(self, workshop_id: int, workbook: str, round: str) -> Publication:
        """The published answers of one round (each person's newest published version)."""
        with self._snapshot() as db:  # one consistent read of cut-off, versions and count
            cutoff = self._cutoff(db, workshop_id, workbook, round)
            rows = db.execute(
                "SELECT v.id AS id, v.uid AS uid, v.workshop_id AS workshop_id, v.participant_uid AS participant_uid,"
                " v.workbook AS workbook, v.round AS round, v.group_label AS group_label,"
                " v.display_name AS display_name, v.payload AS payload, v.created_at AS created_at,"
                " v.updated_at AS updated_at FROM response_versions v"
                " JOIN (SELECT participant_uid, MAX(id) AS newest FROM response_versions WHERE workshop_id = ?"
                " AND workbook = ? AND round = ? AND id <= ? GROUP BY participant_uid) n"
                " ON v.id = n.newest ORDER BY v.created_at, v.id",
                (workshop_id, workbook, round, cutoff),
            ).fetchall()
            waiting = self._waiting(db, workshop_id, workbook, round, cutoff)
        return Publication(tuple(_response(r) for r in rows), waiting)

    @_friendly(_READ)
    def fingerprint(self, workshop_id: int) -> tuple[Any, ...]:
        """A cheap value that changes whenever the workshop's data changes."""
        resp = self._read(
            "SELECT COUNT(*), COALESCE(MAX(updated_at), 0) FROM responses WHERE workshop_id = ?", (workshop_id,)
        )[0]
        ws = self._read(
            "SELECT locked, revealed, min_group, current_round, title, settings FROM workshops WHERE id = ?",
            (workshop_id,),
        )
        notes = self._read("SELECT COUNT(*) FROM notes WHERE workshop_id = ?", (workshop_id,))[0]
        published = self._read(
            "SELECT COALESCE(SUM(version_id), 0) FROM publications WHERE workshop_id = ?", (workshop_id,)
        )[0]
        return (tuple(resp), tuple(ws[0]) if ws else None, notes[0], self.participant_count(workshop_id),
                published[0])

    # -- notes (next steps and other facilitator records) ----------------------

    @_friendly("store_note")
    def add_note(self, workshop_id: int, kind: str, text: str) -> Note:
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT INTO notes (workshop_id, kind, text, created_at) VALUES (?, ?, ?, ?)",
                (workshop_id, kind, text, now),
            )
        return Note(kind, text, now)

    @_friendly(_READ)
    def notes(self, workshop_id: int, kind: str | None = None) -> list[Note]:
        sql = "SELECT kind, text, created_at FROM notes WHERE workshop_id = ?"
        params: list[Any] = [workshop_id]
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        return [Note(*r) for r in self._read(sql + " ORDER BY created_at, id", params)]


#: The payload key of what only its owner may ever read (story weaving's
#: encrypted private moments): a change there is no change for k.
SEALED_KEY = "sealed"


def _visible(row: sqlite3.Row) -> tuple[str, str, dict[str, Any]]:
    """What of a stored answer others could ever see: group, name, and the payload without sealed parts."""
    payload = json.loads(row["payload"])
    if isinstance(payload, dict):
        payload = {k: v for k, v in payload.items() if k != SEALED_KEY}
    return row["group_label"], row["display_name"], payload


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return int(value) if isinstance(value, bool) else value


def _workshop(row: sqlite3.Row) -> Workshop:
    return Workshop(
        id=row["id"],
        code=row["code"],
        workbook=row["workbook"],
        title=row["title"],
        key_hash=row["key_hash"],
        created_at=row["created_at"],
        locked=bool(row["locked"]),
        revealed=bool(row["revealed"]),
        min_group=row["min_group"],
        current_round=row["current_round"],
        settings=json.loads(row["settings"] or "{}"),
    )


def _response(row: sqlite3.Row) -> Response:
    return Response(
        uid=row["uid"],
        workshop_id=row["workshop_id"],
        participant_uid=row["participant_uid"],
        workbook=row["workbook"],
        round=row["round"],
        group_label=row["group_label"],
        display_name=row["display_name"],
        payload=json.loads(row["payload"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


_OPEN: dict[str, Store] = {}


def open_store(url: str | None = None) -> Store:
    """Open (once per process) the store named by ``url`` or by the settings.

    ``sqlite:///absolute/path.sqlite3`` is the only scheme today; the URL form
    leaves room for ``postgresql://`` later without touching callers.
    """
    if url is None:
        from .config import Settings

        url = Settings.from_env().data_url
    if url in _OPEN:
        return _OPEN[url]
    if not url.startswith("sqlite:///"):
        raise FriendlyError.of("store_sqlite_only", scheme=url.split(":")[0])
    store = Store(url[len("sqlite:///") :])
    _OPEN[url] = store
    return store
