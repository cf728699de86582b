#!/usr/bin/env python3
"""A WebSocket server (the `websockets` package) that sends every client the same frames, fast,
for comparing load-generator clients (Benchmarks/k6-side-by-side.sh).

    ws_blast.py PORT_FILE CONNECTIONS MESSAGES INTERVAL_MS

Waits (at most 30 s) for CONNECTIONS clients, then broadcasts MESSAGES text frames, one round
every INTERVAL_MS, each {"type":"T","seq":k,"data":{"ts":SEND_US,"note":"x"*40}} (74-75 bytes),
to every connection open at that moment; then keeps the connections open. On SIGTERM it prints
one JSON object: frames sent (the sum over rounds of the connections written to) and the
clients that connected. With every client connected for the whole run, sent = CONNECTIONS ×
MESSAGES, so two clients given the same load must each count exactly that."""
import asyncio, json, signal, sys, time

import websockets

port_file, want, messages, interval = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]) / 1000
clients = set()
seen = 0
sent = 0
ready = asyncio.Event()


async def handler(ws):
    global seen
    clients.add(ws)
    seen += 1
    if len(clients) >= want:
        ready.set()
    try:
        await ws.wait_closed()
    finally:
        clients.discard(ws)


async def blast():
    global sent
    try:
        await asyncio.wait_for(ready.wait(), 30)
    except asyncio.TimeoutError:
        pass
    await asyncio.sleep(0.2)
    for k in range(messages):
        open_now = [c for c in clients if c.state == websockets.protocol.State.OPEN]
        frame = json.dumps({"type": "T", "seq": k + 1, "data": {"ts": int(time.time() * 1e6), "note": "x" * 40}})
        websockets.broadcast(open_now, frame)
        sent += len(open_now)
        await asyncio.sleep(interval)


async def main():
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    loop.add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    async with websockets.serve(handler, "127.0.0.1", 0, max_queue=None, compression=None) as server:
        with open(port_file, "w") as f:
            f.write(str(server.sockets[0].getsockname()[1]))
        task = asyncio.create_task(blast())
        try:
            await asyncio.wait_for(stop, 300)
        except asyncio.TimeoutError:
            pass
        task.cancel()
    print(json.dumps({"sent": sent, "connected": seen}))


asyncio.run(main())
