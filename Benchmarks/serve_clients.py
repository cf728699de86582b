#!/usr/bin/env python3
"""Load clients for Benchmarks/serve-fanout.sh: N real WebSocket connections (the `websockets`
package) to `pumpsim serve --timestamps`, each subscribed to one token topic (round robin). Counts
messages and measures publish-to-receive latency from each message's "data.ts" (same host clock).

    serve_clients.py URL N TOPICS [--procs P]

Prints one JSON object: messages, wall seconds from the first to the last message, messages/s,
latency p50/p99/max in ms (sampled: the messages of every 8th frame of each connection)."""
import argparse, asyncio, json, multiprocessing, os, time
import websockets

async def one(url, topic, lat, counts, span):
    async with websockets.connect(url, max_size=2**24, open_timeout=120, ping_interval=None) as ws:
        await ws.send(json.dumps({"type": "SUBSCRIBE", "data": {"topics": [topic]}}))
        try:
            k = 0
            async for raw in ws:
                now = time.time() * 1e6
                n = raw.count('"ts":')
                if n == 0:
                    continue
                counts[0] += n
                span[0] = min(span[0], now); span[1] = max(span[1], now)
                # Latency from every 8th frame's messages (parsing all would make the clients the bottleneck sooner).
                k += 1
                if k % 8 == 1:
                    frame = json.loads(raw)
                    for m in (frame if isinstance(frame, list) else [frame]):
                        ts = (m.get("data") or {}).get("ts")
                        if ts is not None: lat.append(now - ts)
        except websockets.ConnectionClosed:
            pass

def proc(url, ids, topics, q):
    lat, counts, span = [], [0], [float("inf"), 0.0]
    async def main():
        tasks = []
        for i in ids:
            tasks.append(asyncio.create_task(one(url, topics[i % len(topics)], lat, counts, span)))
            if len(tasks) % 200 == 0: await asyncio.sleep(0.05)
        await asyncio.gather(*tasks, return_exceptions=True)
    asyncio.run(main())
    lat.sort()
    q.put((counts[0], span, lat[::max(1, len(lat) // 200000)]))

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("url"); ap.add_argument("n", type=int); ap.add_argument("topics"); ap.add_argument("--procs", type=int, default=1)
    a = ap.parse_args()
    topics = a.topics.split(",")
    q = multiprocessing.Queue()
    ps = [multiprocessing.Process(target=proc, args=(a.url, range(k, a.n, a.procs), topics, q)) for k in range(a.procs)]
    for p in ps: p.start()
    results = [q.get() for _ in ps]
    for p in ps: p.join()
    total = sum(r[0] for r in results)
    start = min(r[1][0] for r in results); end = max(r[1][1] for r in results)
    lat = sorted(x for r in results for x in r[2])
    pick = lambda f: round(lat[min(len(lat) - 1, int(f * len(lat)))] / 1000, 2) if lat else None
    secs = (end - start) / 1e6 if total else 0
    print(json.dumps({"clients": a.n, "messages": total, "seconds": round(secs, 2), "messages_per_second": round(total / secs) if secs else 0,
                      "latency_ms": {"p50": pick(0.5), "p99": pick(0.99), "max": pick(1.0)}}))
