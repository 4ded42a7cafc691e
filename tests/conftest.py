"""Shared fixtures: a tiny randomly initialised token classifier built in code (no hub, seconds)."""
from __future__ import annotations

import pytest

CHARS = ("北京上海湖南省县乡镇村市区元万人户名亿千百十一二三四五六七八九零两余多"
         "萍乡經經开開發发展貧贫困脱脫攻堅坚投入资金計划计劃“”《》,。、:的了在是有和")


def build_tokenizer():
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"]
    vocab = {tok: i for i, tok in enumerate(specials + sorted(set(CHARS)) + [str(d) for d in range(10)])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(handle_chinese_chars=True, lowercase=False)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    return PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]")


def build_tiny_model(vocab_size: int, seed: int = 0):
    import torch
    from transformers import BertConfig, BertForTokenClassification

    from model.labels import ID2TAG, TAG2ID

    torch.manual_seed(seed)
    config = BertConfig(vocab_size=vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64, num_labels=len(ID2TAG),
                        id2label=ID2TAG, label2id=TAG2ID, pad_token_id=0)
    return BertForTokenClassification(config).eval()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("tiny_model")
    tokenizer = build_tokenizer()
    model = build_tiny_model(len(tokenizer))
    model.config.inference = {"max_length": 16, "stride": 4}
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path
