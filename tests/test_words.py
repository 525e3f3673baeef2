"""One word system: every word a screen shows comes from a pack, and every pack word is shown somewhere.

``check-content`` refuses a pack with a key the kit does not read (a misspelt
key whose words would silently never show) as well as one missing a key the
kit reads; these tests hold the built-in packs and the code to the same rule.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import yaml

import relworkbook
from relworkbook.content import BUILT_IN

PACKAGE = Path(relworkbook.__file__).parent
#: The words sections of the built-in packs: (file, section).
SECTIONS = [("common.yaml", "ui"), ("heatmap.yaml", "screen"), ("story-weaving.yaml", "screen"),
            ("story-weaving.yaml", "form"),
            ("persona-mapping.yaml", "screen"), ("common.yaml", "errors")]
LOOKUPS = {"ui", "say", "screen", "words", "of", "error_words"}  # the functions that look a word up by key


def _keys(file: str, section: str) -> set[str]:
    return set(yaml.safe_load((BUILT_IN / file).read_text(encoding="utf-8"))[section])


def _code() -> list[ast.AST]:
    return [ast.parse(path.read_text(encoding="utf-8")) for path in PACKAGE.rglob("*.py")]


def _literals(trees) -> tuple[set[str], set[str]]:
    """Whole string literals, and the leading parts of built keys ("risk_" in f"risk_{risk}")."""
    whole, prefixes = set(), set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                whole.add(node.value)
            if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
                prefixes.add(str(node.values[0].value))
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.left, ast.Constant) \
                    and isinstance(node.left.value, str):
                prefixes.add(node.left.value)
    return whole, {p for p in prefixes if len(p) >= 4 and p.endswith("_")}


def test_every_pack_word_is_shown_somewhere():
    whole, prefixes = _literals(_code())
    unread = []
    for file, section in SECTIONS:
        for key in sorted(_keys(file, section)):
            if key not in whole and not any(key.startswith(p) for p in prefixes):
                unread.append(f"{file} {section}.{key}")
    assert not unread, f"pack words no screen shows (remove them, or show them): {unread}"


def test_every_word_the_code_asks_for_is_in_a_pack():
    every = set().union(*(_keys(f, s) for f, s in SECTIONS))
    missing = []
    for tree in _code():
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in LOOKUPS and node.args[0].value not in every:
                missing.append(node.args[0].value)
    assert not missing, f"words the code asks for that no pack has: {sorted(set(missing))}"


def test_check_content_refuses_a_key_the_kit_does_not_read(tmp_path):
    pack = yaml.safe_load((BUILT_IN / "common.yaml").read_text(encoding="utf-8"))
    pack["ui"]["joinbutton"] = "Come in"  # a misspelt key: its words would never show
    (tmp_path / "common.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "relworkbook.cli", "check-content", "--content", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode != 0
    message = done.stdout + done.stderr
    assert "common.yaml, ui.joinbutton" in message and "join_button" in message, message
    assert "Traceback" not in message


def test_check_content_refuses_a_missing_screen_word(tmp_path):
    pack = yaml.safe_load((BUILT_IN / "persona-mapping.yaml").read_text(encoding="utf-8"))
    del pack["screen"]["save_answers"]
    (tmp_path / "persona-mapping.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "relworkbook.cli", "check-content", "--content", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode != 0 and "persona-mapping.yaml" in done.stdout + done.stderr
    assert "save_answers" in done.stdout + done.stderr
