"""Faster CPU inference paths, and the choice of one (``backend``) for a loaded ``Recognizer``.

    from model.fast_cpu import load_recognizer
    rec = load_recognizer(backend="auto")     # what the measurements below chose for this CPU

Backends (``BACKENDS``):

* ``fp32``: the model as trained (the reference).
* ``bf16``: the same weights, matrix products in bfloat16 under ``torch.autocast``; LayerNorm and
  softmax stay in float32. Fast where the CPU multiplies bf16 natively (Intel AMX), slow where it
  would be emulated, so ``auto`` takes it only on a CPU with AMX-BF16.
* ``int8``: PyTorch dynamic int8 on every Linear (per-tensor weights): the old opt-in
  ``Recognizer(quantize=True)``.
* ``int8-mixed``: the same with the first and last encoder layers and the classifier kept in
  float, where quantisation error hurts most.
* ``onnx-int8``: exported to ONNX (eager attention, so ONNX Runtime fuses it into its Attention
  kernel), optimised, dynamic int8 with **per-channel** weights, run by ONNX Runtime. The files
  are built once and cached in ``<model_dir>/onnx/`` (or ``~/.cache/povner`` when that is
  read-only), keyed by a hash of the weights.

Which one is the default is a measurement (``benchmarks/scale.py``, README "At scale"): a path
becomes the CPU default only if it keeps the holdout strict micro F1 within 0.5 point of fp32
and runs at least twice as fast per core. ``DEFAULT_CPU_BACKEND`` records the outcome. Measured
on the 2-core Xeon (AMX) with a trained six-layer model: bf16 2.6-2.8x fp32 per core, F1 +0.0;
onnx-int8 1.8x, -0.2; int8 1.6x, -1.1; int8-mixed 1.3x, -0.2. Only bf16 meets both bars.
"""
from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from pathlib import Path
from types import SimpleNamespace

log = logging.getLogger(__name__)

BACKENDS = ("auto", "fp32", "bf16", "int8", "int8-mixed", "onnx-int8")
#: part of the cached file's name: a change to the export below must not reuse an old file
ONNX_EXPORT_VERSION = 2
#: The outcome of the measurement, used by ``auto`` on a CPU that runs bf16 natively.
DEFAULT_CPU_BACKEND = "bf16"


def cpu_flags() -> set[str]:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def native_bf16() -> bool:
    """True where bf16 matrix products run in AMX-BF16 tiles: fast enough for the bf16 inference
    path to pass its 2x bar (measured on the Xeon only, so ``auto`` asks for AMX)."""
    return "amx_bf16" in cpu_flags()


def hardware_bf16() -> bool:
    """True where the CPU multiplies bf16 in hardware, AMX-BF16 tiles or AVX512-BF16 dot products.
    Training's bar is lower than inference's (a step faster than fp32): a full 32 x 128 batch of
    the six-layer model, forward, backward and AdamW, took 1.8 s in bf16 against 2.5-3.1 s in fp32
    on the 2-core AMD EPYC (Zen 4, AVX512-BF16, no AMX); 1.7x on the 2-core Xeon (AMX)."""
    return bool({"amx_bf16", "avx512_bf16"} & cpu_flags())


def resolve_backend(backend: str, device_type: str) -> str:
    """``auto`` becomes a concrete backend for this device and CPU."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    if backend == "auto":
        if device_type != "cpu":
            return "fp32"
        if DEFAULT_CPU_BACKEND == "bf16" and not native_bf16():
            return "fp32"
        return DEFAULT_CPU_BACKEND
    if device_type != "cpu" and backend not in ("fp32", "bf16"):
        raise ValueError(f"backend {backend!r} is a CPU path; on {device_type} use fp32 or bf16")
    return backend


class Autocast:
    """Wraps a model so that every forward pass runs under ``torch.autocast`` in bfloat16."""

    def __init__(self, model, device_type: str = "cpu"):
        self.model = model
        self.config = model.config
        self.device_type = device_type

    def eval(self):
        self.model.eval()
        return self

    def to(self, device):
        self.model = self.model.to(device)
        self.device_type = getattr(device, "type", str(device).split(":")[0])
        return self

    def __call__(self, **inputs):
        import torch

        with torch.autocast(self.device_type, dtype=torch.bfloat16):
            return self.model(**inputs)


def quantize_int8(model, keep_float_layers: bool = False):
    """Dynamic int8 Linear layers; optionally the first and last encoder layers and the
    classifier stay float."""
    import torch

    names = {name for name, mod in model.named_modules() if isinstance(mod, torch.nn.Linear)}
    if keep_float_layers:
        n_layers = int(getattr(model.config, "num_hidden_layers", 0))
        keep = (".layer.0.", f".layer.{n_layers - 1}.")
        names = {n for n in names if not any(k in f".{n}." for k in keep) and "classifier" not in n}
    return torch.ao.quantization.quantize_dynamic(model, names, dtype=torch.qint8)


# -- ONNX Runtime -------------------------------------------------------------------------------

class OnnxTokenClassifier:
    """An ONNX Runtime session with the call signature the Recognizer uses (``logits`` out)."""

    def __init__(self, path: Path, config, threads: int | None = None):
        import onnxruntime as ort

        opts = ort.SessionOptions()
        opts.intra_op_num_threads = int(threads or 0)  # 0: ONNX Runtime's choice (all cores)
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
        self.config = config
        self.path = path

    def eval(self):
        return self

    def to(self, device):
        if getattr(device, "type", str(device)) != "cpu":
            raise ValueError("the onnx-int8 backend runs on CPU only")
        return self

    def __call__(self, input_ids, attention_mask, token_type_ids=None):
        import numpy as np
        import torch

        ids = input_ids.numpy()
        types = np.zeros_like(ids) if token_type_ids is None else token_type_ids.numpy()
        logits = self.session.run(["logits"], {"input_ids": ids, "attention_mask": attention_mask.numpy(),
                                               "token_type_ids": types})[0]
        return SimpleNamespace(logits=torch.from_numpy(logits))


def _weights_hash(model_dir: Path) -> str:
    digest = hashlib.sha256()
    for name in ("config.json", "model.safetensors", "pytorch_model.bin"):
        f = model_dir / name
        if f.is_file():
            with open(f, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
    return digest.hexdigest()[:12]


def _cache_dir(model_dir: Path) -> Path:
    own = model_dir / "onnx"
    try:
        own.mkdir(exist_ok=True)
        probe = own / ".write-test"
        probe.touch()
        probe.unlink()
        return own
    except OSError:
        other = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "povner" / "onnx"
        other.mkdir(parents=True, exist_ok=True)
        return other


def build_onnx_int8(model_dir: str | os.PathLike) -> Path:
    """Export, optimise and quantise the model once; return the cached int8 ONNX file.

    A file lock makes concurrent workers wait for the one that builds it.
    """
    import torch

    model_dir = Path(model_dir)
    cache = _cache_dir(model_dir)
    tag = f"int8pc-v{ONNX_EXPORT_VERSION}"
    target = cache / f"model-{_weights_hash(model_dir)}-{tag}.onnx"
    if target.is_file():
        return target
    with open(cache / ".build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.is_file():
            return target
        import onnx
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from onnxruntime.transformers.optimizer import optimize_model
        from transformers import AutoModelForTokenClassification

        log.warning("building the ONNX int8 model in %s (once; about a minute)", cache)
        model = AutoModelForTokenClassification.from_pretrained(model_dir, attn_implementation="eager",
                                                                dtype=torch.float32).eval()
        fp32 = cache / f".{target.stem}.fp32.onnx"
        opt = cache / f".{target.stem}.opt.onnx"

        class _Logits(torch.nn.Module):
            def __init__(self, inner):
                super().__init__()
                self.inner = inner

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                                  token_type_ids=token_type_ids).logits

        ids = torch.full((2, 16), 5, dtype=torch.long)
        axes = {0: "batch", 1: "sequence"}
        names = ["input_ids", "attention_mask", "token_type_ids"]  # token types carry the rule features
        torch.onnx.export(_Logits(model), (ids, torch.ones_like(ids), torch.zeros_like(ids)), str(fp32),
                          dynamo=False, input_names=names, output_names=["logits"],
                          dynamic_axes={**{n: axes for n in names}, "logits": axes}, opset_version=17)
        cfg = model.config
        optimized = optimize_model(str(fp32), model_type="bert", num_heads=cfg.num_attention_heads,
                                   hidden_size=cfg.hidden_size, opt_level=1)
        optimized.save_model_to_file(str(opt))
        tmp = cache / f".{target.name}.tmp"
        quantize_dynamic(str(opt), str(tmp), per_channel=True, weight_type=QuantType.QInt8,
                         extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
        os.replace(tmp, target)
        for f in (fp32, opt):
            f.unlink(missing_ok=True)
    return target


# -- the one entry point --------------------------------------------------------------------------

def load_recognizer(model_dir: str | os.PathLike | None = None, device: str = "auto", backend: str = "auto",
                    threads: int | None = None, **kwargs):
    """A ``Recognizer`` running ``backend`` (see the module doc); ``threads`` bounds its CPU threads."""
    from .recognizer import Recognizer, resolve_device, resolve_model_dir

    dev = resolve_device(device)
    chosen = resolve_backend(backend, dev.type)
    if threads and dev.type == "cpu":
        import torch

        torch.set_num_threads(threads)
    path = resolve_model_dir(model_dir)
    if chosen == "fp32":
        rec = Recognizer(path, device=device, quantize=False, **kwargs)
    elif chosen == "int8":
        rec = Recognizer(path, device=device, quantize=True, **kwargs)
    else:
        model, tokenizer = Recognizer._load(path)
        if chosen == "bf16":
            model = Autocast(model.eval(), dev.type)
        elif chosen == "int8-mixed":
            model = quantize_int8(model.eval(), keep_float_layers=True)
        else:  # onnx-int8
            model = OnnxTokenClassifier(build_onnx_int8(path), model.config, threads)
        rec = Recognizer(device=device, quantize=False, model=model, tokenizer=tokenizer, **kwargs)
        rec.model_dir = path
    rec.backend = chosen
    return rec


__all__ = ["BACKENDS", "DEFAULT_CPU_BACKEND", "Autocast", "OnnxTokenClassifier", "build_onnx_int8",
           "hardware_bf16", "load_recognizer", "native_bf16", "quantize_int8", "resolve_backend"]
