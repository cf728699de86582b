#!/usr/bin/env python3
"""Spoken commands against `pumpsim serve` (quickstart, named wallet alice) over a real
WebSocket client (the `websockets` package): VOICE_COMMAND frames with transcripts.

    voice.py BASE_URL

After TEST launches: asks the price, sends a vague buy (the server must ask, not trade), a buy
with transcription slips, and a chat; once alice's buy is seen, a spoken sell of half her TEST.
Prints one JSON object: the VOICE_REPLY data in order, and alice's trades and chats as seen."""
import asyncio, json, sys, time
import websockets

base = sys.argv[1]
seen = {"replies": [], "trades": [], "chats": [], "errors": []}

def voice(text):
    return json.dumps({"type": "VOICE_COMMAND", "data": {"wallet": "alice", "text": text}})

async def main():
    deadline = time.monotonic() + 60
    async with websockets.connect(base.replace("http", "ws", 1) + "/ws") as ws:
        await ws.send(json.dumps({"type": "SUBSCRIBE", "data": {"topics": ["TEST", "TEST/chat"]}}))
        step = 0
        async for raw in ws:
            if time.monotonic() > deadline:
                seen["timeout"] = True
                break
            frame = json.loads(raw)
            for m in (frame if isinstance(frame, list) else [frame]):
                t, d = m["type"], m.get("data", {})
                if t == "VOICE_REPLY":
                    seen["replies"].append(d)
                elif t == "ERROR":
                    seen["errors"].append(d)
                elif t == "TOKEN_LAUNCHED" and step == 0:
                    step = 1
                    await ws.send(voice("what's the price of test"))
                    await ws.send(voice("buy some test"))
                    await ws.send(voice("hey pump by half a sole of test with fifteen percent slippage"))
                    await ws.send(voice("say gm from my voice in the TEST chat"))
                elif t == "TRADE" and d["wallet"] == "alice":
                    seen["trades"].append(d["side"])
                    if d["side"] == "buy" and step == 1:
                        step = 2
                        await ws.send(voice("cell half my test with fifty percent slippage"))
                elif t == "CHAT_MESSAGE" and d["wallet"] == "alice":
                    seen["chats"].append(d["message"])
            if "sell" in seen["trades"] and seen["chats"] and len(seen["replies"]) >= 5:
                break
    print(json.dumps(seen))

asyncio.run(main())
