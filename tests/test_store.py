"""The SQLite store: shared by kernels, committed before "saved", never half-written."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from relworkbook.store import Response, Store, open_store
from relworkbook.workshops import join, start_workshop


def response(workshop_id: int, participant: str, value: int, round: str = "baseline") -> Response:
    return Response(uid=uuid.uuid4().hex, workshop_id=workshop_id, participant_uid=participant,
                    workbook="heatmap", round=round, group_label="", display_name="",
                    payload={"ratings": {"you-matters": value}}, created_at=0, updated_at=0)


def test_wal_mode_and_busy_timeout(store):
    assert store._read("PRAGMA journal_mode")[0][0] == "wal"
    assert store._read("PRAGMA busy_timeout")[0][0] == 30000


def test_revising_keeps_one_response_and_its_uid(store):
    ws = start_workshop(store, workbook="heatmap").workshop
    first = store.save_response(response(ws.id, "p1", 2))
    second = store.save_response(response(ws.id, "p1", 5))
    assert second.uid == first.uid and second.payload["ratings"]["you-matters"] == 5
    assert len(store.responses(ws.id)) == 1
    store.save_response(response(ws.id, "p1", 3, round="follow-up"))
    assert store.rounds(ws.id, "heatmap") == ["baseline", "follow-up"]


def test_a_second_connection_sees_committed_answers_at_once(store):
    ws = start_workshop(store, workbook="heatmap").workshop
    other = Store(store.path)
    store.save_response(response(ws.id, "p1", 4))
    assert [r.payload for r in other.responses(ws.id)] == [{"ratings": {"you-matters": 4}}]
    before = other.fingerprint(ws.id)
    store.save_response(response(ws.id, "p2", 1))
    assert other.fingerprint(ws.id) != before
    other.close()


def test_import_is_all_or_nothing(store):
    ws = start_workshop(store, workbook="heatmap").workshop
    good = response(ws.id, "p1", 3)
    broken = Response(**{**good.__dict__, "uid": "x", "participant_uid": "p2", "workshop_id": 9999})
    with pytest.raises(Exception):
        store.import_responses([good, broken])  # the second violates the workshop reference
    assert store.responses(ws.id) == []
    assert store.import_responses([good]) == 1
    assert store.import_responses([good]) == 0


def test_open_store_refuses_other_databases_politely():
    from relworkbook.errors import FriendlyError

    with pytest.raises(FriendlyError, match="SQLite only"):
        open_store("postgresql://council/db")


def _writer(path: str, workshop_id: int, index: int, barrier) -> None:
    s = Store(path)
    barrier.wait()
    for n in range(10):
        s.save_response(response(workshop_id, f"w{index}-{n}", 1 + n % 5))
    s.close()


def test_many_kernels_submitting_at_the_same_moment_lose_nothing(tmp_path):
    path = str(tmp_path / "busy.sqlite3")
    ws = start_workshop(Store(path), workbook="heatmap").workshop
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(8)
    workers = [ctx.Process(target=_writer, args=(path, ws.id, i, barrier)) for i in range(8)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    assert len(Store(path).responses(ws.id)) == 80


def test_every_acknowledged_answer_survives_a_killed_process(tmp_path):
    """Kill -9 a writer mid-stream: everything it acknowledged is there on restart."""
    path = tmp_path / "crash.sqlite3"
    ws = start_workshop(Store(path), workbook="heatmap").workshop
    script = textwrap.dedent(f"""
        import sys, uuid
        from relworkbook.store import Store, Response
        s = Store({str(path)!r})
        n = 0
        while True:
            s.save_response(Response(uid=uuid.uuid4().hex, workshop_id={ws.id}, participant_uid=f"p{{n}}",
                workbook="heatmap", round="baseline", group_label="", display_name="",
                payload={{"ratings": {{"you-matters": 3}}}}, created_at=0, updated_at=0))
            print(f"ack p{{n}}", flush=True)
            n += 1
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    acked = []
    deadline = time.time() + 30
    while len(acked) < 40 and time.time() < deadline:
        acked.append(proc.stdout.readline().split()[1])
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    stored = {r.participant_uid for r in Store(path).responses(ws.id)}
    assert len(acked) == 40
    assert set(acked) <= stored
    # and the file is healthy
    assert Store(path)._read("PRAGMA integrity_check")[0][0] == "ok"


def test_participants_and_responses_link_up(store):
    access = start_workshop(store, workbook="heatmap")
    seat = join(store, access.workshop.code, "heatmap", display_name="Ana", group_label="staff")
    assert store.participant_count(access.workshop.id) == 1
    assert seat.participant.group_label == "staff"
