"""The shared character class and the length-preserving script conversion (model.text)."""
from model import text as text_mod
from model.text import HAN_CHAR, convert_same_length, is_han


def test_han_covers_unified_extension_a_and_compatibility():
    for ch in ("一", "龥", "\u9fff", "㐀", "\u4dbf", "\uf900", "\ufaff", "萍", "鄉"):
        assert is_han(ch), hex(ord(ch))
    for ch in ("a", "1", "，", "《", "\u3000", "\u4dc0", "ａ", "\U00020000", ""):
        assert not is_han(ch), ascii(ch)
    assert not is_han("一二")  # one character at a time
    assert [m.group() for m in HAN_CHAR.finditer("a萍b\uf900")] == ["萍", "\uf900"]


def test_real_conversions_keep_length_and_surrogates():
    assert convert_same_length("萍鄉經開區發展", "t2s") == "萍乡经开区发展"
    assert convert_same_length("头发 发展", "s2t") == "頭髮 發展"
    mixed = "發展\ud800鄉"
    out = convert_same_length(mixed, "t2s")
    assert out == "发展\ud800乡" and len(out) == len(mixed)
    assert convert_same_length("", "t2s") == ""


class _FakeConverter:
    """长短 grows by one character (a phrase opencc converts to another length); 发 becomes 發."""

    def convert(self, s: str) -> str:
        return s.replace("长短", "长长短").replace("发", "發")


def test_only_the_line_that_changes_length_falls_back_to_characters(monkeypatch):
    monkeypatch.setattr(text_mod, "_converter", lambda config: _FakeConverter())
    out = convert_same_length("长短发\n头发", "s2t")
    # line 1: per character (发 alone still converts); line 2: converted as a whole
    assert out == "长短發\n头發"
    assert len(out) == len("长短发\n头发")
