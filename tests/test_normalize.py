"""The offset map of the normaliser: every span found on normalised text maps back exactly."""
from hypothesis import given, settings
from hypothesis import strategies as st

from model.normalize import normalize, to_simplified


def test_traditional_to_simplified_keeps_offsets():
    n = normalize("萍鄉經開區發展")
    assert n.text == "萍乡经开区发展"
    assert n.to_original(0, 5) == (0, 5)


def test_pinyin_group_dropped_and_owned_by_previous_char():
    text = "萍鄉(xiāng)經開區(qū)始終"
    n = normalize(text)
    assert n.text == "萍乡经开区始终"
    s, e = n.to_original(0, 5)
    assert text[s:e] == "萍鄉(xiāng)經開區(qū)"
    s, e = n.to_original(1, 2)
    assert text[s:e] == "鄉(xiāng)"


def test_pinyin_inside_amount():
    text = "投入62萬(wàn)元"
    n = normalize(text)
    assert n.text == "投入62万元"
    s, e = n.to_original(2, 6)
    assert text[s:e] == "62萬(wàn)元"


def test_ordinary_parentheses_kept():
    for text in ("新农合(医保)报销", "增长(GDP)", "乡(镇)长"):
        assert normalize(text).text == to_simplified(text)


def test_fullwidth_folded():
    n = normalize("１２３４５人，（ＡＢ）")
    assert n.text == "12345人,(AB)"
    assert len(n.text) == 11


def test_spaces_inside_numbers_removed():
    text = "投入530 萬元和1 000人"
    n = normalize(text)
    assert n.text == "投入530万元和1000人"
    i = n.text.index("530")
    s, e = n.to_original(i, i + 5)
    assert text[s:e] == "530 萬元"


def test_spaces_elsewhere_kept():
    assert normalize("脫貧 攻堅").text == "脱贫 攻坚"


def test_bad_characters_pass_through():
    text = "a\ud800b\x00乾隆😀\u200b"
    n = normalize(text)
    assert len(n.text) == len(text)
    assert n.text[1] == "\ud800"


def test_non_str_rejected():
    import pytest

    for bad in (None, 3, b"abc"):
        with pytest.raises(TypeError, match="str"):
            normalize(bad)


_pieces = st.sampled_from(["萍鄉", "經開區", "(xiāng)", "（wàn）", "(GDP)", "１２", "３ ", "530 萬元", " ",
                           "\u3000", "😀", "\x00", "\x1b", "\ud800", "\n", "乾隆", "头发", "a", "。", "“雨露计划”"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_pieces, st.text(max_size=5)), max_size=30))
def test_offset_map_properties(parts):
    text = "".join(parts)
    n = normalize(text)
    assert len(n.starts) == len(n.ends) == len(n.text) <= len(text)
    prev_end = 0
    for i in range(len(n.text)):
        s, e = n.to_original(i, i + 1)
        assert 0 <= s < e <= len(text)
        assert s >= prev_end  # monotone, non-overlapping
        prev_end = e
    for i in range(len(n.text)):
        for j in range(i + 1, min(len(n.text), i + 6) + 1):
            s, e = n.to_original(i, j)
            assert 0 <= s < e <= len(text)
            assert n.to_normalized(s, e) == (i, j)
