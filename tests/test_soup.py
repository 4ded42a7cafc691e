"""``benchmarks.soup``: the uniform mean of finished models' weights, refused when they do not match."""
from __future__ import annotations

import shutil

import pytest
import torch
from safetensors.torch import load_file, save_file

from benchmarks.soup import soup_weights, write_soup


def test_the_soup_is_the_mean_of_the_weights(tiny_model_dir, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(tiny_model_dir, a)
    shutil.copytree(tiny_model_dir, b)
    wa = load_file(str(a / "model.safetensors"))
    wb = {k: v + 1.0 if v.is_floating_point() else v for k, v in wa.items()}
    save_file(wb, str(b / "model.safetensors"), metadata={"format": "pt"})
    write_soup([a, b], tmp_path / "soup")
    soup = load_file(str(tmp_path / "soup" / "model.safetensors"))
    key = "classifier.weight"
    assert torch.allclose(soup[key], wa[key] + 0.5, atol=1e-6)
    from model.recognizer import Recognizer

    spans = Recognizer(tmp_path / "soup").predict("湖南省投入785万元")  # loads and runs like any model
    assert isinstance(spans, list)


def test_models_that_do_not_match_are_refused(tmp_path):
    with pytest.raises(ValueError, match="different weights"):
        soup_weights([{"w": torch.zeros(2)}, {"v": torch.zeros(2)}])
    with pytest.raises(ValueError, match="shape"):
        soup_weights([{"w": torch.zeros(2)}, {"w": torch.zeros(3)}])
    with pytest.raises(ValueError, match="at least two"):
        write_soup([tmp_path], tmp_path / "soup")
    with pytest.raises(FileNotFoundError, match="no trained model"):
        write_soup([tmp_path / "x", tmp_path / "y"], tmp_path / "soup")
