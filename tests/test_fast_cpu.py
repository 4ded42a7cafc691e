"""The CPU paths of model.fast_cpu on a tiny random model: each runs, keeps offsets on the
original string, and stays close to fp32; ``auto`` picks by device and CPU."""
from __future__ import annotations

import shutil

import pytest
import torch

from model import fast_cpu
from model.fast_cpu import load_recognizer, resolve_backend

TEXTS = ["湖南省零陵区投入785万元，帮助1.8万余人脱贫。", "萍鄉(xiāng)經開區投入62萬(wàn)元", "北京" * 40, ""]


def _check(text, spans):
    for s in spans:
        assert text[s["start"]:s["end"]] == s["text"]


def test_auto_is_bf16_only_where_the_cpu_has_it(monkeypatch):
    monkeypatch.setattr(fast_cpu, "native_bf16", lambda: True)
    assert resolve_backend("auto", "cpu") == fast_cpu.DEFAULT_CPU_BACKEND
    monkeypatch.setattr(fast_cpu, "native_bf16", lambda: False)
    assert resolve_backend("auto", "cpu") == "fp32"
    assert resolve_backend("auto", "cuda") == "fp32"
    assert resolve_backend("bf16", "cuda") == "bf16"
    with pytest.raises(ValueError, match="CPU path"):
        resolve_backend("onnx-int8", "cuda")
    with pytest.raises(ValueError, match="backend must be one of"):
        resolve_backend("fp8", "cpu")


@pytest.mark.parametrize("backend", ["fp32", "bf16", "int8", "int8-mixed"])
def test_torch_paths_run_and_keep_offsets(tiny_model_dir, backend):
    rec = load_recognizer(tiny_model_dir, device="cpu", backend=backend)
    assert rec.backend == backend
    for text, spans in zip(TEXTS, rec.predict(TEXTS, values=False)):
        _check(text, spans)


def test_bf16_logits_stay_close_to_fp32(tiny_model_dir):
    fp32 = load_recognizer(tiny_model_dir, device="cpu", backend="fp32")
    bf16 = load_recognizer(tiny_model_dir, device="cpu", backend="bf16")
    ids = torch.randint(4, 60, (3, 12))
    mask = torch.ones_like(ids)
    with torch.inference_mode():
        a = fp32.model(input_ids=ids, attention_mask=mask).logits
        b = bf16.model(input_ids=ids, attention_mask=mask).logits.float()
    assert torch.allclose(a, b, atol=0.05)


def test_onnx_int8_is_built_once_and_agrees_with_fp32(tiny_model_dir, tmp_path):
    pytest.importorskip("onnxruntime", reason="the onnx-int8 path needs the 'onnx' extra")
    pytest.importorskip("onnx", reason="the onnx-int8 path needs the 'onnx' extra")
    model_dir = tmp_path / "m"
    shutil.copytree(tiny_model_dir, model_dir)
    rec = load_recognizer(model_dir, device="cpu", backend="onnx-int8", threads=1)
    built = list((model_dir / "onnx").glob("*.onnx"))
    assert len(built) == 1
    assert fast_cpu.build_onnx_int8(model_dir) == built[0]  # cached: no second build
    fp32 = load_recognizer(model_dir, device="cpu", backend="fp32")
    ids = torch.randint(4, 60, (3, 12))
    mask = torch.ones_like(ids)
    mask[1, 6:] = 0
    types = torch.zeros_like(ids)
    with torch.inference_mode():
        a = fp32.model(input_ids=ids, attention_mask=mask, token_type_ids=types).logits
    b = rec.model(input_ids=ids, attention_mask=mask, token_type_ids=types).logits
    valid = mask.bool()
    assert (a.argmax(-1) == b.argmax(-1))[valid].float().mean() >= 0.8
    for text, spans in zip(TEXTS, rec.predict(TEXTS, values=False)):
        _check(text, spans)


@pytest.mark.parametrize(("flags", "training", "inference"), [
    ({"avx2", "amx_bf16", "avx512_bf16"}, True, True),
    ({"avx2", "avx512_bf16"}, True, False),  # AMD Zen 4: bf16 trains faster, inference keeps fp32
    ({"avx2", "avx512f"}, False, False),
])
def test_bf16_hardware_for_training_and_for_inference(flags, training, inference, monkeypatch):
    monkeypatch.setattr(fast_cpu, "cpu_flags", lambda: flags)
    assert fast_cpu.hardware_bf16() is training and fast_cpu.native_bf16() is inference
