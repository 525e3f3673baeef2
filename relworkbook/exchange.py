"""Response files in and out: lossless JSON, tidy CSV.

The JSON format is the kit's exchange format: a participant on a separate
Binder session downloads one, a facilitator uploads it, and a facilitator's
export re-imports into another server without loss. An upload is checked
completely before anything is written, and importing the same file twice adds
nothing (every response has a stable ``uid``).

A file is untrusted input. Everything accepted here is stored as it is and
later drawn into reports, charts and CSV, so whatever could break those later
(non-numbers, endless nesting, numbers too large to be answers, impossible
dates) is refused now, with a message naming the file.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import logging
import math
import re
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Mapping, TypedDict

from .config import MAX_LABEL_CHARS, MAX_NAME_CHARS, MAX_UPLOAD_BYTES
from .errors import FriendlyError, error_words
from .store import Response, Store, Workshop
from .text import clean_text
from .workshops import format_code, normalise_code

log = logging.getLogger("relworkbook")

FORMAT = "relworkbook.responses"
FORMAT_VERSION = 1

#: The deepest nesting a response file may have. A real file is 7 levels deep
#: (document, responses, response, answers, moments, moment, who); json's own
#: parser recurses once per level and gives up, uncaught, near 1,000.
MAX_DEPTH = 20
#: No answer or time in a response file comes near this; beyond 2**53 a
#: number stops being exact in JSON readers, spreadsheets and SQLite's REAL.
MAX_NUMBER = 10**15
#: 1 January 2000, UTC: the kit cannot have recorded an answer before then.
EARLIEST_TIME = 946_684_800.0
#: A computer's clock may run a little fast; a day ahead is the most we accept.
CLOCK_SLACK_SECONDS = 86_400


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


class OtherWorkshopFile(FriendlyError):
    """A sound file whose answers were given in another workshop.

    Adding them may be exactly right (two rooms, one report) or a mix-up (last
    month's file), so the facilitator is asked first; ``code`` and ``title``
    say where the file came from.
    """

    def __init__(self, name: str, code: str, title: str):
        where = error_words("workshop_with_title", code=format_code(code), title=title) if title else format_code(code)
        super().__init__(error_words("file_other_workshop", name=name, workshop=where))
        self.name, self.code, self.title = name, code, title
        self.where = where  # e.g. "ABC-DEF ('Hall')": how screens name that workshop


@dataclass(frozen=True)
class ResponseFile:
    """A checked response file: where it came from and its clean responses."""

    name: str
    workshop_code: str | None  # None: made on its own (solo), belongs to no workshop
    workshop_title: str
    entries: list[dict[str, Any]]


@dataclass(frozen=True)
class Imported:
    """What importing one file did."""

    name: str
    added: int
    skipped: int  # already here (the same response, or the same person's answer for that round)


# -- reading a file ---------------------------------------------------------------

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _depth(text: str) -> int:
    """How deeply the JSON ``text`` nests, counted without parsing it.

    Parsing first is not an option: json recurses once per level, so 100,000
    nested lists end in a RecursionError before anything can be checked.
    """
    brackets = _NOT_BRACKETS.sub("", _JSON_STRING.sub("", text))
    return max(itertools.accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def file_label(filename: str) -> str:
    """A file's name as it may appear in a message: printable (no reordering controls) and short."""
    label = "".join(ch for ch in filename or "" if ch.isprintable()).strip()
    return (label[:79] + "…" if len(label) > 80 else label) or error_words("file_unnamed")


def _shown(value: Any) -> str:
    """A value from a file, short and harmless enough to quote back in a message."""
    if isinstance(value, str):
        text = "".join(ch for ch in value if ch.isprintable())
        return "'" + (text[:29] + "…" if len(text) > 30 else text) + "'"
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    return error_words("value_list" if isinstance(value, list) else "value_object")


class _NumberHooks(TypedDict):
    """The keyword arguments of json.loads that :func:`_number_hooks` sets (typed, so mypy checks them)."""

    parse_int: Callable[[str], Any]
    parse_float: Callable[[str], Any]
    parse_constant: Callable[[str], Any]


def _number_hooks(name: str) -> _NumberHooks:
    """json.loads hooks that refuse what is not an ordinary, finite number."""

    def too_large(literal: str) -> FriendlyError:
        shown = literal if len(literal) <= 20 else literal[:20] + "…"
        return FriendlyError.of("file_number_too_large", name=name, number=shown)

    def parse_int(literal: str) -> int:
        # Count digits before converting: int() of a 5,000-digit number raises ValueError.
        if len(literal.lstrip("-")) > 16 or abs(int(literal)) > MAX_NUMBER:
            raise too_large(literal)
        return int(literal)

    def parse_float(literal: str) -> float:
        value = float(literal)
        if not math.isfinite(value) or abs(value) > MAX_NUMBER:
            raise too_large(literal)
        return value

    def parse_constant(token: str) -> float:
        raise FriendlyError.of("file_not_a_number", name=name, token=token)

    return {"parse_int": parse_int, "parse_float": parse_float, "parse_constant": parse_constant}


def _parse(data: bytes, name: str) -> Any:
    """The file's JSON, or a FriendlyError; a UTF-8 byte-order mark (Notepad's) is fine."""
    not_json = FriendlyError.of("file_not_json", name=name)
    too_deep = FriendlyError.of("file_too_deep", name=name, levels=MAX_DEPTH)
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise not_json from None
    if _depth(text) > MAX_DEPTH:
        raise too_deep
    try:
        return json.loads(text, **_number_hooks(name))
    except RecursionError:  # _depth should have caught it; never let it escape
        raise too_deep from None
    except ValueError:  # json.JSONDecodeError included
        raise not_json from None


def _file_workshop(value: Any, name: str) -> tuple[str | None, str]:
    """(code, title) of the workshop a file came from; (None, "") for a file made on its own."""
    if value is None:
        return None, ""
    shape = FriendlyError.of("file_workshop_shape", name=name)
    if not isinstance(value, dict):
        raise shape
    code = value.get("code")
    if not isinstance(code, str) or not re.fullmatch(r"[A-Za-z0-9]{1,20}(-[A-Za-z0-9]{1,20})?", code):
        raise shape
    try:
        title = clean_text(value.get("title"), max_chars=80, what=error_words("field_workshop_title"))
    except FriendlyError:
        raise shape from None
    return normalise_code(code), title


def read_responses(data: bytes, filename: str, workbook: str, check_payload: PayloadCheck) -> ResponseFile:
    """Check an uploaded file completely; return it, checked, or raise FriendlyError."""
    name = file_label(filename)
    if len(data) > MAX_UPLOAD_BYTES:
        raise FriendlyError.of("file_too_big", name=name, size=f"{len(data) / 1_048_576:.1f}",
                               limit=MAX_UPLOAD_BYTES // 1_048_576)
    document = _parse(data, name)
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise FriendlyError.of("file_not_ours", name=name)
    version = document.get("version")
    if type(version) is not int or version != FORMAT_VERSION:  # True == 1 in Python; not in a file
        raise FriendlyError.of("file_other_version", name=name, version=_shown(version))
    found = document.get("workbook")
    if not isinstance(found, str):
        raise FriendlyError.of("file_no_workbook", name=name)
    if found != workbook:
        raise FriendlyError.of("file_other_workbook", name=name, workbook=_shown(found))
    # A file made on its own (solo, e.g. on a participant's separate Binder)
    # has no workshop: its answers belong to whichever round imports them.
    code, title = _file_workshop(document.get("workshop"), name)
    entries = document.get("responses")
    if not isinstance(entries, list):
        raise FriendlyError.of("file_no_responses", name=name)
    now = time.time()
    clean = []
    for index, entry in enumerate(entries, start=1):
        try:
            clean.append({**_check_entry(entry, check_payload, now), "solo": code is None})
        except FriendlyError as exc:
            raise FriendlyError.of("file_response_problem", name=name, number=index, problem=exc.message) from None
    return ResponseFile(name, code, title, clean)


def read_response_file(data: bytes, filename: str, workbook: str, check_payload: PayloadCheck) -> list[dict[str, Any]]:
    """Check an uploaded file completely; return its responses or raise FriendlyError."""
    return read_responses(data, filename, workbook, check_payload).entries


def _check_uid(entry: dict[str, Any], key: str) -> str:
    # Ids are the kit's own (hex); spaces or invisible characters mean a damaged or made-up file.
    value = entry.get(key)
    value = value.strip() if isinstance(value, str) else ""
    if not value or len(value) > 80 or not all(ch.isprintable() and not ch.isspace() for ch in value):
        raise FriendlyError.of("response_bad_id", field=key)
    return value


def _check_time(entry: dict[str, Any], key: str, now: float) -> float:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise FriendlyError.of("response_time_missing", field=key)
    if not EARLIEST_TIME <= value <= now + CLOCK_SLACK_SECONDS:
        raise FriendlyError.of("response_time_unreal", field=key)
    return float(value)


def _checked_answers(answers: dict[str, Any], check_payload: PayloadCheck) -> dict[str, Any]:
    """The workbook's own check, with any slip in it turned into a refusal, never a crash."""
    try:
        return check_payload(answers)
    except FriendlyError:
        raise
    except (TypeError, ValueError, ArithmeticError, LookupError, RecursionError):
        log.warning("a response file's answers broke the workbook's check", exc_info=True)
        raise FriendlyError.of("response_answers_shape") from None


def _check_entry(entry: Any, check_payload: PayloadCheck, now: float) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise FriendlyError.of("response_not_response")
    uid, participant = _check_uid(entry, "uid"), _check_uid(entry, "participant")
    if not isinstance(entry.get("round"), str):
        raise FriendlyError.of("response_round_missing")
    created, updated = _check_time(entry, "created_at", now), _check_time(entry, "updated_at", now)
    answers = entry.get("answers")
    if not isinstance(answers, dict):
        raise FriendlyError.of("response_answers_missing")
    return {
        "uid": uid,
        "participant": participant,
        "round": clean_text(entry["round"], max_chars=40, what=error_words("field_round_name"), required=True),
        "group": clean_text(entry.get("group", ""), max_chars=MAX_LABEL_CHARS, what=error_words("field_group")),
        "name": clean_text(entry.get("name", ""), max_chars=MAX_NAME_CHARS, what=error_words("field_name")),
        "answers": _checked_answers(answers, check_payload),
        "created_at": created,
        "updated_at": updated,
    }


# -- importing ----------------------------------------------------------------------


def import_file(
    store: Store, workshop: Workshop, workbook: str, data: bytes, filename: str, check_payload: PayloadCheck,
    *, allow_other_workshop: bool = False,
) -> Imported:
    """Import one response file into ``workshop``, all or nothing.

    A file from another workshop raises :class:`OtherWorkshopFile` (nothing
    written) unless ``allow_other_workshop``; a solo file always joins the
    workshop's current round.
    """
    checked = read_responses(data, filename, workbook, check_payload)
    if checked.workshop_code not in (None, workshop.code) and not allow_other_workshop:
        raise OtherWorkshopFile(checked.name, checked.workshop_code, checked.workshop_title)
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
        for e in checked.entries
    ]
    added = store.import_responses(responses)
    return Imported(checked.name, added, len(responses) - added)


def import_responses(
    store: Store, workshop: Workshop, workbook: str, data: bytes, filename: str, check_payload: PayloadCheck,
    *, allow_other_workshop: bool = False,
) -> int:
    """Import a response file into ``workshop``; all or nothing. Returns answers added."""
    return import_file(store, workshop, workbook, data, filename, check_payload,
                       allow_other_workshop=allow_other_workshop).added
