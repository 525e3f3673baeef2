"""The facilitator guides and the screens cannot drift apart.

A guide puts the exact words a screen shows in **bold**. Every bold phrase must
be found in the content packs: word for word (inside a longer message is
fine), or as a message whose ``{blanks}`` the guide has filled in with an
example ("hidden (fewer than 3)" for "hidden (fewer than {k})"). Rewording a
button in a pack without its guide, or the other way round, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from relworkbook.content import BUILT_IN

GUIDES = sorted((Path(__file__).parent.parent / "facilitator-guides").glob("*.md"))


def _strings(node):
    if isinstance(node, str):
        yield " ".join(node.split())
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value)


def _pack_words() -> tuple[list[str], list[re.Pattern]]:
    words = [s for f in sorted(BUILT_IN.glob("*.yaml")) for s in _strings(yaml.safe_load(f.read_text("utf-8")))]
    templates = [re.compile(re.sub(r"\\\{[a-z_]+\\\}", r".+?", re.escape(w))) for w in words if "{" in w]
    return words, templates


def _bold(text: str) -> list[str]:
    text = re.sub(r"`[^`]*`", "", text)  # code is not screen text
    return [" ".join(p.split()) for p in re.findall(r"\*\*(.+?)\*\*", text, flags=re.S)]


def test_there_are_guides_with_bold_screen_words():
    assert len(GUIDES) >= 3
    assert all(len(_bold(g.read_text("utf-8"))) >= 20 for g in GUIDES if g.name != "README.md")


@pytest.mark.parametrize("guide", [g for g in GUIDES if g.name != "README.md"], ids=lambda g: g.name)
def test_every_bold_phrase_is_a_screen_word(guide):
    words, templates = _pack_words()
    missing = []
    for phrase in _bold(guide.read_text("utf-8")):
        if any(phrase in w for w in words):
            continue
        if any(t.fullmatch(phrase) or any(t.fullmatch(part) for part in re.split(r"(?<=[.!?:]) ", phrase))
               for t in templates):
            continue
        missing.append(phrase)
    assert not missing, f"{guide.name} puts in bold words no screen shows (fix the guide or the pack): {missing}"
