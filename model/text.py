"""Character classes and script conversion shared by normalisation, the rules and the variants.

Each lives here once, so that "a Chinese character" means the same thing to the pinyin stripper,
the REGION guards, the AMOUNT and PROGRAM patterns and the pinyin augmentation, and so that
simplified and traditional conversion keep offsets one-to-one in the same way in both directions.
"""
from __future__ import annotations

import re
from functools import cache

# Han ideographs of the Basic Multilingual Plane: CJK Unified Ideographs (U+4E00-U+9FFF),
# Extension A (U+3400-U+4DBF) and CJK Compatibility Ideographs (U+F900-U+FAFF). Not the Yijing
# hexagram symbols between Extension A and the unified block (U+4DC0-U+4DFF), which are no
# characters of text. The supplementary-plane extensions (B and later) are left out: none occurs
# in the corpus, and opencc and the encoder's vocabulary hardly cover them.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_CHAR = re.compile(f"[{HAN}]")

_SURROGATE = re.compile("[\ud800-\udfff]")


def is_han(ch: str) -> bool:
    """Whether ``ch`` (one character) is a Chinese character in the sense of ``HAN``."""
    return HAN_CHAR.fullmatch(ch) is not None


@cache
def _converter(config: str):
    import opencc

    return opencc.OpenCC(config)


def convert_same_length(text: str, config: str) -> str:
    """opencc conversion (``config``: "t2s", "s2t", ...) guaranteed to keep the length.

    Offsets must stay one-to-one, but opencc converts a few phrases to a different length: the
    lines where that happens fall back to per-character conversion, and a character whose own
    conversion changes length stays as it is. Lone surrogates cannot be encoded for opencc and
    pass through unchanged.
    """
    if not text:
        return text
    safe = _SURROGATE.sub("\ufffd", text)
    cc = _converter(config)
    out = cc.convert(safe)
    if len(out) != len(text):
        pieces = []
        for line in safe.splitlines(keepends=True):
            conv = cc.convert(line)
            if len(conv) != len(line):
                conv = "".join(c2 if len(c2 := cc.convert(c)) == 1 else c for c in line)
            pieces.append(conv)
        out = "".join(pieces)
    return _restore_surrogates(text, out)


def _restore_surrogates(original: str, converted: str) -> str:
    if not _SURROGATE.search(original):
        return converted
    chars = list(converted)
    for m in _SURROGATE.finditer(original):
        chars[m.start()] = m.group()
    return "".join(chars)


__all__ = ["HAN", "HAN_CHAR", "convert_same_length", "is_han"]
