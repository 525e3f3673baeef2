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

from relworkbook.errors import FriendlyError
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
    with pytest.raises(FriendlyError, match="The answers could not be added"):
        store.import_responses([good, broken])  # the second violates the workshop reference
    assert store.responses(ws.id) == []
    assert store.import_responses([good]) == 1
    assert store.import_responses([good]) == 0


def test_open_store_refuses_other_databases_politely():
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


# -- the step-of-k rule: pooled results move only when k people have new answers --------


def shown(store, workshop_id: int, round: str = "baseline") -> dict[str, int]:
    """Who is shown with which answer in the round's publication."""
    return {r.participant_uid: r.payload["ratings"]["you-matters"]
            for r in store.publication(workshop_id, "heatmap", round).responses}


def waiting(store, workshop_id: int, round: str = "baseline") -> int:
    return store.publication(workshop_id, "heatmap", round).waiting


def versions_per_person(store, workshop_id: int) -> dict[tuple[str, str], int]:
    rows = store._read("SELECT participant_uid, round, COUNT(*) FROM response_versions WHERE workshop_id = ?"
                       " GROUP BY participant_uid, round", (workshop_id,))
    return {(r[0], r[1]): r[2] for r in rows}


@pytest.fixture
def k3(store):
    return start_workshop(store, workbook="heatmap").workshop


def test_two_saves_with_k_3_publish_nothing(store, k3):
    store.save_response(response(k3.id, "p1", 1))
    store.save_response(response(k3.id, "p2", 2))
    assert store.publish_due(k3.id, "heatmap", 3) == []
    publication = store.publication(k3.id, "heatmap", "baseline")
    assert publication.responses == () and publication.waiting == 2


def test_the_third_save_publishes_all_three(store, k3):
    for n in (1, 2, 3):
        store.save_response(response(k3.id, f"p{n}", n))
    assert store.publish_due(k3.id, "heatmap", 3) == ["baseline"]
    assert shown(store, k3.id) == {"p1": 1, "p2": 2, "p3": 3}
    assert waiting(store, k3.id) == 0
    assert store.publish_due(k3.id, "heatmap", 3) == []  # nothing new: nothing to publish


def test_one_more_changed_answer_waits_and_the_old_one_stays_shown(store, k3):
    for n in (1, 2, 3):
        store.save_response(response(k3.id, f"p{n}", n))
    store.publish_due(k3.id, "heatmap", 3)
    store.save_response(response(k3.id, "p1", 5))
    assert store.publish_due(k3.id, "heatmap", 3) == []
    assert shown(store, k3.id) == {"p1": 1, "p2": 2, "p3": 3}
    assert waiting(store, k3.id) == 1
    store.save_response(response(k3.id, "p4", 4))  # a newcomer waits just the same
    assert store.publish_due(k3.id, "heatmap", 3) == []
    assert shown(store, k3.id) == {"p1": 1, "p2": 2, "p3": 3} and waiting(store, k3.id) == 2


def test_a_person_who_saves_twice_while_waiting_counts_once(store, k3):
    for n in (1, 2, 3):
        store.save_response(response(k3.id, f"p{n}", n))
    store.publish_due(k3.id, "heatmap", 3)
    store.save_response(response(k3.id, "p1", 4))
    store.save_response(response(k3.id, "p1", 5))
    store.save_response(response(k3.id, "p2", 5))
    assert waiting(store, k3.id) == 2
    assert store.publish_due(k3.id, "heatmap", 3) == []
    store.save_response(response(k3.id, "p3", 5))
    assert store.publish_due(k3.id, "heatmap", 3) == ["baseline"]
    assert shown(store, k3.id) == {"p1": 5, "p2": 5, "p3": 5}  # each person's newest answer


def test_rounds_are_published_separately(store, k3):
    for n in (1, 2, 3):
        store.save_response(response(k3.id, f"p{n}", n))
    store.save_response(response(k3.id, "p1", 2, round="follow-up"))
    assert store.publish_due(k3.id, "heatmap", 3) == ["baseline"]
    assert shown(store, k3.id, "follow-up") == {} and waiting(store, k3.id, "follow-up") == 1


def test_publish_due_from_two_stores_at_once_publishes_once(store, k3):
    import threading

    other = Store(store.path)
    try:
        for step in range(15):
            for n in range(3):
                store.save_response(response(k3.id, f"p{n}", 1 + (step + n) % 5))
            barrier = threading.Barrier(2)
            results: dict[str, list[str]] = {}

            def publish(name, s, barrier=barrier, results=results):
                barrier.wait()
                results[name] = s.publish_due(k3.id, "heatmap", 3)

            threads = [threading.Thread(target=publish, args=(name, s)) for name, s in (("a", store), ("b", other))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
            assert sorted(results.values()) == [[], ["baseline"]], (step, results)
            assert shown(store, k3.id) == {f"p{n}": 1 + (step + n) % 5 for n in range(3)}
            assert waiting(other, k3.id) == 0
    finally:
        other.close()


def test_versions_are_pruned_to_at_most_two_per_person_per_round(store, k3):
    for step in range(6):
        for n in range(4):
            store.save_response(response(k3.id, f"p{n}", 1 + (step * n) % 5))
            store.save_response(response(k3.id, f"p{n}", 1 + (step + n) % 5, round="follow-up"))
            assert max(versions_per_person(store, k3.id).values()) <= 2
        if step % 2:
            store.publish_due(k3.id, "heatmap", 3)
            assert max(versions_per_person(store, k3.id).values()) <= 2
    # the newest published and at most one waiting: here all are published, so exactly one each
    store.publish_due(k3.id, "heatmap", 3)
    assert set(versions_per_person(store, k3.id).values()) == {1}
    assert shown(store, k3.id) == {f"p{n}": 1 + (5 * n) % 5 for n in range(4)}
