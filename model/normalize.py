"""Text normalisation that never loses track of where a character came from.

Labelling functions and the tokenizer see one canonical form of the text: simplified script,
half-width ASCII, no inline pinyin groups, no spaces inside numbers. Every normalised character
keeps the original range it stands for, so any span found on the normalised text maps back to
``original[start:end]``, the entity as the user wrote it, pinyin and all.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .spans import check_text
from .text import HAN, convert_same_length

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüêńňǹḿ"
# A pinyin group: ASCII or full-width brackets holding one romanised syllable, right after a
# Chinese character (萍鄉(xiāng), 萬（wàn）). Requiring the CJK character before it keeps
# ordinary parentheses such as 新农合(医保) or (GDP) untouched.
_PINYIN_GROUP = re.compile(
    rf"(?<=[{HAN}])[(（][a-z{_TONED}]{{1,6}}[)）]"
)
# Spaces between a digit and more of the number or its unit: 530 萬元, 1 000 人.
_NUMBER_SPACE = re.compile(r"(?<=[0-9０-９])[ \u3000\u00a0\t]+(?=[0-9０-９万萬亿億千百元余餘多户戶人名])")

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space fold to their half-width forms.
_WIDTH_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def to_simplified(text: str) -> str:
    """opencc t2s, guaranteed length-preserving so that offsets stay one-to-one
    (``model.text.convert_same_length``)."""
    return convert_same_length(text, "t2s")


@dataclass(frozen=True)
class Normalized:
    """Normalised text plus, per character, the original range ``[starts[i], ends[i])``.

    ``ends[i]`` runs over a pinyin group that follows the character, as the guideline wants.
    """

    original: str
    text: str
    starts: Sequence[int]
    ends: Sequence[int]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty normalised span to the original string."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span {start}:{end} outside normalised text of length {len(self.text)}")
        return self.starts[start], self.ends[end - 1]

    def to_normalized(self, orig_start: int, orig_end: int) -> tuple[int, int] | None:
        """The normalised characters that lie inside an original span (None if there are none)."""
        from bisect import bisect_left

        s = bisect_left(self.starts, orig_start)
        e = bisect_left(self.starts, orig_end)
        return (s, e) if s < e else None


def normalize(text: str) -> Normalized:
    """Normalise ``text`` (see module docstring). Any ``str`` is accepted, including ''."""
    check_text(text)
    n = len(text)
    removed = [(m.start(), m.end(), True) for m in _PINYIN_GROUP.finditer(text)]
    removed += [(m.start(), m.end(), False) for m in _NUMBER_SPACE.finditer(text)]
    if not removed:
        kept_text = text
        starts: Sequence[int] = range(n)
        ends: Sequence[int] = range(1, n + 1)
    else:
        removed.sort()
        starts, ends, parts, cursor = [], [], [], 0
        for r_start, r_end, is_pinyin in removed:
            starts.extend(range(cursor, r_start))
            ends.extend(range(cursor + 1, r_start + 1))
            parts.append(text[cursor:r_start])
            if is_pinyin and ends:
                ends[-1] = r_end  # the group belongs to the character before it
            cursor = r_end
        starts.extend(range(cursor, n))
        ends.extend(range(cursor + 1, n + 1))
        parts.append(text[cursor:])
        kept_text = "".join(parts)
    folded = to_simplified(kept_text.translate(_WIDTH_TABLE))
    return Normalized(text, folded, starts, ends)
