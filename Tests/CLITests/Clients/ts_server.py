#!/usr/bin/env python3
"""An independent WebSocket server (the `websockets` package) for `loadtest --target` tests.

    ts_server.py PORT_FILE MESSAGES INTERVAL_MS

Each connection is sent MESSAGES text frames, INTERVAL_MS apart, then stays open. Every frame is
{"type":"T","seq":k,"data":{"ts":SEND_US - D}} where D (µs, 10..100 ms, from a seeded stream per
connection) makes the message look that much older: the latency a client computes from data.ts
is D plus the loopback time. On SIGTERM it prints one JSON object: frames sent, and the exact
D percentiles (p50, p90, p99, ms) over everything sent, for the test to compare with."""
import asyncio, json, random, signal, sys, time

port_file, messages, interval = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]) / 1000
sent = 0
delays = []

async def handler(ws):
    global sent
    rng = random.Random(len(delays))
    try:
        for k in range(messages):
            d = rng.randint(10_000, 100_000)
            now = int(time.time() * 1e6)
            await ws.send(json.dumps({"type": "T", "seq": k + 1, "data": {"ts": now - d, "note": "x" * 40}}))
            sent += 1
            delays.append(d)
            await asyncio.sleep(interval)
        await ws.wait_closed()
    except Exception:
        pass

def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))] / 1000 if xs else 0

async def main():
    stop = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, lambda: stop.done() or stop.set_result(None))
    async with websockets.serve(handler, "127.0.0.1", 0, max_queue=None) as server:
        with open(port_file, "w") as f:
            f.write(str(server.sockets[0].getsockname()[1]))
        try:
            await asyncio.wait_for(stop, 90)
        except asyncio.TimeoutError:
            pass
    print(json.dumps({"sent": sent, "p50_ms": pct(delays, 50), "p90_ms": pct(delays, 90), "p99_ms": pct(delays, 99)}))

import websockets
asyncio.run(main())
