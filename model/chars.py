"""One token per character: the encoder's sentencepiece merges characters across entity
boundaries (习近平总书记, 万人次 are single pieces), so the model is fed character pieces instead,
and every prediction lands on exactly one character."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CharVocab:
    """Maps characters to piece ids of a Hugging Face tokenizer (sentencepiece or WordPiece)."""

    tokenizer: object
    _cache: dict[str, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        tok = self.tokenizer
        self.vocab: dict[str, int] = tok.get_vocab()
        self.unk_id: int = tok.unk_token_id if tok.unk_token_id is not None else 0
        self.cls_id: int = tok.cls_token_id if tok.cls_token_id is not None else tok.bos_token_id
        self.sep_id: int = tok.sep_token_id if tok.sep_token_id is not None else tok.eos_token_id
        self.pad_id: int = tok.pad_token_id if tok.pad_token_id is not None else 0
        space = next((p for p in ("▁", "[unused1]", " ") if p in self.vocab), None)
        self.space_id = self.vocab[space] if space else self.unk_id

    def char_id(self, ch: str) -> int:
        cached = self._cache.get(ch)
        if cached is not None:
            return cached
        if ch.isspace() or not ch.isprintable():
            idx = self.space_id
        else:
            idx = self.unk_id
            for piece in (ch, "▁" + ch, "##" + ch, ch.lower(), "▁" + ch.lower()):
                if piece in self.vocab:
                    idx = self.vocab[piece]
                    break
        self._cache[ch] = idx
        return idx

    def encode(self, text: str) -> list[int]:
        """[CLS] + one id per character + [SEP]."""
        return [self.cls_id, *map(self.char_id, text), self.sep_id]
