"""``python -m model.encoder --out artifacts/base``: build the offline base encoder (``make base``)."""
from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from tqdm.auto import tqdm

from ..corpus import training_documents
from ..normalize import normalize
from ..paths import BASE_MODEL_DIR
from .convert import convert

log = logging.getLogger("model.encoder")


def extension_texts() -> dict[str, list[str]]:
    """The normalised training text and the gazetteer's place names: what the recogniser will read."""
    docs = training_documents()
    texts = {"training text": [normalize(d.text).text for d in tqdm(docs, desc="normalising", unit="doc")]}
    try:
        from ..weak.gazetteer import region_names
    except ImportError as e:
        log.warning("gazetteer skipped (%s): extending the vocabulary from the training text only", e)
    else:
        texts["gazetteer"] = [normalize(n).text for n in sorted(region_names())]
    log.info("extension texts: %s", {k: f"{len(v)} texts, {sum(map(len, v))} chars" for k, v in texts.items()})
    return texts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m model.encoder", description=__doc__)
    parser.add_argument("--out", type=Path, default=BASE_MODEL_DIR, help="save_pretrained directory to write")
    parser.add_argument("--no-trim", action="store_true", help="keep the full 250k-piece vocabulary")
    parser.add_argument("--no-extend", action="store_true", help="do not add pieces for <unk> characters")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    started = time.time()
    figures = convert(args.out, trim=not args.no_trim, extension_texts=None if args.no_extend else extension_texts())
    log.info("figures: %s", json.dumps(figures, ensure_ascii=False))
    log.info("done in %.0f s", time.time() - started)


if __name__ == "__main__":
    main()
