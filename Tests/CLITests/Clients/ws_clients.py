#!/usr/bin/env python3
"""Real WebSocket clients (the `websockets` package) against `pumpsim serve`.

    ws_clients.py URL N TOPICS [--reconnect] [--seed S] [--timeout SECONDS] [--deflate-every K] [--leave K]

Opens N connections to URL (ws://HOST:PORT/ws); client i subscribes to TOPICS[i % len(TOPICS)]
(comma-separated) and checks what arrives: a SNAPSHOT first, then every message of its topic with
seq exactly one more than the last (none lost, none twice), batched frames (JSON arrays)
included. With --reconnect each client closes its socket once, after a number of messages drawn
from the seed, and reconnects with {"since": {topic: last seq}}: it must get exactly what it
missed. Runs until the server closes every connection (1001 "server shutting down" at the end of
--until-end; any other close is a problem). Prints one JSON object: per topic the last seq every
client saw, and the counts of problems.

--deflate-every K: client i offers permessage-deflate only when i % K == 0 (K = 1, the default:
every client, as `websockets` does). A mixed crowd is what a server meets (browsers offer it,
bots often do not), and compressing every frame for every one of 1 000 connections, then
inflating it again in this one Python process, would make the load test measure zlib.

--leave K (with --reconnect): clients 0 to K-1 close at their reconnect point and do not come
back; they are counted in "left", not in last_seq."""
import argparse, asyncio, json, random, socket, sys, time, urllib.parse
import orjson, websockets

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

async def client(i, url, topic, reconnect_after, deadline, out, deflate, leave=False):
    """With `leave`, the client closes after `reconnect_after` messages and does not come back."""
    last = None          # last seq seen on the topic
    got = 0
    reconnected = False
    problems = []
    since = None
    deflate_used = False  # the server accepted permessage-deflate on the last connection
    first_at = last_at = None  # monotonic times of the first and the last frame
    while True:
        try:
            async with websockets.connect(url, sock=small_socket(url, 32 * 1024), max_size=2**22, max_queue=4, open_timeout=30, ping_interval=None,
                                          compression="deflate" if deflate else None) as ws:
                deflate_used = "permessage-deflate" in (ws.response.headers.get("Sec-WebSocket-Extensions") or "")
                sub = {"topics": [topic]}
                if since is not None:
                    sub["since"] = {topic: since}
                await ws.send(json.dumps({"type": "SUBSCRIBE", "data": sub}))
                async for raw in ws:
                    if time.monotonic() > deadline:
                        problems.append("timeout")
                        break
                    # orjson: a full parse of every frame (a gigabyte of JSON over the run),
                    # several times faster than the standard library's.
                    last_at = time.monotonic()
                    if first_at is None:
                        first_at = last_at
                    frame = orjson.loads(raw)
                    for m in (frame if isinstance(frame, list) else (frame,)):
                        if m.get("topic") != topic:
                            if m.get("type") == "ERROR":
                                problems.append("error frame: %s" % m)
                            continue
                        seq = m["seq"]
                        if m["type"] == "SNAPSHOT":
                            if since is not None:
                                # A fresh snapshot instead of the missed messages: state sync.
                                problems.append("snapshot on resume (history too short?)")
                            last = seq
                            continue
                        if last is None:
                            # Before anything on a fresh connection (a resume starts from `since`).
                            problems.append("delta before the snapshot")
                        elif seq != last + 1:
                            problems.append("seq %d after %s" % (seq, last))
                        last = seq
                        got += 1
                    if reconnect_after is not None and not reconnected and got >= reconnect_after:
                        reconnected = True
                        since = last
                        break
                else:
                    # The server closed: at the end of the run that is 1001 "server shutting down";
                    # anything else (a ping timeout is 1001 too, "Ping timeout"; 1008 a slow
                    # consumer) ended this client early.
                    if (ws.close_code, ws.close_reason) != (1001, "server shutting down"):
                        problems.append("closed early: %s %r" % (ws.close_code, ws.close_reason))
                    break
                # Out of the loop early: the deadline, or the reconnect point (leaving for good
                # there with --leave; the socket closes on the way out).
                if (problems and problems[-1] == "timeout") or leave:
                    break
            await asyncio.sleep(0.05)
        except (OSError, websockets.WebSocketException) as e:
            problems.append("connection: %r" % e)
            break
    out[i] = {"topic": topic, "last": last, "got": got, "problems": problems,
              "reconnected": reconnected and not leave, "left": leave, "deflate": deflate_used,
              "first_at": first_at, "last_at": last_at}

async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url"); ap.add_argument("n", type=int); ap.add_argument("topics")
    ap.add_argument("--reconnect", action="store_true"); ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=240)
    ap.add_argument("--deflate-every", type=int, default=1)
    ap.add_argument("--leave", type=int, default=0, help="clients 0..K-1 leave for good (at their --reconnect point)")
    a = ap.parse_args()
    topics = a.topics.split(",")
    rng = random.Random(a.seed)
    started = time.monotonic()
    deadline = started + a.timeout
    out = [None] * a.n
    tasks = []
    for i in range(a.n):
        after = rng.randint(5, 200) if a.reconnect else None
        tasks.append(asyncio.create_task(client(i, a.url, topics[i % len(topics)], after, deadline, out,
                                                  i % a.deflate_every == 0, i < a.leave)))
        if i % 100 == 99:
            await asyncio.sleep(0.01)
    await asyncio.wait(tasks, timeout=a.timeout + 5)
    by_topic = {}
    problems = []
    for i, r in enumerate(out):
        if r is None:
            problems.append("client %d did not finish" % i); continue
        if not r["left"]:
            by_topic.setdefault(r["topic"], set()).add(r["last"])
        problems += ["client %d: %s" % (i, p) for p in r["problems"]]
    print(json.dumps({
        "clients": a.n,
        "finished": sum(1 for r in out if r is not None),
        "reconnected": sum(1 for r in out if r and r["reconnected"]),
        "left": sum(1 for r in out if r and r["left"]),
        "deflate": sum(1 for r in out if r and r["deflate"]),
        "messages": sum(r["got"] for r in out if r),
        # Seconds from the start: until every client had its first frame (the run had begun),
        # and until the last frame of all.
        "all_started_s": round(max((r["first_at"] for r in out if r and r["first_at"]), default=started) - started, 1),
        "last_frame_s": round(max((r["last_at"] for r in out if r and r["last_at"]), default=started) - started, 1),
        "last_seq": {t: sorted(v, key=lambda x: -1 if x is None else x) for t, v in by_topic.items()},
        "problems": problems[:20], "problem_count": len(problems),
    }))

asyncio.run(main())
