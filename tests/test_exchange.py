"""Response files: export, re-import, and every way an upload can be wrong."""

from __future__ import annotations

import json
import re
import time
import uuid

import pytest

from relworkbook.errors import FriendlyError
from relworkbook.exchange import import_responses, read_response_file, responses_document, to_csv, to_json
from relworkbook.heatmap.model import payload_check
from relworkbook.store import Response, Store
from relworkbook.workshops import start_workshop


@pytest.fixture
def filled(store, pack):
    ws = start_workshop(store, workbook="heatmap", title="Hall").workshop
    for n, group in enumerate(["staff", "residents", "staff"]):
        store.save_response(Response(
            uid=uuid.uuid4().hex, workshop_id=ws.id, participant_uid=f"p{n}", workbook="heatmap",
            round="baseline", group_label=group, display_name="<b>Bo</b>" if n == 0 else "",
            payload={"ratings": {s.id: 1 + (n + i) % 5 for i, s in enumerate(pack.statements)}},
            created_at=0, updated_at=0))
    return ws


def export_bytes(store, ws) -> bytes:
    return to_json(responses_document("heatmap", store.responses(ws.id), ws)).encode()


def test_json_round_trip_is_lossless(tmp_path, store, pack, filled):
    data = export_bytes(store, filled)
    other = Store(tmp_path / "other.sqlite3")
    target = start_workshop(other, workbook="heatmap").workshop
    assert import_responses(other, target, "heatmap", data, "x.json", payload_check(pack),
                            allow_other_workshop=True) == 3

    def key(r):
        return r.uid, r.participant_uid, r.round, r.group_label, r.display_name, r.payload, r.created_at

    assert sorted(map(key, other.responses(target.id))) == sorted(map(key, store.responses(filled.id)))
    # importing the same file twice adds nothing
    assert import_responses(other, target, "heatmap", data, "x.json", payload_check(pack),
                            allow_other_workshop=True) == 0
    assert len(other.responses(target.id)) == 3


def test_solo_files_join_the_current_round(store, pack):
    ws = start_workshop(store, workbook="heatmap", first_round="follow-up").workshop
    solo = Response(uid="u1", workshop_id=0, participant_uid="solo1", workbook="heatmap", round="baseline",
                    group_label="", display_name="", payload={"ratings": {pack.statements[0].id: 4}},
                    created_at=time.time() - 60, updated_at=time.time())
    data = to_json(responses_document("heatmap", [solo])).encode()
    import_responses(store, ws, "heatmap", data, "mine.json", payload_check(pack))
    assert [r.round for r in store.responses(ws.id)] == ["follow-up"]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda good: b"\x89PNG not json", "is not a response file (it is not JSON)"),
        (lambda good: b'{"hello": 1}', "not a relworkbook response file"),
        (lambda good: good.replace(b'"workbook": "heatmap"', b'"workbook": "story-weaving"'),
         "holds answers for the 'story-weaving' workbook"),
        (lambda good: good.replace(b'"version": 1', b'"version": 99'), "different version"),
        (lambda good: good.replace(b'"you-matters": 1', b'"you-matters": 9', 1), "outside the scale"),
        (lambda good: good.replace(b'"uid": "', b'"uid": 5, "x": "', 1), "'uid' is missing or not valid"),
        (lambda good: b" " * (21 * 1024 * 1024), "the limit is 5 MB"),
    ],
)
def test_bad_uploads_are_refused_whole(store, pack, filled, make, message):
    data = make(export_bytes(store, filled))
    target = start_workshop(store, workbook="heatmap").workshop
    with pytest.raises(FriendlyError, match=re.escape(message)) as caught:
        import_responses(store, target, "heatmap", data, "upload.json", payload_check(pack))
    assert "Nothing was imported" in caught.value.message
    assert store.responses(target.id) == []


def test_a_file_bad_only_at_the_end_imports_nothing(store, pack, filled):
    document = json.loads(export_bytes(store, filled))
    document["responses"][-1]["answers"] = {"ratings": {"nope": 3}}
    target = start_workshop(store, workbook="heatmap").workshop
    with pytest.raises(FriendlyError, match="response 3"):
        read_response_file(json.dumps(document).encode(), "f.json", "heatmap", payload_check(pack))
    assert store.responses(target.id) == []


def test_csv_is_tidy_and_safe_for_spreadsheets(store, pack, filled):
    from relworkbook.heatmap.report import TIDY_COLUMNS, tidy_rows

    rows = tidy_rows(pack, filled.code, store.responses(filled.id))
    assert len(rows) == 3 * len(pack.statements)
    text = to_csv([{"name": "=HYPERLINK(1)", "rating": 3}], ["name", "rating"])
    assert text.splitlines()[1] == "'=HYPERLINK(1),3"
    assert to_csv(rows, TIDY_COLUMNS).splitlines()[0] == ",".join(TIDY_COLUMNS)
