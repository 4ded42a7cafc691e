"""One Recognizer shared between threads gives each caller exactly its sequential result."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor


def test_shared_recognizer_across_threads(tiny_model_dir):
    from model.recognizer import Recognizer

    rec = Recognizer(tiny_model_dir, device="cpu", merge="model-first", merge_threshold=0.5)
    texts = [("湖南省零陵区投入785万元，帮助1.8万余人脱贫。" * (1 + i % 5))[: 20 + 13 * i] for i in range(24)]
    expected = [rec.predict(t) for t in texts]
    with ThreadPoolExecutor(max_workers=6) as pool:
        got = list(pool.map(rec.predict, texts))
    assert got == expected
    for text, spans in zip(texts, got):
        assert all(text[s["start"]:s["end"]] == s["text"] for s in spans)
