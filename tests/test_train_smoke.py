"""train() end to end on a tiny random model and a handful of windows: the saved directory is a
proper save_pretrained model that predict() and the pipeline can use. Seconds, not a real run."""
from __future__ import annotations

import json

import pytest


@pytest.fixture
def tiny_setup(tmp_path, tiny_model_dir):
    from datasets import DatasetDict

    from model.dataset import _features
    from model.labels import spans_to_tag_ids
    from model.spans import Span

    rows = []
    for i in range(8):
        text = "湖南省投入785万元,帮助1.8万余人"
        spans = [Span(0, 3, "REGION"), Span(5, 10, "AMOUNT"), Span(13, 19, "POPULATION")]
        rows.append({"id": f"d{i}#0", "doc_id": f"d{i}", "kind": "orig", "text": text,
                     "tags": spans_to_tag_ids(spans, 0, len(text))})
    from datasets import Dataset

    dd = DatasetDict({"train": Dataset.from_list(rows, features=_features())})
    ds_dir = tmp_path / "dataset"
    dd.save_to_disk(str(ds_dir))
    config_path = tmp_path / "tiny.yaml"
    config = {"base_model": str(tiny_model_dir), "dataset_dir": str(ds_dir), "output_dir": str(tmp_path / "model"),
              "epochs": 2, "batch_size": 4, "learning_rate": 1e-3, "seed": 1, "window_chars": 126,
              "max_length": 16, "stride": 4, "augment": {}, "num_layers": 1, "freeze_embeddings": True}
    (ds_dir / "manifest.json").write_text(json.dumps({"window_chars": 126, "augment": {}, "seed": 1,
                                                      "seeds": 0, "corpus_passages": 0}))
    import yaml

    config_path.write_text(yaml.safe_dump(config))
    return config_path


def test_train_writes_a_loadable_model(tiny_setup):
    from model.config import load_config
    from model.recognizer import Recognizer
    from model.train import train

    out = train(load_config(tiny_setup))
    for name in ("config.json", "model.safetensors", "tokenizer.json", "training_meta.json", "train_config.yaml"):
        assert (out / name).is_file(), name
    config = json.loads((out / "config.json").read_text())
    assert config["id2label"]["0"] == "O" and config["num_hidden_layers"] == 1
    assert config["inference"] == {"max_length": 16, "stride": 4, "quantize_cpu": False}
    meta = json.loads((out / "training_meta.json").read_text())
    assert meta["train_windows_used"] == 8 and meta["train_loss"] > 0
    rec = Recognizer(out, device="cpu")
    text = "湖南省投入785万元"
    for s in rec.predict(text):
        assert text[s["start"]:s["end"]] == s["text"]
