"""The code stays clean: ruff and mypy, with the settings in pyproject.toml.

Each check runs as its own process from the repository's root, exactly as a
developer would type it, so a finding here is one they can reproduce. Both tools
come with the test extra (``pip install -e ".[test]"``); a missing tool fails
the test rather than skipping it, so a clean result always means checked.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT

CHECKS = {
    "ruff": [sys.executable, "-m", "ruff", "check", "relworkbook", "tests", "benchmarks"],
    "mypy": [sys.executable, "-m", "mypy", "relworkbook"],
}


def run_check(command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run one check from the root, where pyproject.toml holds its settings."""
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=240)


@pytest.mark.parametrize("tool", sorted(CHECKS))
def test_the_code_is_clean(tool):
    command = CHECKS[tool]
    result = run_check(command)
    assert result.returncode == 0, (
        f"`{' '.join(['python', *command[1:]])}` found problems (exit code {result.returncode}); fix what it "
        "lists below. If it says 'No module named', install the test tools: pip install -e \".[test]\"\n"
        f"{result.stdout}{result.stderr}"
    )
