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

import json
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

from .errors import FriendlyError

SCHEMA_VERSION = 1

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
class Note:
    kind: str
    text: str
    created_at: float


_WORKSHOP_FIELDS = {"title", "locked", "revealed", "min_group", "current_round", "settings"}


class Store:
    """A workshop store backed by one SQLite file."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # One connection per Store; a kernel is effectively single-threaded but
        # the lock keeps a stray timer thread from interleaving transactions.
        self._lock = threading.RLock()
        self._db = sqlite3.connect(
            str(self.path), timeout=30, isolation_level=None, check_same_thread=False
        )
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA busy_timeout = 30000")
        self._db.execute("PRAGMA journal_mode = WAL")
        # FULL: a committed answer survives a power cut, not only a killed server.
        self._db.execute("PRAGMA synchronous = FULL")
        self._db.execute("PRAGMA foreign_keys = ON")
        with self._lock:  # executescript manages its own transaction
            self._db.executescript(f"BEGIN IMMEDIATE; {_SCHEMA} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A transaction that takes the write lock up front (no upgrade deadlocks)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            else:
                self._db.execute("COMMIT")

    def _read(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, tuple(params)).fetchall()

    # -- workshops -----------------------------------------------------------

    def create_workshop(
        self, *, code: str, workbook: str, title: str, key_hash: str, min_group: int, current_round: str
    ) -> Workshop:
        with self._write() as db:
            cur = db.execute(
                "INSERT INTO workshops (code, workbook, title, key_hash, created_at, min_group, current_round)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (code, workbook, title, key_hash, time.time(), min_group, current_round),
            )
            workshop_id = cur.lastrowid
        return self.workshop(workshop_id)

    def code_in_use(self, code: str) -> bool:
        return bool(self._read("SELECT 1 FROM workshops WHERE code = ?", (code,)))

    def workshop(self, workshop_id: int) -> Workshop:
        rows = self._read("SELECT * FROM workshops WHERE id = ?", (workshop_id,))
        if not rows:
            raise FriendlyError("That workshop no longer exists.")
        return _workshop(rows[0])

    def workshop_by_code(self, code: str) -> Workshop | None:
        rows = self._read("SELECT * FROM workshops WHERE code = ?", (code,))
        return _workshop(rows[0]) if rows else None

    def update_workshop(self, workshop_id: int, **fields: Any) -> Workshop:
        unknown = set(fields) - _WORKSHOP_FIELDS
        if unknown:
            raise ValueError(f"not workshop settings: {sorted(unknown)}")
        if fields:
            assignments = ", ".join(f"{name} = ?" for name in fields)
            with self._write() as db:
                db.execute(
                    f"UPDATE workshops SET {assignments} WHERE id = ?",
                    (*[_plain(v) for v in fields.values()], workshop_id),
                )
        return self.workshop(workshop_id)

    # -- participants --------------------------------------------------------

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
        return Participant(pid, workshop_id, uid, display_name, group_label)

    def participant_by_token_hash(self, workshop_id: int, token_hash: str) -> Participant | None:
        rows = self._read(
            "SELECT id, workshop_id, uid, display_name, group_label FROM participants"
            " WHERE workshop_id = ? AND token_hash = ?",
            (workshop_id, token_hash),
        )
        return Participant(*rows[0]) if rows else None

    def participant_count(self, workshop_id: int) -> int:
        return self._read("SELECT COUNT(*) FROM participants WHERE workshop_id = ?", (workshop_id,))[0][0]

    # -- responses -----------------------------------------------------------

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
        saved = self.response_for(
            response.workshop_id, response.participant_uid, response.workbook, response.round
        )
        assert saved is not None
        return saved

    def response_for(self, workshop_id: int, participant_uid: str, workbook: str, round: str) -> Response | None:
        rows = self._read(
            "SELECT * FROM responses WHERE workshop_id = ? AND participant_uid = ? AND workbook = ? AND round = ?",
            (workshop_id, participant_uid, workbook, round),
        )
        return _response(rows[0]) if rows else None

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

    def rounds(self, workshop_id: int, workbook: str) -> list[str]:
        rows = self._read(
            "SELECT round, MIN(created_at) AS first FROM responses WHERE workshop_id = ? AND workbook = ?"
            " GROUP BY round ORDER BY first",
            (workshop_id, workbook),
        )
        return [r["round"] for r in rows]

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
                added += cur.rowcount
        return added

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
        return (tuple(resp), tuple(ws[0]) if ws else None, notes[0], self.participant_count(workshop_id))

    # -- notes (next steps and other facilitator records) ----------------------

    def add_note(self, workshop_id: int, kind: str, text: str) -> Note:
        now = time.time()
        with self._write() as db:
            db.execute(
                "INSERT INTO notes (workshop_id, kind, text, created_at) VALUES (?, ?, ?, ?)",
                (workshop_id, kind, text, now),
            )
        return Note(kind, text, now)

    def notes(self, workshop_id: int, kind: str | None = None) -> list[Note]:
        sql = "SELECT kind, text, created_at FROM notes WHERE workshop_id = ?"
        params: list[Any] = [workshop_id]
        if kind is not None:
            sql += " AND kind = ?"
            params.append(kind)
        return [Note(*r) for r in self._read(sql + " ORDER BY created_at, id", params)]


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
        raise FriendlyError(f"The kit can store workshops in SQLite only (got {url.split(':')[0]}:).")
    store = Store(url[len("sqlite:///") :])
    _OPEN[url] = store
    return store
