"""The kit's one rating-scale type, shared by every workbook's pack.

A scale runs upwards from ``min`` to ``max`` (both between 0 and 10) with a
label for every point. A pack names what its ends mean (the heatmap's cool and
warm, the story's dark and light, persona mapping's "not like me" and "like
me") and may offer "don't know", which is never a point on the scale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - types only
    from . import _Node


@dataclass(frozen=True)
class Scale:
    min: int
    max: int
    labels: tuple[tuple[int, str], ...]
    dont_know: str = ""  # the words for "don't know"; empty when the scale does not offer it
    low_word: str = ""  # what the low end means (cool, dark, ...)
    high_word: str = ""  # what the high end means (warm, light, ...)
    middle_word: str = ""

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(range(self.min, self.max + 1))

    def label(self, value: int | None) -> str:
        return "" if value is None else dict(self.labels).get(value, str(value))

    def percent(self, value: float) -> float:
        """Where ``value`` sits on the scale, 0 at ``min`` to 100 at ``max``."""
        return (value - self.min) * 100.0 / (self.max - self.min)


def read_scale(node: "_Node", *, dont_know: bool, low_key: str = "low_word", high_key: str = "high_word",
               middle_key: str | None = "middle_word") -> Scale:
    """Read and check a pack's scale section (every point labelled, ends named)."""
    from . import _Node

    low, high = node.get("min").integer(), node.get("max").integer()
    if not (0 <= low < high <= 10):
        raise node.get("max").fail("the scale must run upwards, between 0 and 10")
    labels_node = node.get("labels")
    data = labels_node.mapping()
    labels = []
    for value in range(low, high + 1):
        key = value if value in data else str(value)
        label = _Node(node.file, data.get(key), f"{labels_node.place}.{value}")
        if key not in data:
            raise label.fail("is missing: every point of the scale needs a label")
        labels.append((value, label.text(max_chars=60)))
    return Scale(
        min=low,
        max=high,
        labels=tuple(labels),
        dont_know=node.get("dont_know").text(max_chars=40) if dont_know else "",
        low_word=node.get(low_key).text(max_chars=20),
        high_word=node.get(high_key).text(max_chars=20),
        middle_word=node.get(middle_key).text(max_chars=20) if middle_key else "",
    )
