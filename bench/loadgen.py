"""A small HTTP/1.1 keep-alive load generator on raw asyncio streams.

It is much cheaper per request than an HTTP client library, so the server, not the
generator, is what a run measures. Loopback only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""

    def encode(self) -> bytes:
        lines = [f"{self.method} {self.path} HTTP/1.1", f"Host: {HOST}"]
        lines += [f"{k}: {v}" for k, v in self.headers.items()]
        if self.body or self.method in ("PUT", "POST"):
            lines.append("Content-Type: application/json")
            lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(HOST, port)
        return cls(reader, writer)

    async def send(self, request: Request) -> tuple[int, bytes]:
        self.writer.write(request.encode())
        return await self.read_response()

    async def read_response(self) -> tuple[int, bytes]:
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await self.reader.readexactly(length) if length else b""
        return status, body

    def close(self) -> None:
        self.writer.close()


async def rate(port: int, make: Callable[[int, int], Request], *, connections: int, seconds: float) -> float:
    """Requests per second that succeed (2xx), over ``seconds``, from ``connections`` keep-alive clients.

    ``make(connection_index, n)`` builds each connection's n-th request.
    """
    conns = [await Connection.open(port) for _ in range(connections)]
    done = 0
    failures = 0
    stop_at = time.perf_counter() + seconds

    async def loop(index: int, conn: Connection) -> None:
        nonlocal done, failures
        n = 0
        while time.perf_counter() < stop_at:
            status, _ = await conn.send(make(index, n))
            n += 1
            if 200 <= status < 300:
                done += 1
            else:
                failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(loop(i, c) for i, c in enumerate(conns)))
    elapsed = time.perf_counter() - started
    for conn in conns:
        conn.close()
    if failures:
        raise RuntimeError(f"{failures} requests failed during the run")
    return done / elapsed
