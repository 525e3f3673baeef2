"""Pages readied before the room arrives: how many, within what memory, and when to refill.

A phone that opens the join link gets its page at once if a kernel for that
workbook is already started and waiting (Voila's preheated pool); otherwise
the server starts one then, about a second of CPU each, and thirty phones
arriving together queue behind each other on a small machine. So when a
facilitator starts a workshop and says how many people to expect, the
facilitator's kernel writes a small request file beside the SQLite file, and
``relworkbook serve`` (server.py) polls that folder and grows the workbook's
pool to that size, a few kernels at a time, before people come.

This module holds the rules (pure functions, tested on their own) and the
request files. The server does the starting and stopping.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

MIB = 1024 * 1024

#: What one ready page costs: a participant's kernel is about 59 MiB RSS after
#: joining and saving (BENCHMARKS.md, kernel memory); a waiting one a little less.
PER_PAGE_BYTES = 60 * MIB

#: The most pages kept ready for expected people at once, over every workbook, whatever was asked
#: for. Forty is a room of thirty with a quarter to spare (the issue's largest
#: room). Each takes about 60 MB while it waits and about a second of CPU to
#: start, so asking for 500 by mistake must not start 500.
MAX_READY_PAGES = 40

#: Memory that ready pages never take: a quarter of the machine, and at least
#: 512 MiB, for the server, the facilitator's kernel (about 185 MiB), the
#: kernels of people who arrive when no page is ready, and everything else
#: running on the machine.
RESERVE_SHARE = 0.25
MIN_RESERVE_BYTES = 512 * MIB

#: How long a request holds if the facilitator says nothing more: a session
#: rarely runs longer than two hours; after that the pool shrinks back.
READY_FOR_SECONDS = 2 * 3600

#: Refill after the rush, not during it: a pool kernel handed out while people
#: are still arriving is replaced only once nothing has been asked of the
#: server (a page or the files it loads) for this long and no page is being drawn. Starting a kernel then would take CPU
#: from the pages people are waiting for, and serve only a later arrival.
RUSH_QUIET_SECONDS = 5.0

#: ...but never hold a refill longer than this (a page that never finishes
#: must not stop the pool from refilling for good).
MAX_HOLD_SECONDS = 60.0

#: The most people one request may name (a typing slip such as 3000 is not a room).
MAX_PEOPLE = 1000

_CODE = re.compile(r"[A-Za-z0-9_-]{1,40}")


@dataclass(frozen=True)
class Request:
    """A facilitator's "about this many people will open this workbook soon"."""

    notebook: str  # the workbook's notebook file, as Voila names it ("heatmap.ipynb")
    people: int
    workshop: str  # the workshop's code: one request per workshop, a new one replaces it
    made_at: float  # seconds since the epoch
    ready_for: float = READY_FOR_SECONDS

    @property
    def expires_at(self) -> float:
        return self.made_at + self.ready_for

    def active(self, now: float) -> bool:
        return self.made_at <= now + 60 and now < self.expires_at  # a minute's grace for clocks that differ


# -- the request files (beside the SQLite file) -------------------------------------------


def requests_folder(data_url: str) -> Path:
    """``/srv/workshops.sqlite3`` -> ``/srv/workshops.sqlite3.ready/``: beside the store, so every
    kernel of the server and the server itself find it from the one setting they share."""
    path = data_url[len("sqlite:///"):] if data_url.startswith("sqlite:///") else data_url
    store = Path(path)
    return store.with_name(store.name + ".ready")


def ask_for_pages(notebook: str, people: int, *, workshop: str, data_url: str,
                  ready_for: float = READY_FOR_SECONDS, now: float | None = None) -> Path | None:
    """Ask ``relworkbook serve`` to ready ``people`` pages of ``notebook`` (0 withdraws the request).

    Called from the facilitator's kernel when a workshop starts. The file is
    written whole and then renamed, so the server never reads half of it.
    Returns the file written, or None when the request was withdrawn.
    """
    if not _CODE.fullmatch(workshop):
        raise ValueError(f"not a workshop code: {workshop!r}")
    folder = requests_folder(data_url)
    target = folder / f"{workshop}.json"
    people = max(0, min(int(people), MAX_PEOPLE))
    if people == 0:
        target.unlink(missing_ok=True)
        return None
    folder.mkdir(parents=True, exist_ok=True)
    request = {"notebook": notebook, "people": people, "workshop": workshop,
               "made_at": time.time() if now is None else now, "ready_for": float(ready_for)}
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(request, out)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def parse_request(text: str) -> Request | None:
    """A request file's content, or None if it is not one (a broken file is skipped, never fatal)."""
    try:
        raw = json.loads(text)
        notebook, people, workshop = str(raw["notebook"]), int(raw["people"]), str(raw["workshop"])
        made_at, ready_for = float(raw["made_at"]), float(raw.get("ready_for", READY_FOR_SECONDS))
    except (ValueError, KeyError, TypeError):
        return None
    # The server removes an ended request's file by its workshop code, so the code must be a plain name.
    if not notebook.endswith(".ipynb") or ".." in notebook or people < 1 or not _CODE.fullmatch(workshop):
        return None
    return Request(notebook, min(people, MAX_PEOPLE), workshop, made_at, max(0.0, ready_for))


def read_requests(folder: Path) -> list[Request]:
    """Every request in ``folder`` (expired ones too: the caller decides)."""
    found = []
    try:
        files = sorted(folder.glob("*.json"))
    except OSError:
        return []
    for file in files:
        try:
            request = parse_request(file.read_text(encoding="utf-8"))
        except OSError:
            continue
        if request is not None:
            found.append(request)
    return found


# -- the rules -------------------------------------------------------------------------


def reserve_bytes(total: int) -> int:
    """Memory that ready pages never take (see RESERVE_SHARE)."""
    return max(MIN_RESERVE_BYTES, int(total * RESERVE_SHARE))


def memory_room(*, available: int, total: int, held: int, per_page: int = PER_PAGE_BYTES) -> int:
    """How many ready pages the requested pools may hold in all, given the memory free now.

    ``held`` pages are already started, so their memory is already spent: they
    count in full, and only the memory still free above the reserve buys more.
    When the machine has fallen below its reserve the answer drops under
    ``held``, so idle pages are stopped to give memory back. Growth needs a
    whole page's worth above the reserve, so the pool does not start and stop
    a kernel over and over at the edge.
    """
    return max(0, held + (available - reserve_bytes(total)) // per_page)


def plan(requests: Iterable[Request], *, now: float, arrived: Mapping[str, int], in_pool: Mapping[str, int],
         default: int, available: int, total: int, cap: int = MAX_READY_PAGES,
         per_page: int = PER_PAGE_BYTES) -> dict[str, int]:
    """The pool size each requested notebook should have now.

    For each notebook: the people still expected (everyone its active
    requests named, less the pages already opened since the first of them),
    never less than the server's usual pool; then, first asked first served,
    no more than the cap and the memory allow over all notebooks together
    (the cap never takes a pool below the usual size; a lack of memory does).
    Notebooks without an active request are not in the answer (they go back
    to the usual pool).
    """
    wanted: dict[str, int] = {}
    for request in sorted(requests, key=lambda r: r.made_at):
        if request.active(now):
            wanted[request.notebook] = wanted.get(request.notebook, 0) + request.people
    held = sum(in_pool.get(notebook, 0) for notebook in wanted)
    room = memory_room(available=available, total=total, held=held, per_page=per_page)
    left = max(0, cap)
    targets = {}
    for notebook, people in wanted.items():
        want = max(default, people - arrived.get(notebook, 0))
        # The cap never takes a notebook below the usual pool (a cap of 0 turns readying off); memory can.
        give = max(0, max(min(default, room), min(want, left, room)))
        targets[notebook] = give
        left -= give
        room -= give
    return targets


def next_fill(*, target: int, pooled: int, starting: int, step: int) -> int:
    """The pool size to ask Voila for now, on the way to ``target``.

    Kernels start ``step`` at a time (one per core), and the next few only once
    these have started, so readying thirty pages never stalls the machine for
    the people already using it. Shrinking is not done here (the server stops
    surplus idle kernels itself).
    """
    if pooled >= target:
        return target
    if starting > 0:
        return pooled
    return min(target, pooled + max(1, step))


def quiet(*, now: float, last_request: float | None, pages_in_flight: int,
          quiet_seconds: float = RUSH_QUIET_SECONDS) -> bool:
    """Is the rush over? No page is being drawn, and nothing (a page, or the files a page loads) was asked
    for in the last ``quiet_seconds``: phones still loading Voila's JavaScript are still arriving."""
    return pages_in_flight <= 0 and (last_request is None or now - last_request >= quiet_seconds)


def starts_rush(*, now: float, previous_page: float | None, quiet_seconds: float = RUSH_QUIET_SECONDS) -> bool:
    """Does a page opened now make a rush? Yes if another was opened less than ``quiet_seconds`` before.

    One person opening a page (or reloading it a minute later) is no rush: the
    pool refills at once, as Voila does, so the next person finds a page ready.
    """
    return previous_page is not None and now - previous_page < quiet_seconds


def may_start(*, now: float, in_rush: bool, last_request: float | None, pages_in_flight: int,
              waiting_since: float | None, quiet_seconds: float = RUSH_QUIET_SECONDS,
              max_hold: float = MAX_HOLD_SECONDS) -> bool:
    """May the server start pool kernels now (a refill, or readying pages)?

    Outside a rush, once no page is being drawn (about when Voila would: one
    person's page takes a fraction of a second). In a rush, when it is over
    (``quiet``). Either way, once kernels have been wanted for ``max_hold``
    seconds, whatever is happening.
    """
    if in_rush:
        calm = quiet(now=now, last_request=last_request, pages_in_flight=pages_in_flight,
                     quiet_seconds=quiet_seconds)
    else:
        calm = pages_in_flight <= 0
    return calm or (waiting_since is not None and now - waiting_since >= max_hold)


def surplus(*, target: int, idle: int) -> int:
    """How many idle ready pages to stop (the request ended, or memory ran short)."""
    return max(0, idle - max(0, target))


def expired(requests: Iterable[Request], now: float) -> list[Request]:
    """The requests whose time is up (the server removes their files)."""
    return [r for r in requests if now >= r.expires_at]
