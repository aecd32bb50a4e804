"""The live benchmark's websocket clients, in a process of their own (multiprocessing, spawn).

They stand in for browsers on other machines, so they are kept light: one uvloop event
loop, no pings of their own (browsers send none), each message only timestamped and kept
as it arrives (decoded after the measurement), and what exists once they are connected
frozen out of the garbage collector. No Django here: the parent process has it.
"""

import asyncio
import gc
import json
import os
import time

CONNECTING_AT_ONCE = 20


def run(conn, targets: list[tuple[str, str]], origin: str) -> None:
    """Connect one socket per (base URL, Cookie header), sending the site's `origin` as a
    browser on the site would, tell the parent ("ready", count) (or ("error", text)),
    keep every message until the parent says stop, then send ("events", [(quantity_available,
    received at)], sockets closed early by the server, CPU seconds of this process)."""
    import uvloop

    loop = uvloop.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        loop.run_until_complete(_main(conn, targets, origin))
    except Exception as error:
        conn.send(("error", f"{type(error).__name__}: {error}"))


async def _main(conn, targets, origin) -> None:
    import websockets

    gate = asyncio.Semaphore(CONNECTING_AT_ONCE)
    received: list[tuple[float, str]] = []
    closed_early = []

    async def connect(base, cookie):
        async with gate:
            return await websockets.connect(
                base.replace("http", "ws", 1) + "/ws/live/",
                origin=origin,
                additional_headers={"Cookie": cookie},
                open_timeout=60,
                max_queue=None,
                ping_interval=None,
                compression=None,
            )

    async def listen(socket):
        try:
            async for message in socket:
                received.append((time.time(), message))
        except websockets.ConnectionClosed:
            pass
        if not stopping:
            closed_early.append(socket.close_code)

    stopping = False
    sockets = await asyncio.gather(*(connect(base, cookie) for base, cookie in targets))
    tasks = [asyncio.create_task(listen(socket)) for socket in sockets]
    await asyncio.sleep(0.5)
    gc.collect()
    gc.freeze()
    conn.send(("ready", len(sockets)))
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, conn.recv)  # "stop"
    stopping = True
    await asyncio.gather(*(socket.close() for socket in sockets), return_exceptions=True)
    for task in tasks:
        task.cancel()
    events = []
    for at, message in received:
        payload = json.loads(message)
        if payload.get("event") in ("listing.changed", "listing.removed"):
            events.append((payload["data"]["quantity_available"], at))
    times = os.times()
    conn.send(("events", events, closed_early, times.user + times.system))
