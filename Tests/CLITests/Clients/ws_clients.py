#!/usr/bin/env python3
"""Real WebSocket clients (the `websockets` package) against `pumpsim serve`.

    ws_clients.py URL N TOPICS [--reconnect] [--seed S] [--timeout SECONDS]

Opens N connections to URL (ws://HOST:PORT/ws); client i subscribes to TOPICS[i % len(TOPICS)]
(comma-separated) and checks what arrives: a SNAPSHOT first, then every message of its topic with
seq exactly one more than the last (none lost, none twice), batched frames (JSON arrays)
included. With --reconnect each client closes its socket once, after a number of messages drawn
from the seed, and reconnects with {"since": {topic: last seq}}: it must get exactly what it
missed. Runs until the server closes every connection (1001 at the end of --until-end). Prints
one JSON object: per topic the last seq every client saw, and the counts of problems."""
import argparse, asyncio, json, random, socket, sys, time, urllib.parse
import websockets

def small_socket(url, rcvbuf):
    """A connected TCP socket with a small receive buffer: the TCP window then holds the server's
    writes back while this client is busy, as a real slow reader would (so that --speed max paces
    against what the clients actually read, not what the kernel buffers)."""
    u = urllib.parse.urlparse(url)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(30)
    s.connect((u.hostname, u.port))
    s.setblocking(False)
    return s

async def client(i, url, topic, reconnect_after, deadline, out):
    last = None          # last seq seen on the topic
    got = 0
    reconnected = False
    problems = []
    since = None
    while True:
        try:
            async with websockets.connect(url, sock=small_socket(url, 32 * 1024), max_size=2**22, open_timeout=30, ping_interval=None) as ws:
                sub = {"topics": [topic]}
                if since is not None:
                    sub["since"] = {topic: since}
                await ws.send(json.dumps({"type": "SUBSCRIBE", "data": sub}))
                first = True
                async for raw in ws:
                    if time.monotonic() > deadline:
                        problems.append("timeout")
                        break
                    frame = json.loads(raw)
                    for m in (frame if isinstance(frame, list) else [frame]):
                        t = m.get("type")
                        if t == "ERROR":
                            problems.append("error frame: %s" % m)
                            continue
                        if m.get("topic") != topic:
                            continue
                        if t == "SNAPSHOT":
                            if since is not None:
                                # A fresh snapshot instead of the missed messages: state sync.
                                problems.append("snapshot on resume (history too short?)")
                            last = m["seq"]
                            first = False
                            continue
                        if first and since is None:
                            problems.append("delta before the snapshot")
                        first = False
                        if last is not None and m["seq"] != last + 1:
                            problems.append("seq %d after %s" % (m["seq"], last))
                        last = m["seq"]
                        got += 1
                    if reconnect_after is not None and not reconnected and got >= reconnect_after:
                        reconnected = True
                        since = last
                        break
                else:
                    # The server closed (1001 at the end).
                    out[i] = {"topic": topic, "last": last, "got": got, "problems": problems, "reconnected": reconnected}
                    return
                if problems and problems[-1] == "timeout":
                    break
            await asyncio.sleep(0.05)
        except (OSError, websockets.WebSocketException) as e:
            problems.append("connection: %r" % e)
            break
    out[i] = {"topic": topic, "last": last, "got": got, "problems": problems, "reconnected": reconnected}

async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url"); ap.add_argument("n", type=int); ap.add_argument("topics")
    ap.add_argument("--reconnect", action="store_true"); ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=240)
    a = ap.parse_args()
    topics = a.topics.split(",")
    rng = random.Random(a.seed)
    deadline = time.monotonic() + a.timeout
    out = [None] * a.n
    tasks = []
    for i in range(a.n):
        after = rng.randint(5, 200) if a.reconnect else None
        tasks.append(asyncio.create_task(client(i, a.url, topics[i % len(topics)], after, deadline, out)))
        if i % 100 == 99:
            await asyncio.sleep(0.01)
    await asyncio.wait(tasks, timeout=a.timeout + 5)
    by_topic = {}
    problems = []
    for i, r in enumerate(out):
        if r is None:
            problems.append("client %d did not finish" % i); continue
        by_topic.setdefault(r["topic"], set()).add(r["last"])
        problems += ["client %d: %s" % (i, p) for p in r["problems"]]
    print(json.dumps({
        "clients": a.n,
        "finished": sum(1 for r in out if r is not None),
        "reconnected": sum(1 for r in out if r and r["reconnected"]),
        "messages": sum(r["got"] for r in out if r),
        "last_seq": {t: sorted(v, key=lambda x: -1 if x is None else x) for t, v in by_topic.items()},
        "problems": problems[:20], "problem_count": len(problems),
    }))

asyncio.run(main())
