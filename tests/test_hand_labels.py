"""Hand-labelled training passages (``hand_labels``): they replace the rules' labels in the first
stage (``hand_repeat``), make a last stage of their own (``hand_epochs``), and can never be dev or
holdout text. Tiny random model, seconds."""
from __future__ import annotations

import json

import pytest

from model.gold import sha256
from model.labels import TAG2ID
from tests.test_train_smoke import write_config

TEXT = "西辛庄地处山东，全村种植大棚蔬菜。"  # 西辛庄: a village the rules cannot know


def _corpus(tmp_path, doc_id="9001.txt"):
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    (corpus / doc_id).write_text(TEXT, encoding="utf-8")
    hand = tmp_path / "hand.jsonl"
    spans = [{"start": 0, "end": 3, "label": "REGION", "text": "西辛庄"},
             {"start": 5, "end": 7, "label": "REGION", "text": "山东"}]
    hand.write_text(json.dumps({"id": doc_id, "source": "corpus", "sha256": sha256(TEXT), "spans": spans},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    return corpus, hand


def _config(tmp_path, tiny_model_dir, monkeypatch, **overrides):
    from model.config import load_config

    monkeypatch.delenv("NER_CORPUS_DIR", raising=False)
    monkeypatch.delenv("NER_EXTRA_DIR", raising=False)
    corpus, hand = _corpus(tmp_path)
    path = write_config(tmp_path, tiny_model_dir, **{"max_train_windows": None, **overrides})
    none = str(tmp_path / "no-gold.jsonl")  # the real dev and holdout gold read the real corpus
    return load_config(path, corpus_dir=str(corpus), hand_labels=str(hand), gold=none, dev_gold=none)


def test_hand_labels_replace_the_weak_ones_and_repeat(tmp_path, tiny_model_dir, monkeypatch):
    import model.dataset as dataset

    config = _config(tmp_path, tiny_model_dir, monkeypatch)
    weak, m0 = dataset.build_dataset(config)
    hand, m1 = dataset.build_dataset(config.with_overrides(hand_repeat=2))
    assert m0["hand_labelled_passages"] == 0 and m1["hand_labelled_passages"] == 1
    assert m1["fingerprint"] != m0["fingerprint"]
    weak_rows = [r for r in weak["train"].to_list() if r["doc_id"] == "9001.txt"]
    hand_rows = [r for r in hand["train"].to_list() if r["doc_id"] == "9001.txt"]
    assert len(hand_rows) == 2 * len(weak_rows) == 2
    assert hand_rows[0]["tags"][:3] == [TAG2ID["B-REGION"]] + [TAG2ID["I-REGION"]] * 2
    assert weak_rows[0]["tags"][:3] == [0, 0, 0]  # the rules do not know the village
    others = lambda rows: [r for r in rows if r["doc_id"] != "9001.txt"]  # noqa: E731
    assert others(hand["train"].to_list()) == others(weak["train"].to_list())  # the seeds' rows unchanged


def test_hand_rounds_keep_the_first_rounds_only(tmp_path, tiny_model_dir, monkeypatch):
    """``hand_rounds: N`` re-runs an experiment made before later labelling rounds joined the file."""
    import model.dataset as dataset

    config = _config(tmp_path, tiny_model_dir, monkeypatch, hand_repeat=2)
    monkeypatch.setattr(dataset, "load_split", lambda: {"train_gold_by_round": [["9002.txt"], ["9001.txt"]]})
    assert dataset.hand_labelled(config.with_overrides(hand_rounds=1)) == []  # 9001 joined in round 2
    assert [d for d, _, _ in dataset.hand_labelled(config.with_overrides(hand_rounds=2))] == ["9001.txt"]
    _, first = dataset.build_dataset(config.with_overrides(hand_rounds=1))
    _, both = dataset.build_dataset(config.with_overrides(hand_rounds=2))
    assert (first["hand_passages"], both["hand_passages"]) == ([], ["9001.txt"])  # the rows' loss weights agree
    assert (first["hand_labelled_passages"], both["hand_labelled_passages"]) == (0, 1)
    assert first["fingerprint"] != both["fingerprint"]
    for wrong in (3, -1):
        with pytest.raises(ValueError, match="labelling rounds"):
            dataset.hand_labelled(config.with_overrides(hand_rounds=wrong))


def test_hand_labels_refuse_held_out_passages(tmp_path, tiny_model_dir, monkeypatch):
    import model.dataset as dataset
    from model.corpus import load_split

    config = _config(tmp_path, tiny_model_dir, monkeypatch)
    holdout_id = load_split()["holdout"][0]
    corpus, hand = _corpus(tmp_path, holdout_id)
    with pytest.raises(ValueError, match="dev or holdout"):
        dataset.hand_labelled(config.with_overrides(corpus_dir=str(corpus), hand_labels=str(hand)))


def _with_extra_passage(tmp_path, hand, doc_id="9555.txt"):
    """An extra-directory passage appended to the hand labels: (the extra directory, its text)."""
    extra = tmp_path / "extra"
    extra.mkdir(exist_ok=True)
    text = "下党乡位于福建，全乡发展茶叶。"  # 下党乡: read from the extra directory, not the corpus
    (extra / doc_id).write_text(text, encoding="utf-8")
    line = {"id": doc_id, "source": "corpus-extra", "sha256": sha256(text),
            "spans": [{"start": 0, "end": 3, "label": "REGION", "text": "下党乡"}]}
    with open(hand, "a", encoding="utf-8") as f:
        f.write(json.dumps(line, ensure_ascii=False) + "\n")
    return extra, text


def test_hand_labelled_extra_passages_are_added_as_training_text(tmp_path, tiny_model_dir, monkeypatch):
    """A hand-labelled passage of ../shared/corpus-extra is not a corpus training passage: it joins
    the training rows (hand_repeat times, full loss weight) instead of replacing one."""
    import model.dataset as dataset
    from model.normalize import normalize

    config = _config(tmp_path, tiny_model_dir, monkeypatch, hand_repeat=2)
    extra, text = _with_extra_passage(tmp_path, config.resolve(config.hand_labels))
    config = config.with_overrides(self_train_dir=str(extra))
    assert dataset.hand_extra_ids(dataset.hand_documents(config)) == {"9555.txt"}
    dd, manifest = dataset.build_dataset(config)
    assert manifest["hand_passages"] == ["9001.txt", "9555.txt"]  # the rows' loss weights (model.train)
    assert manifest["hand_extra_passages"] == 1
    rows = [r for r in dd["train"].to_list() if r["doc_id"] == "9555.txt"]
    assert manifest["hand_labelled_passages"] == 2 and len(rows) == 2
    assert rows[0]["text"] == normalize(text).text
    assert rows[0]["tags"][:3] == [TAG2ID["B-REGION"]] + [TAG2ID["I-REGION"]] * 2
    # with extra_text the same passage is not read a second time with the rules' labels
    with_text = config.with_overrides(extra_text=1.0, extra_empty_share=1.0)
    dd, _ = dataset.build_dataset(with_text)
    assert len([r for r in dd["train"].to_list() if r["doc_id"] == "9555.txt"]) == 2


def test_hand_labels_refuse_dev_extra_passages(tmp_path, tiny_model_dir, monkeypatch):
    import model.dataset as dataset
    from model.corpus import load_split

    config = _config(tmp_path, tiny_model_dir, monkeypatch)
    dev_extra_id = load_split()["dev_extra"][0]
    extra, _ = _with_extra_passage(tmp_path, config.resolve(config.hand_labels), dev_extra_id)
    with pytest.raises(ValueError, match="dev or holdout"):
        dataset.hand_labelled(config.with_overrides(self_train_dir=str(extra)))


def test_certain_rows_keep_full_loss_weight(tmp_path, tiny_model_dir, monkeypatch):
    from datasets import Dataset
    from transformers import AutoTokenizer

    from model.dataset import hand_rows, row_features
    from model.train import tokenize_dataset

    config = _config(tmp_path, tiny_model_dir, monkeypatch, quote_o_weight=0.3, gazetteer_o_weight=0.3,
                     o_weight=0.5)
    rows = Dataset.from_list(hand_rows(config), features=row_features())
    tok = AutoTokenizer.from_pretrained(tiny_model_dir)
    doubted = tokenize_dataset(rows, tok, config)["loss_weights"][0]
    certain = tokenize_dataset(rows, tok, config, certain=frozenset({"9001.txt"}))["loss_weights"][0]
    assert min(doubted[1:-1]) < 1.0 and certain[1:-1] == [1.0] * len(TEXT)


def test_hand_stage_trains_last_from_a_given_model(tmp_path, tiny_model_dir, monkeypatch):
    from model.recognizer import Recognizer
    from model.train import train

    config = _config(tmp_path, tiny_model_dir, monkeypatch, features=True, max_train_windows=8)
    first = train(config)
    hand = config.with_overrides(hand_epochs=2, hand_start=str(first), output_dir=str(tmp_path / "hand"),
                                 hand_replay=2, max_train_windows=None)
    out = train(hand)
    meta = json.loads((out / "training_meta.json").read_text())
    stage = meta["hand_stage"]
    assert stage["passages"] == 1 and stage["hand_windows"] == 1
    assert stage["replay_windows"] == 2 and stage["train_windows_used"] == 3  # the seeds' rows, replayed
    assert meta["before_hand_stage"]["model"] == str(first)
    assert meta["train_seconds"] >= meta["hand_stage"]["train_seconds"]
    assert not (tmp_path / "hand.work3").exists()
    for s in Recognizer(out, device="cpu").predict(TEXT):
        assert TEXT[s["start"]:s["end"]] == s["text"]
    with pytest.raises(ValueError, match="needs hand_labels"):
        train(hand.with_overrides(hand_labels=""))


def test_without_the_corpus_the_hand_labels_are_skipped(tmp_path, tiny_model_dir, monkeypatch):
    """A user's machine without ../shared/corpus: the default config's hand labels (stand-off lines
    of corpus passages) cannot be read, so the seeds train alone, as without hand labels."""
    import model.dataset as dataset
    from model.config import load_config

    monkeypatch.delenv("NER_CORPUS_DIR", raising=False)
    config = load_config(write_config(tmp_path, tiny_model_dir), hand_labels="data/train_gold/gold.jsonl",
                         hand_repeat=3)
    dd, manifest = dataset.build_dataset(config)
    assert manifest["corpus_passages"] == 0 and manifest["hand_labelled_passages"] == 0
    assert {r["doc_id"] for r in dd["train"].to_list()} == {d.id for d in dataset.training_documents(config.corpus_dir)}


def test_hand_labels_of_another_text_are_a_clear_error(tmp_path, tiny_model_dir, monkeypatch):
    import model.dataset as dataset

    config = _config(tmp_path, tiny_model_dir, monkeypatch)
    (tmp_path / "corpus" / "9001.txt").write_text("另一段文字。", encoding="utf-8")  # not the labelled passage
    with pytest.raises(ValueError, match="hand_labels: '' to train without them"):
        dataset.hand_labelled(config)


def test_self_training_pool_leaves_out_the_hand_labelled_extra_passages(tmp_path, tiny_model_dir, monkeypatch):
    """The first stage read them with their hand labels: the teacher does not label them again
    (``model.train`` passes the dataset manifest's ``hand_passages`` as ``skip``)."""
    import model.self_train as self_train

    config = _config(tmp_path, tiny_model_dir, monkeypatch)
    extra, _ = _with_extra_passage(tmp_path, config.resolve(config.hand_labels))
    (extra / "9556.txt").write_text("张庄村位于河南，全村发展养殖。", encoding="utf-8")
    config = config.with_overrides(self_train_dir=str(extra), self_train_empty_share=1.0)
    monkeypatch.setattr(self_train, "pseudo_label", lambda teacher, texts, *a, **k: [[] for _ in texts])
    rows, everything = self_train.self_train_rows(config, "teacher", [])
    kept_rows, kept = self_train.self_train_rows(config, "teacher", [], skip=frozenset({"9555.txt"}))
    assert (everything["extra_passages"], kept["extra_passages"]) == (2, 1)
    assert {r["doc_id"] for r in rows} == {"9555.txt", "9556.txt"}
    assert {r["doc_id"] for r in kept_rows} == {"9556.txt"}


def test_self_training_keeps_the_hand_labels(tmp_path, tiny_model_dir, monkeypatch):
    """``self_train_hand``: the teacher labels only the passages without hand labels; the
    hand-labelled ones (corpus and extra) join the second stage once with their hand spans, so the
    student is not taught the teacher's reading where the annotators' is known."""
    import model.dataset as dataset
    import model.self_train as self_train
    from model.corpus import Document
    from model.normalize import normalize

    config = _config(tmp_path, tiny_model_dir, monkeypatch)
    extra, text = _with_extra_passage(tmp_path, config.resolve(config.hand_labels))
    (extra / "9556.txt").write_text("张庄村位于河南，全村发展养殖。", encoding="utf-8")
    config = config.with_overrides(self_train_dir=str(extra), self_train_empty_share=1.0, self_train_hand=True)
    asked: list[str] = []

    def teacher(_, texts, *a, **k):
        asked.extend(texts)
        return [[] for _ in texts]  # a teacher that finds nothing: any span below came from the hand labels

    monkeypatch.setattr(self_train, "pseudo_label", teacher)
    hand = dataset.hand_labelled(config)
    corpus_doc = Document("9001.txt", TEXT, "corpus")
    rows, manifest = self_train.self_train_rows(config, "teacher", [corpus_doc],
                                                skip=frozenset({"9555.txt"}), hand=hand)
    assert asked == [normalize("张庄村位于河南，全村发展养殖。").text]  # no hand-labelled passage went to the teacher
    by_doc = {r["doc_id"]: r["tags"] for r in rows}
    assert set(by_doc) == {"9001.txt", "9555.txt", "9556.txt"} and len(rows) == 3  # each window once
    assert by_doc["9001.txt"][:3] == [TAG2ID["B-REGION"]] + [TAG2ID["I-REGION"]] * 2  # 西辛庄, by hand
    assert by_doc["9555.txt"][:3] == [TAG2ID["B-REGION"]] + [TAG2ID["I-REGION"]] * 2  # 下党乡, by hand
    assert set(by_doc["9556.txt"]) == {0}
    assert (manifest["hand_passages_kept"], manifest["hand_windows"], manifest["windows"]) == (2, 2, 3)


def test_self_training_share_draws_extra_passages_at_random(tmp_path, tiny_model_dir, monkeypatch):
    """``self_train_share``: a seeded random share of the extra pool (not the first ones), the same
    draw for the same seed."""
    import model.self_train as self_train

    config = _config(tmp_path, tiny_model_dir, monkeypatch)
    extra = tmp_path / "extra"
    extra.mkdir()
    for i in range(40):
        (extra / f"{9600 + i}.txt").write_text(f"第{i}段，全村发展养殖。", encoding="utf-8")
    monkeypatch.setattr(self_train, "pseudo_label", lambda teacher, texts, *a, **k: [[] for _ in texts])
    config = config.with_overrides(self_train_dir=str(extra), self_train_empty_share=1.0)
    ids = lambda cfg: sorted({r["doc_id"] for r in self_train.self_train_rows(cfg, "t", [])[0]})  # noqa: E731
    everything, half = ids(config), ids(config.with_overrides(self_train_share=0.5))
    assert len(everything) == 40 and 10 < len(half) < 30 and set(half) < set(everything)
    assert half != everything[:len(half)]  # drawn, not the first ones
    assert half == ids(config.with_overrides(self_train_share=0.5))
