"""An append-only write-ahead log: a write is committed once its record is on disk.

A record is `length (4 bytes) | crc32 (4 bytes) | payload`, fsynced before the write is
acknowledged. A record cut short by a crash (`kill -9` in the middle of a write) fails its
length or checksum and is dropped on replay, with everything after it: so a write is either
wholly in the log or not at all.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

HEADER = struct.Struct(">II")


def append(path: Path, payload: bytes) -> None:
    """Append one record and make it durable (file and directory fsynced)."""
    record = HEADER.pack(len(payload), zlib.crc32(payload)) + payload
    created = not path.exists()
    with path.open("ab") as log:
        log.write(record)
        log.flush()
        os.fsync(log.fileno())
    if created:
        _fsync_directory(path.parent)


def records(path: Path, limit: int | None = None, repair: bool = False) -> Iterator[bytes]:
    """The payloads of the complete records (the first `limit` of them), in order.

    Only the log's owner repairs: it cuts a torn tail off the file. Readers never write.
    """
    if not path.exists():
        return
    data = path.read_bytes()
    offset = count = 0
    while offset + HEADER.size <= len(data) and (limit is None or count < limit):
        length, checksum = HEADER.unpack_from(data, offset)
        payload = data[offset + HEADER.size : offset + HEADER.size + length]
        if len(payload) < length or zlib.crc32(payload) != checksum:
            break
        yield payload
        offset += HEADER.size + length
        count += 1
    if repair and offset < len(data):
        with path.open("r+b") as log:
            log.truncate(offset)
            os.fsync(log.fileno())


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
