"""What changed between two versions of a summary, as runs of kept, added and removed text.

Words are compared within a paragraph (title, standfirst), lines within the Markdown
body; lists (themes, hubs, innovations, references) by their items. Templates draw the
runs as <ins> and <del>, with words for screen readers, so colour is never the only signal.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher


@dataclass(frozen=True)
class Run:
    op: str  # "same", "added" or "removed"
    text: str


@dataclass(frozen=True)
class FieldChange:
    label: str
    runs: list[Run]
    changed: bool
    by_line: bool = False


def _runs(old: list[str], new: list[str], joiner: str) -> list[Run]:
    runs = []
    for op, i1, i2, j1, j2 in SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            runs.append(Run("same", joiner.join(old[i1:i2])))
            continue
        if i2 > i1:
            runs.append(Run("removed", joiner.join(old[i1:i2])))
        if j2 > j1:
            runs.append(Run("added", joiner.join(new[j1:j2])))
    return runs


def word_runs(old: str, new: str) -> list[Run]:
    """Runs of whole words (with the spaces that follow them)."""
    return _runs(re.findall(r"\S+\s*", old), re.findall(r"\S+\s*", new), "")


def line_runs(old: str, new: str) -> list[Run]:
    """Runs of whole lines, for Markdown, where a line is the unit a writer edits."""
    return _runs(old.splitlines(), new.splitlines(), "\n")


def item_runs(old: list[str], new: list[str]) -> list[Run]:
    """Items kept, then removed, then added: the order of a list of tags does not matter."""
    kept = [Run("same", item) for item in old if item in new]
    removed = [Run("removed", item) for item in old if item not in new]
    added = [Run("added", item) for item in new if item not in old]
    return kept + removed + added


def field_change(label: str, old, new, *, kind: str = "words") -> FieldChange:
    if kind == "items":
        runs = item_runs(old, new)
    elif kind == "lines":
        runs = line_runs(old, new)
    else:
        runs = word_runs(old, new)
    return FieldChange(label, runs, changed=old != new, by_line=kind == "lines")
