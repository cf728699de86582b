/// The live dashboard at `/`: one self-contained page (no network resource but this server). It
/// connects to `/ws` with the platform client's policy (5 reconnect attempts 3 s apart, a
/// heartbeat every 30 s), resumes from the last seq it saw, and shows prices, trades, chat,
/// virtual environments, reward tiers, chain congestion and the service's own health.
enum Dashboard {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>PumpSim live</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
  body { font: 13px/1.4 system-ui, sans-serif; margin: 0; background: #0f1115; color: #e6e6e6; }
  header { display: flex; gap: 16px; align-items: center; padding: 8px 16px; background: #181b22; }
  header h1 { font-size: 16px; margin: 0; }
  #state { padding: 2px 8px; border-radius: 4px; background: #555; }
  #state.open { background: #1f7a3a; } #state.reconnecting { background: #8a6d1a; } #state.closed { background: #8a1a1a; }
  main { display: grid; grid-template-columns: minmax(0, 2fr) minmax(0, 1fr) minmax(0, 1fr); gap: 12px; padding: 12px 16px; }
  section { background: #181b22; border-radius: 6px; padding: 8px 10px; min-height: 120px; min-width: 0; overflow: hidden; }
  section h2 { font-size: 13px; margin: 0 0 6px; color: #9aa4b2; text-transform: uppercase; letter-spacing: .04em; }
  canvas { width: 100%; height: 260px; display: block; }
  #fill { height: 120px; }
  ul { list-style: none; margin: 0; padding: 0; max-height: 260px; overflow: hidden; }
  li { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; border-bottom: 1px solid #22262f; }
  .buy { color: #4cd07d; } .sell { color: #f0616d; }
  table { width: 100%; border-collapse: collapse; } td { padding: 1px 4px; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
  .wide { grid-column: span 2; }
</style>
</head>
<body>
<header>
  <h1>PumpSim live</h1>
  <span id="state">connecting</span>
  <span>slot <b id="slot">0</b> / <span id="duration">?</span></span>
  <span>messages <b id="messages">0</b></span>
  <span>reconnects <b id="reconnects">0</b></span>
</header>
<main>
  <section class="wide"><h2>Prices (lamports per token)</h2><canvas id="chart" width="900" height="260"></canvas><div id="legend"></div></section>
  <section><h2>Tokens</h2><table id="tokens"></table></section>
  <section><h2>Trades</h2><ul id="tape"></ul></section>
  <section><h2>Chat</h2><ul id="chat"></ul></section>
  <section><h2>Virtual environments</h2><ul id="envs"></ul></section>
  <section><h2>Reward tiers</h2><table id="tiers"></table></section>
  <section><h2>Chain</h2><canvas id="fill" width="400" height="120"></canvas><div id="chainText"></div></section>
  <section><h2>Service</h2><table id="service"></table></section>
</main>
<script>
"use strict";
const MAX_ATTEMPTS = 5, RETRY_MS = 3000, HEARTBEAT_MS = 30000;
const colours = ["#4cc3ff", "#ffb347", "#b28dff", "#4cd07d", "#f0616d", "#e6e675", "#ff7fd4", "#7fffd4"];
const lastSeq = {}, prices = {}, tokens = {}, tiers = {}, envs = {}, chainFill = [];
let socket = null, attempts = 0, heartbeat = null, messages = 0, reconnects = 0, topics = [], everOpen = false;
const $ = id => document.getElementById(id);

function setState(s) { const e = $("state"); e.textContent = s; e.className = s.split(" ")[0]; }
function push(list, html, cls) {
  const li = document.createElement("li"); li.innerHTML = html; if (cls) li.className = cls;
  const ul = $(list); ul.insertBefore(li, ul.firstChild); while (ul.children.length > 40) ul.removeChild(ul.lastChild);
}
function esc(s) { return String(s).replace(/[&<>"]/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c])); }

async function loadTopics() {
  const r = await fetch("/api/v1/tokens");
  const list = await r.json();
  const t = [];
  for (const tok of list) { tokens[tok.token] = tok; t.push(tok.token, tok.token + "/chat"); if (!prices[tok.token]) prices[tok.token] = []; }
  t.push("rewards", "chain");
  try { for (const e of await (await fetch("/api/v1/environments")).json()) t.push("env/" + e.environmentId); } catch (e) {}
  topics = t;
  renderTokens();
}

function connect() {
  setState(attempts === 0 ? "connecting" : "reconnecting (" + attempts + "/" + MAX_ATTEMPTS + ")");
  socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws");
  socket.onopen = async () => {
    if (everOpen) { reconnects++; $("reconnects").textContent = reconnects; }
    everOpen = true; attempts = 0; setState("open");
    try { await loadTopics(); } catch (e) {}
    const since = {}; for (const k in lastSeq) since[k] = lastSeq[k];
    socket.send(JSON.stringify({type: "SUBSCRIBE", data: {topics: topics, since: since}}));
    clearInterval(heartbeat);
    heartbeat = setInterval(() => { if (socket.readyState === 1) socket.send(JSON.stringify({type: "PING"})); }, HEARTBEAT_MS);
  };
  socket.onmessage = ev => {
    let data; try { data = JSON.parse(ev.data); } catch (e) { return; }
    for (const m of (Array.isArray(data) ? data : [data])) handle(m);
  };
  socket.onclose = () => {
    clearInterval(heartbeat);
    if (attempts >= MAX_ATTEMPTS) { setState("closed (gave up after " + MAX_ATTEMPTS + " attempts)"); return; }
    attempts++; setState("reconnecting (" + attempts + "/" + MAX_ATTEMPTS + ")");
    setTimeout(connect, RETRY_MS);
  };
}

function handle(m) {
  if (m.topic && typeof m.seq === "number") {
    if (m.type !== "SNAPSHOT" && lastSeq[m.topic] !== undefined && m.seq <= lastSeq[m.topic]) return;
    lastSeq[m.topic] = m.seq;
  }
  messages++; $("messages").textContent = messages;
  const d = m.data || {};
  switch (m.type) {
    case "SNAPSHOT":
      if (tokens[m.topic]) { tokens[m.topic] = d; addPrice(m.topic, d.slot, d.price); renderTokens(); }
      else if (m.topic === "rewards") { for (const t of d.tiers || []) tiers[t.name] = t.wallets; renderTiers(); }
      else if (m.topic === "chain") { $("duration").textContent = d.durationSlots; $("slot").textContent = d.slot; }
      else if (m.topic.startsWith("env/")) { envs[d.environmentId] = d; renderEnvs(); }
      else if (m.topic.endsWith("/chat")) { for (const c of d.recent || []) push("chat", "<b>" + esc(c.wallet) + "</b> " + esc(c.message)); }
      break;
    case "PRICE_UPDATE":
      addPrice(d.token, d.slot, d.price);
      if (tokens[d.token]) { Object.assign(tokens[d.token], {price: d.price, marketCap: d.marketCap, raised: d.raised}); renderTokens(); }
      break;
    case "TRADE":
      push("tape", d.token + " " + d.side + " " + d.sol + " SOL by " + esc(d.wallet), d.side);
      break;
    case "TOKEN_LAUNCHED": push("tape", "<b>" + esc(d.token) + " launched</b> by " + esc(d.creator)); if (tokens[d.token]) tokens[d.token].status = "trading"; renderTokens(); break;
    case "CURVE_COMPLETED": push("tape", "<b>" + esc(d.token) + " curve complete</b> at slot " + d.slot); if (tokens[d.token]) tokens[d.token].status = "complete"; renderTokens(); break;
    case "CHAT_MESSAGE": push("chat", "<b>" + esc(d.wallet) + "</b> [" + esc(d.token) + "] " + esc(d.message)); break;
    case "VIRTUAL_TRADE":
      envs[d.environmentId] = Object.assign(envs[d.environmentId] || {environmentId: d.environmentId}, {last: d.side + " " + d.amount});
      envs[d.environmentId].trades = (envs[d.environmentId].trades || 0) + 1; renderEnvs(); break;
    case "TIER_CHANGED": tiers[d.from] = Math.max(0, (tiers[d.from] || 0) - 1); tiers[d.to] = (tiers[d.to] || 0) + 1; renderTiers(); break;
    case "SLOT":
      $("slot").textContent = d.slot;
      chainFill.push([d.transactions, d.pending, d.expired]); if (chainFill.length > 200) chainFill.shift();
      $("chainText").textContent = "last slot: " + d.transactions + " tx, " + d.pending + " pending, " + d.expired + " expired";
      drawFill(); break;
  }
}

function addPrice(token, slot, price) {
  if (!prices[token]) prices[token] = [];
  const p = parseFloat(price); if (!isFinite(p)) return;
  const a = prices[token]; if (a.length && a[a.length - 1][0] === slot) a[a.length - 1][1] = p; else a.push([slot, p]);
  if (a.length > 2000) a.shift();
}

function drawChart() {
  const c = $("chart"), g = c.getContext("2d"); g.clearRect(0, 0, c.width, c.height);
  let x0 = Infinity, x1 = -Infinity, y1 = 0;
  for (const t in prices) for (const [x, y] of prices[t]) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
  if (!isFinite(x0) || y1 <= 0) return;
  if (x1 === x0) x1 = x0 + 1;
  let i = 0, legend = "";
  for (const t in prices) {
    const col = colours[i++ % colours.length]; g.strokeStyle = col; g.lineWidth = 2; g.beginPath();
    prices[t].forEach(([x, y], k) => { const px = (x - x0) / (x1 - x0) * (c.width - 10) + 5, py = c.height - 5 - y / y1 * (c.height - 10); k ? g.lineTo(px, py) : g.moveTo(px, py); });
    g.stroke(); legend += '<span style="color:' + col + '">&#9632; ' + esc(t) + "</span> ";
  }
  $("legend").innerHTML = legend;
}
function drawFill() {
  const c = $("fill"), g = c.getContext("2d"); g.clearRect(0, 0, c.width, c.height);
  const max = Math.max(1, ...chainFill.map(f => f[0] + f[1]));
  chainFill.forEach(([tx, pending, expired], i) => {
    const w = c.width / 200, x = i * w, h1 = tx / max * c.height, h2 = pending / max * c.height;
    g.fillStyle = "#4cc3ff"; g.fillRect(x, c.height - h1, w, h1);
    g.fillStyle = "#8a6d1a"; g.fillRect(x, c.height - h1 - h2, w, h2);
    if (expired) { g.fillStyle = "#f0616d"; g.fillRect(x, 0, w, 4); }
  });
}
function renderTokens() {
  $("tokens").innerHTML = "<tr><td>token</td><td>status</td><td class=n>price</td><td class=n>raised</td></tr>" +
    Object.values(tokens).map(t => "<tr><td>" + esc(t.token) + "</td><td>" + esc(t.status || "") + "</td><td class=n>" + esc(t.price) + "</td><td class=n>" + esc(t.raised) + "</td></tr>").join("");
}
function renderTiers() { $("tiers").innerHTML = Object.entries(tiers).map(([k, v]) => "<tr><td>" + esc(k) + "</td><td class=n>" + v + "</td></tr>").join(""); }
function renderEnvs() { $("envs").innerHTML = Object.values(envs).map(e => "<li>env " + e.environmentId + (e.token ? " (" + esc(e.token) + ")" : "") + ": " + (e.trades || 0) + " trades " + esc(e.last || "") + "</li>").join(""); }

async function pollService() {
  try {
    const text = await (await fetch("/metrics")).text(), want = {
      "pumpsim_ws_connections": "connections", "pumpsim_ws_messages_sent_total": "messages sent", "pumpsim_ws_frames_dropped_total": "frames dropped",
      "pumpsim_ws_resumes_total": "reconnects (resumed)", "pumpsim_ws_slow_consumers_total": "slow consumers", "pumpsim_sim_lag_seconds": "lag behind clock, s"};
    const rows = [];
    for (const line of text.split("\n")) { const [k, v] = line.split(" "); if (want[k]) rows.push("<tr><td>" + want[k] + "</td><td class=n>" + v + "</td></tr>"); }
    $("service").innerHTML = rows.join("");
  } catch (e) {}
}
setInterval(drawChart, 500);
setInterval(pollService, 2000);
pollService();
connect();
</script>
</body>
</html>
"""#
}
