#!/usr/bin/env python3
"""The live dashboard in headless Chromium (Debian's package), driven over the DevTools protocol
with websocket-client (suppress_origin=True, as DevTools wants).

    dashboard_check.py PUMPSIM SCENARIO OUTDIR

Starts `pumpsim serve SCENARIO` on a free port, opens / in Chromium and reads the page twice
a few seconds apart (connection state, message count, the chart's pixels, a screenshot each);
then stops the server, starts it again on the same port and waits for the page to reconnect.
Prints one JSON object; exits 1 if a check fails."""
import base64, json, os, shutil, socket, subprocess, sys, tempfile, time, urllib.request
import websocket

pumpsim, scenario, outdir = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(outdir, exist_ok=True)

def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p

port = free_port()

def serve():
    p = subprocess.Popen([pumpsim, "serve", scenario, "--port", str(port), "--speed", "10", "--no-db"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    assert line.startswith("listening on "), line
    return p

server = serve()
profile = tempfile.mkdtemp(prefix="pumpsim-chromium-")
devtools = free_port()
browser = subprocess.Popen(["chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                            "--remote-debugging-port=%d" % devtools, "--user-data-dir=" + profile,
                            "--window-size=1400,900", "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           env=dict(os.environ, TMPDIR=profile))  # its own temporary files go with the profile
result = {"checks": {}}
try:
    target = None
    for _ in range(100):
        try:
            targets = json.load(urllib.request.urlopen("http://127.0.0.1:%d/json/list" % devtools, timeout=2))
            target = next(t for t in targets if t["type"] == "page")
            break
        except Exception:
            time.sleep(0.1)
    ws = websocket.create_connection(target["webSocketDebuggerUrl"], suppress_origin=True, timeout=30)
    ids = [0]
    def call(method, **params):
        ids[0] += 1
        ws.send(json.dumps({"id": ids[0], "method": method, "params": params}))
        while True:
            m = json.loads(ws.recv())
            if m.get("id") == ids[0]:
                return m.get("result", {})
    def js(expr):
        r = call("Runtime.evaluate", expression=expr, returnByValue=True)
        return r.get("result", {}).get("value")
    def read(name):
        shot = call("Page.captureScreenshot", format="png")["data"]
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(base64.b64decode(shot))
        return {"state": js("document.getElementById('state').textContent"),
                "messages": int(js("document.getElementById('messages').textContent") or 0),
                "slot": int(js("document.getElementById('slot').textContent") or 0),
                "chart": js("document.getElementById('chart').toDataURL().length"),
                "chartHash": js("(() => { const d = document.getElementById('chart').toDataURL(); let h = 0; for (let i = 0; i < d.length; i++) h = (h * 31 + d.charCodeAt(i)) | 0; return h; })()"),
                "reconnects": int(js("document.getElementById('reconnects').textContent") or 0),
                "tokens": js("document.getElementById('tokens').innerText")}
    call("Page.enable"); call("Runtime.enable")
    call("Page.navigate", url="http://127.0.0.1:%d/" % port)
    time.sleep(4)
    first = read("dashboard-1.png")
    time.sleep(4)
    second = read("dashboard-2.png")
    result["first"], result["second"] = first, second
    result["checks"]["connected"] = first["state"] == "open" and second["state"] == "open"
    result["checks"]["counters move"] = second["messages"] > first["messages"] > 0 and second["slot"] > first["slot"]
    result["checks"]["chart changes"] = first["chartHash"] != second["chartHash"]
    # The server goes away and comes back on the same port: the page reconnects (5 attempts, 3 s apart).
    t0 = time.monotonic()
    server.terminate()
    try:
        server.wait(timeout=8)
    except subprocess.TimeoutExpired:
        try:
            m = urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=3).read().decode()
            result["hung metrics"] = [l for l in m.split("\n") if l.startswith("pumpsim_ws_connections") or l.startswith("pumpsim_ws_queued")]
        except Exception as e:
            result["hung metrics"] = repr(e)
        result["ss"] = subprocess.run(["ss", "-tnp"], capture_output=True, text=True).stdout.count(":%d " % port)
        server.wait(timeout=60)
    result["stop seconds"] = round(time.monotonic() - t0, 2)
    time.sleep(1)
    result["while down"] = js("document.getElementById('state').textContent")
    server = serve()
    reconnected = None
    for _ in range(40):
        time.sleep(0.5)
        state = js("document.getElementById('state').textContent")
        if state == "open" and int(js("document.getElementById('reconnects').textContent") or 0) >= 1:
            reconnected = read("dashboard-3.png"); break
    result["after restart"] = reconnected
    result["checks"]["reconnects after a restart"] = reconnected is not None and result["while down"].startswith("reconnecting")
    errors = js("window.__errors ? window.__errors.length : 0")
    result["checks"]["no script errors"] = errors == 0
finally:
    browser.terminate()
    try: browser.wait(timeout=10)
    except Exception: browser.kill()
    server.terminate()
    try: server.wait(timeout=30)
    except Exception: server.kill()
    shutil.rmtree(profile, ignore_errors=True)
print(json.dumps(result))
sys.exit(0 if result["checks"] and all(result["checks"].values()) else 1)
