"""Pages readied before the room arrives (relworkbook/readiness.py, server.py's ReadyPages).

The rules are pure and tested on their own; then a real ``relworkbook serve``
readies the pages a facilitator asked for, within its cap, refills a pool
kernel only after the rush, and shrinks back when the request ends. Nothing
is mocked: real server, real kernels, real request files.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import psutil
import pytest

from conftest import ROOT, start_server, stop_server
from relworkbook import readiness
from relworkbook.readiness import (
    MAX_READY_PAGES,
    MIB,
    RUSH_QUIET_SECONDS,
    Request,
    ask_for_pages,
    may_start,
    memory_room,
    next_fill,
    parse_request,
    plan,
    read_requests,
    requests_folder,
    reserve_bytes,
    surplus,
)

GIB = 1024 * MIB
NOW = 1_800_000_000.0
PLENTY = {"available": 20 * GIB, "total": 24 * GIB}


def request(people: int, notebook: str = "heatmap.ipynb", workshop: str = "ABCDEF", made_at: float = NOW - 10,
            ready_for: float = 3600) -> Request:
    return Request(notebook=notebook, people=people, workshop=workshop, made_at=made_at, ready_for=ready_for)


# -- the rules ---------------------------------------------------------------------------


def test_the_pool_grows_to_the_people_expected_less_those_already_here():
    assert plan([request(30)], now=NOW, arrived={}, in_pool={}, default=1, **PLENTY) == {"heatmap.ipynb": 30}
    assert plan([request(30)], now=NOW, arrived={"heatmap.ipynb": 12}, in_pool={}, default=1,
                **PLENTY) == {"heatmap.ipynb": 18}
    # Everyone is here: back to the usual pool, never below it.
    assert plan([request(30)], now=NOW, arrived={"heatmap.ipynb": 31}, in_pool={}, default=1,
                **PLENTY) == {"heatmap.ipynb": 1}


def test_two_workshops_of_one_workbook_add_up_and_the_cap_holds_over_all_workbooks():
    both = [request(20, workshop="AAAAAA"), request(15, workshop="BBBBBB", made_at=NOW - 5)]
    assert plan(both, now=NOW, arrived={}, in_pool={}, default=1, **PLENTY) == {"heatmap.ipynb": 35}
    three = [*both, request(30, notebook="story-weaving.ipynb", workshop="CCCCCC", made_at=NOW - 1)]
    targets = plan(three, now=NOW, arrived={}, in_pool={}, default=1, **PLENTY)
    assert targets == {"heatmap.ipynb": 35, "story-weaving.ipynb": MAX_READY_PAGES - 35}  # first asked, first served
    assert plan([request(500)], now=NOW, arrived={}, in_pool={}, default=1, **PLENTY) == {
        "heatmap.ipynb": MAX_READY_PAGES}
    # A cap of 0 turns readying off: the usual pool stays.
    assert plan(three, now=NOW, arrived={}, in_pool={}, default=1, cap=0, **PLENTY) == {
        "heatmap.ipynb": 1, "story-weaving.ipynb": 1}


def test_ended_and_future_requests_count_for_nothing():
    old = request(30, made_at=NOW - 7200, ready_for=3600)
    assert plan([old], now=NOW, arrived={}, in_pool={}, default=1, **PLENTY) == {}
    assert readiness.expired([old, request(5)], NOW) == [old]
    assert plan([request(30, made_at=NOW + 3600)], now=NOW, arrived={}, in_pool={}, default=1, **PLENTY) == {}


def test_ready_pages_never_take_the_memory_reserve():
    total = 2 * GIB  # a small machine: the reserve is 512 MiB
    assert reserve_bytes(total) == 512 * MIB
    assert reserve_bytes(24 * GIB) == 6 * GIB  # a quarter of a big one
    # 1 GiB free: (1024 - 512) / 60 = 8 more pages.
    assert memory_room(available=GIB, total=total, held=0) == 8
    assert plan([request(30)], now=NOW, arrived={}, in_pool={}, default=1, available=GIB,
                total=total) == {"heatmap.ipynb": 8}
    # Pages already started have been paid for: they stay, and only what is free above the reserve buys more.
    assert memory_room(available=512 * MIB + 59 * MIB, total=total, held=8) == 8
    assert plan([request(30)], now=NOW, arrived={}, in_pool={"heatmap.ipynb": 8}, default=1,
                available=512 * MIB + 59 * MIB, total=total) == {"heatmap.ipynb": 8}
    # Below the reserve: idle pages are given back, enough to climb over it again.
    assert memory_room(available=512 * MIB - 100 * MIB, total=total, held=8) == 6
    assert memory_room(available=0, total=total, held=3) == 0


def test_kernels_start_a_few_at_a_time():
    assert next_fill(target=30, pooled=1, starting=0, step=2) == 3
    assert next_fill(target=30, pooled=3, starting=2, step=2) == 3  # wait for these to start
    assert next_fill(target=4, pooled=3, starting=0, step=2) == 4
    assert next_fill(target=1, pooled=5, starting=0, step=2) == 1
    assert surplus(target=1, idle=5) == 4 and surplus(target=6, idle=5) == 0


def test_no_refill_while_people_are_still_arriving():
    # Two pages opened within the quiet time make a rush; one person, or pages far apart, do not.
    assert readiness.starts_rush(now=NOW, previous_page=NOW - 1)
    assert not readiness.starts_rush(now=NOW, previous_page=NOW - RUSH_QUIET_SECONDS)
    assert not readiness.starts_rush(now=NOW, previous_page=None)
    rush = {"in_rush": True, "last_request": NOW - 1, "pages_in_flight": 0, "waiting_since": NOW - 2}
    assert not may_start(now=NOW, **rush)
    assert may_start(now=NOW, **{**rush, "in_rush": False})  # one person: refill at once, as Voila does
    assert not may_start(now=NOW, **{**rush, "in_rush": False, "pages_in_flight": 1})  # once the page is drawn
    assert not may_start(now=NOW, in_rush=True, last_request=NOW - 30, pages_in_flight=3, waiting_since=NOW - 10)
    assert may_start(now=NOW, in_rush=True, last_request=NOW - RUSH_QUIET_SECONDS, pages_in_flight=0,
                     waiting_since=NOW - 9)
    # A page that never finishes does not hold the pool empty for ever.
    assert may_start(now=NOW, in_rush=True, last_request=NOW - 1, pages_in_flight=1,
                     waiting_since=NOW - readiness.MAX_HOLD_SECONDS)


def test_request_files(tmp_path):
    data_url = f"sqlite:///{tmp_path / 'workshops.sqlite3'}"
    folder = requests_folder(data_url)
    assert folder == tmp_path / "workshops.sqlite3.ready"
    written = ask_for_pages("heatmap.ipynb", 25, workshop="ABCDEF", data_url=data_url, now=NOW)
    assert written == folder / "ABCDEF.json"
    assert read_requests(folder) == [Request("heatmap.ipynb", 25, "ABCDEF", NOW, readiness.READY_FOR_SECONDS)]
    ask_for_pages("heatmap.ipynb", 5000, workshop="ABCDEF", data_url=data_url, now=NOW)  # a slip, not a room
    assert read_requests(folder)[0].people == readiness.MAX_PEOPLE
    (folder / "broken.json").write_text("{not json", encoding="utf-8")
    (folder / "sneaky.json").write_text(json.dumps({"notebook": "../x.ipynb", "people": 3, "workshop": "X",
                                                    "made_at": NOW}), encoding="utf-8")
    # The server removes an ended request's file by its code: a code that is a path is never read.
    (folder / "elsewhere.json").write_text(json.dumps({"notebook": "heatmap.ipynb", "people": 3,
                                                       "workshop": "../../elsewhere", "made_at": NOW}),
                                           encoding="utf-8")
    assert [r.workshop for r in read_requests(folder)] == ["ABCDEF"]  # broken or odd files are skipped
    assert ask_for_pages("heatmap.ipynb", 0, workshop="ABCDEF", data_url=data_url) is None  # withdrawn
    assert not (folder / "ABCDEF.json").exists()
    with pytest.raises(ValueError):
        ask_for_pages("heatmap.ipynb", 3, workshop="../../etc", data_url=data_url)
    assert parse_request(json.dumps({"notebook": "heatmap.ipynb", "people": 0, "workshop": "A",
                                     "made_at": NOW})) is None


# -- the real server --------------------------------------------------------------------------


def kernels(server) -> list[psutil.Process]:
    found = []
    for child in psutil.Process(server.process.pid).children(recursive=True):
        try:
            if "ipykernel" in " ".join(child.cmdline()):
                found.append(child)
        except psutil.Error:
            continue
    return found


def wait_for_kernels(server, count: int, seconds: float = 120) -> float:
    """Seconds until the server has exactly ``count`` kernel processes (fails after ``seconds``)."""
    start = time.monotonic()
    while len(kernels(server)) != count:
        assert time.monotonic() - start < seconds, f"{len(kernels(server))} kernels, not {count}:\n" + \
            server.log_text()[-3000:]
        time.sleep(0.25)
    return time.monotonic() - start


NOTEBOOKS = len(list((ROOT / "workbooks").glob("*.ipynb")))  # one ready page of each, the usual pool


def settled(server, seconds: float = 120) -> int:
    """The number of kernels once the usual pools are full and nothing has changed for a while.

    (The test server's start-up check opens ``/`` once, which takes the index's
    ready page; its replacement comes after the rush rule's quiet time.)
    """
    start = time.monotonic()
    count, since = -1, time.monotonic()
    while time.monotonic() - start < seconds:
        now = len(kernels(server))
        if now != count:
            count, since = now, time.monotonic()
        elif now >= NOTEBOOKS and time.monotonic() - since >= RUSH_QUIET_SECONDS + 3:
            return count
        time.sleep(0.25)
    raise AssertionError("the server's kernels never settled:\n" + server.log_text()[-3000:])


@pytest.mark.voila
def test_the_server_readies_what_was_asked_within_its_cap_then_shrinks_back(tmp_path):
    server = start_server(tmp_path, "--ready-max", "6")
    try:
        usual = settled(server)
        data_url = f"sqlite:///{server.data}"
        ask_for_pages("heatmap.ipynb", 4, workshop="AAAAAA", data_url=data_url, ready_for=40)
        wait_for_kernels(server, usual + 3)  # heatmap: 4 ready instead of 1
        assert "heatmap.ipynb: keeping 4 pages ready" in server.log_text()
        # A second workshop asks for 10 of another workbook: only 2 fit under the cap of 6.
        ask_for_pages("story-weaving.ipynb", 10, workshop="BBBBBB", data_url=data_url, ready_for=25)
        wait_for_kernels(server, usual + 4)
        assert "story-weaving.ipynb: keeping 2 pages ready" in server.log_text()
        time.sleep(3)
        assert len(kernels(server)) == usual + 4  # and no more
        # When the requests end, the idle pages stop and the usual pool is left.
        wait_for_kernels(server, usual, seconds=90)
        assert "stopped a ready page of heatmap.ipynb" in server.log_text()
        assert "Error at server" not in server.log_text()
        assert not list(requests_folder(data_url).glob("*.json"))  # ended requests are tidied away
    finally:
        stop_server(server)


@pytest.mark.voila
def test_a_ready_page_handed_out_in_a_rush_is_replaced_after_it(tmp_path):
    """Plain Voila starts the replacement 1 s after handing a ready kernel out; the kit waits for a quiet moment."""
    server = start_server(tmp_path)
    try:
        usual = settled(server)
        before = {p.pid for p in kernels(server)}
        pages: list[bytes] = []

        def open_page():
            with urllib.request.urlopen(server.url("/voila/render/heatmap.ipynb"), timeout=120) as response:
                pages.append(response.read())

        # Two people at once: the first is given the ready page, the second a new kernel.
        people = [threading.Thread(target=open_page) for _ in range(2)]
        for person in people:
            person.start()
        last_arrival = time.monotonic()
        for person in people:
            person.join()
        assert len(pages) == 2 and all(b"widget-view+json" in page for page in pages)
        assert "Using pre-heated kernel" in server.log_text()
        # The two pages' kernels, then the ready page's replacement: not before the rush has been quiet a while.
        wait_for_kernels(server, usual + 2)
        replaced = time.monotonic()
        assert len({p.pid for p in kernels(server)} - before) == 2
        assert replaced - last_arrival >= RUSH_QUIET_SECONDS - 0.5
    finally:
        stop_server(server)

