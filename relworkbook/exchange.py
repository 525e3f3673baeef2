"""Response files in and out: lossless JSON, tidy CSV.

The JSON format is the kit's exchange format: a participant on a separate
Binder session downloads one, a facilitator uploads it, and a facilitator's
export re-imports into another server without loss. An upload is checked
completely before anything is written, and importing the same file twice adds
nothing (every response has a stable ``uid``).
"""

from __future__ import annotations

import csv
import io
import json
import time
from typing import Any, Callable, Iterable, Mapping

from .config import MAX_LABEL_CHARS, MAX_NAME_CHARS, MAX_UPLOAD_BYTES
from .errors import FriendlyError
from .store import Response, Store, Workshop
from .text import clean_text

FORMAT = "relworkbook.responses"
FORMAT_VERSION = 1


def responses_document(
    workbook: str, responses: Iterable[Response], workshop: Workshop | None = None
) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "workbook": workbook,
        "exported_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "workshop": {"code": workshop.code, "title": workshop.title} if workshop else None,
        "responses": [
            {
                "uid": r.uid,
                "participant": r.participant_uid,
                "round": r.round,
                "group": r.group_label,
                "name": r.display_name,
                "answers": r.payload,
                "created_at": r.created_at,
                "updated_at": r.updated_at,
            }
            for r in responses
        ],
    }


def to_json(document: Mapping[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    # A name typed as "=HYPERLINK(...)" must not become a formula in a council's
    # spreadsheet: prefix such text with an apostrophe, as spreadsheets expect.
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def to_csv(rows: Iterable[Mapping[str, Any]], columns: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return buffer.getvalue()


PayloadCheck = Callable[[Mapping[str, Any]], dict[str, Any]]


def read_response_file(data: bytes, filename: str, workbook: str, check_payload: PayloadCheck) -> list[dict[str, Any]]:
    """Check an uploaded file completely; return its responses or raise FriendlyError."""
    name = filename or "the file"
    if len(data) > MAX_UPLOAD_BYTES:
        raise FriendlyError(
            f"{name} is {len(data) / 1_048_576:.1f} MB; response files are never that large "
            f"(the limit is {MAX_UPLOAD_BYTES // 1_048_576} MB). Nothing was imported."
        )
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise FriendlyError(
            f"{name} is not a response file (it is not JSON). Use the file from "
            "'Download my answers' or a facilitator's JSON export. Nothing was imported."
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise FriendlyError(f"{name} is JSON but not a relworkbook response file. Nothing was imported.")
    if document.get("version") != FORMAT_VERSION:
        raise FriendlyError(
            f"{name} was written by a different version of the kit (format {document.get('version')!r}). "
            "Nothing was imported."
        )
    if document.get("workbook") != workbook:
        raise FriendlyError(
            f"{name} holds answers for the '{document.get('workbook')}' workbook, not this one. "
            "Nothing was imported."
        )
    # A file made on its own (solo, e.g. on a participant's separate Binder)
    # has no workshop: its answers belong to whichever round imports them.
    solo = document.get("workshop") is None
    entries = document.get("responses")
    if not isinstance(entries, list):
        raise FriendlyError(f"{name} has no list of responses. Nothing was imported.")
    clean = []
    for index, entry in enumerate(entries, start=1):
        try:
            clean.append({**_check_entry(entry, check_payload), "solo": solo})
        except FriendlyError as exc:
            raise FriendlyError(f"{name}, response {index}: {exc.message} Nothing was imported.") from None
    return clean


def _check_entry(entry: Any, check_payload: PayloadCheck) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise FriendlyError("is not a response.")
    for key in ("uid", "participant", "round"):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip() or len(value) > 80:
            raise FriendlyError(f"its '{key}' is missing or not valid.")
    for key in ("created_at", "updated_at"):
        if not isinstance(entry.get(key), (int, float)) or isinstance(entry.get(key), bool):
            raise FriendlyError(f"its '{key}' time is missing or not valid.")
    answers = entry.get("answers")
    if not isinstance(answers, dict):
        raise FriendlyError("it has no answers.")
    return {
        "uid": entry["uid"].strip(),
        "participant": entry["participant"].strip(),
        "round": clean_text(entry["round"], max_chars=40, what="round name", required=True),
        "group": clean_text(entry.get("group", ""), max_chars=MAX_LABEL_CHARS, what="group"),
        "name": clean_text(entry.get("name", ""), max_chars=MAX_NAME_CHARS, what="name"),
        "answers": check_payload(answers),
        "created_at": float(entry["created_at"]),
        "updated_at": float(entry["updated_at"]),
    }


def import_responses(
    store: Store, workshop: Workshop, workbook: str, data: bytes, filename: str, check_payload: PayloadCheck
) -> int:
    """Import a response file into ``workshop``; all or nothing. Returns answers added."""
    entries = read_response_file(data, filename, workbook, check_payload)
    responses = [
        Response(
            uid=e["uid"],
            workshop_id=workshop.id,
            participant_uid=e["participant"],
            workbook=workbook,
            round=workshop.current_round if e["solo"] else e["round"],
            group_label=e["group"],
            display_name=e["name"],
            payload=e["answers"],
            created_at=e["created_at"],
            updated_at=e["updated_at"],
        )
        for e in entries
    ]
    return store.import_responses(responses)
