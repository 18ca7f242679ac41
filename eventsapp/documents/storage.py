"""File bytes in the database, in chunks: written inside the submitting unit of work, read
back one chunk per short query, so a download holds one chunk in memory at a time and no
transaction stays open while a slow client reads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from sqlalchemy import bindparam, select
from sqlalchemy.engine import Engine

from ..extensions import db
from ..models import CHUNK_SIZE, DocumentChunk

_CHUNKS = DocumentChunk.__table__
_INSERT = _CHUNKS.insert()
_READ = select(_CHUNKS.c.data).where(_CHUNKS.c.revision_id == bindparam("revision_id"),
                                     _CHUNKS.c.seq == bindparam("seq"))


@dataclass(frozen=True)
class Digest:
    size: int  # bytes
    sha256: str  # hex


def digest(stream: BinaryIO) -> Digest:
    """Size and SHA-256 of the whole stream, read in chunks (left at its start)."""
    stream.seek(0)
    h, size = hashlib.sha256(), 0
    while block := stream.read(CHUNK_SIZE):
        h.update(block)
        size += len(block)
    stream.seek(0)
    return Digest(size, h.hexdigest())


def write_chunks(revision_id: int, stream: BinaryIO) -> int:
    """Store the stream's bytes as the revision's chunks (flush only); returns the bytes written."""
    stream.seek(0)
    written = seq = 0
    while block := stream.read(CHUNK_SIZE):
        db.session.execute(_INSERT, {"revision_id": revision_id, "seq": seq, "data": block})
        written += len(block)
        seq += 1
    return written


def read_range(engine: Engine, revision_id: int, start: int, stop: int) -> Iterator[bytes]:
    """Bytes [start, stop) of a revision, chunk by chunk, each read on a connection of its
    own (returned to the pool before the chunk is sent). A revision is never changed once
    written; one deleted half-way ends the stream early."""
    if stop <= start:
        return
    first, last = start // CHUNK_SIZE, (stop - 1) // CHUNK_SIZE
    for seq in range(first, last + 1):
        with engine.connect() as conn:
            data = conn.execute(_READ, {"revision_id": revision_id, "seq": seq}).scalar()
        if data is None:
            return
        base = seq * CHUNK_SIZE
        lo = start - base if seq == first else 0
        hi = stop - base if seq == last else len(data)
        yield bytes(data[lo:hi]) if (lo, hi) != (0, len(data)) else bytes(data)
