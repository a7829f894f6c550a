"""A TCP proxy on 127.0.0.1 in front of a test server: its network can be cut and restored, and
it can lose the answer to the first PUT after the server has stored it.

Every connection it opens is closed, and every connection's task has ended, once ``close()``
returns. A socket left for the garbage collector warns (an error here) in whichever test
happens to be running when it is collected, far from the test that leaked it."""

from __future__ import annotations

import asyncio
import contextlib


class Proxy:
    def __init__(self, upstream_port: int, *, lose_first_put_answer: bool = False) -> None:
        self.upstream_port = upstream_port
        self.online = True
        self.lost_answers = 0
        self._lose_next_put_answer = lose_first_put_answer
        self._open: set[asyncio.StreamWriter] = set()
        self._connections: set[asyncio.Task[None]] = set()
        self._listener: asyncio.Server | None = None

    async def start(self) -> str:
        """Listens; returns the address to give the client instead of the server's."""
        self._listener = await asyncio.start_server(self._connection, "127.0.0.1", 0)
        return f"http://127.0.0.1:{self._listener.sockets[0].getsockname()[1]}"

    def cut(self) -> None:
        """The network goes: open connections drop, and new ones until ``online`` is set again."""
        self.online = False
        for writer in list(self._open):
            writer.transport.abort()

    async def close(self) -> None:
        self.cut()
        # a connection accepted in this very turn of the loop is still being handed to its task:
        # let that happen (the task then ends at once, cut off) before the listener goes
        await asyncio.sleep(0.05)
        if self._listener is not None:
            self._listener.close()
            await self._listener.wait_closed()
        # each ends at once on its aborted sockets, and its ``finally`` has closed them
        await asyncio.gather(*self._connections, return_exceptions=True)
        await asyncio.sleep(0)  # the sockets' own closing callbacks run

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        ends = [writer]
        self._open.add(writer)
        try:
            if self._offline():
                return
            try:
                up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.upstream_port)
            except OSError:
                return
            ends.append(up_writer)
            self._open.add(up_writer)
            if self._offline():  # cut while this connection was being made
                return
            methods: list[bytes] = []
            await asyncio.gather(
                self._pump(reader, up_writer, methods=methods),
                self._pump(up_reader, writer, methods=methods, answers=True),
                return_exceptions=True,
            )
        finally:
            for end in ends:
                end.transport.abort()
                self._open.discard(end)
            self._connections.discard(task)

    def _offline(self) -> bool:
        return not self.online

    async def _pump(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, methods: list[bytes], answers: bool = False
    ) -> None:
        """Copies one direction until it ends; then the connection ends (both directions)."""
        while data := await source.read(65536):
            if not answers and data[:4] in (b"GET ", b"PUT ", b"POST"):
                methods.append(data[:4])
            if answers and self._lose_next_put_answer and methods and methods[-1] == b"PUT ":
                self._lose_next_put_answer = False
                self.lost_answers += 1
                sink.transport.abort()  # the answer is lost: the client sees the connection drop
                return
            sink.write(data)
            await sink.drain()
        # the end of this direction: what is still buffered goes first, then the other side's end
        sink.close()
        with contextlib.suppress(OSError, TimeoutError):
            await asyncio.wait_for(sink.wait_closed(), 1)
