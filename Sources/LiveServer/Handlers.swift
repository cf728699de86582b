import Foundation
import Synchronization
import Hummingbird
import HummingbirdWebSocket
import NIOCore
import NIOWebSocket
import SimCore
import Engine
import Sessions

/// The routes: `/ws`, `/api/v1/...`, `/`, `/metrics`, `/health`, `/openapi.yaml`.
final class Handlers: Sendable {
    let run: GuardedRun
    let hub: Hub
    let service: LiveService
    let counters: Counters
    let metrics: LiveMetrics
    let options: LiveServer.Options
    let perIP = Mutex<[String: Int]>([:])

    init(run: GuardedRun, hub: Hub, service: LiveService, counters: Counters, metrics: LiveMetrics, options: LiveServer.Options) {
        self.run = run; self.hub = hub; self.service = service; self.counters = counters; self.metrics = metrics; self.options = options
    }

    func routes(_ router: Router<LiveContext>) throws {
        let metrics = self.metrics, options = self.options, counters = self.counters
        router.get("/") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: Dashboard.html)))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"], body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        router.get("/openapi.yaml") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.yaml)))
        }
        router.ws("/ws", shouldUpgrade: { request, context in
            let ip = context.remoteAddress?.ipAddress ?? "unknown"
            let admitted = self.perIP.withLock { m -> Bool in
                guard m[ip, default: 0] < options.connectionsPerIP else { return false }
                m[ip, default: 0] += 1
                return true
            }
            guard admitted else {
                counters.connectionsRefused.add(1, ordering: .relaxed)
                throw Problem(.tooManyRequests, "TooManyConnections", "at most \(options.connectionsPerIP) connections per address")
            }
            return .upgrade([:])
        }, onUpgrade: { inbound, outbound, context in
            let ip = context.requestContext.remoteAddress?.ipAddress ?? "unknown"
            defer { self.perIP.withLock { m in m[ip, default: 1] -= 1; if m[ip] == 0 { m.removeValue(forKey: ip) } } }
            let sendBuffer = self.options.socketSendBufferBytes
            if sendBuffer > 0 {
                // What the client has not read waits in the connection's write buffer, where the
                // slow-consumer policy and the pacing see it, not in the kernel or in NIO (Options).
                let channel = context.requestContext.channel
                try await channel.setOption(ChannelOptions.socketOption(.so_sndbuf), value: SocketOptionValue(sendBuffer)).get()
                try await channel.setOption(ChannelOptions.writeBufferWaterMark, value: .init(low: sendBuffer / 2, high: sendBuffer)).get()
            }
            try await self.connection(inbound: inbound, outbound: outbound)
        })
        try RESTAPI(handlers: self).register(on: router)
    }

    // MARK: one WebSocket connection

    private func connection(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter) async throws {
        guard let (id, outbox) = hub.connect() else {
            try await outbound.close(.goingAway, reason: "server shutting down")
            return
        }
        counters.connectionsOpened.add(1, ordering: .relaxed)
        defer { hub.disconnect(id) }
        let limiter = RateLimiter(perSecond: options.framesPerSecond)
        let counters = self.counters
        // Three children: the writer, the reader, the idle check. The connection ends when the
        // reader ends (the client closed or broke the socket) or when the writer has sent a close
        // and waited a moment for the client's answer; then the rest is cancelled.
        let idle = options.idleSeconds, hub = self.hub, maxFrame = options.maxFrameBytes, fps = options.framesPerSecond
        await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                while let item = await outbox.next() {
                    switch item {
                    case .text(let t):
                        try await outbound.write(.text(t))
                        counters.framesSent.add(1, ordering: .relaxed)
                        counters.bytesSent.add(t.utf8.count, ordering: .relaxed)
                    case .close(let code, let reason):
                        try await outbound.close(WebSocketErrorCode(codeNumber: Int(code)), reason: reason)
                        try? await Task.sleep(for: .seconds(3))
                        return true
                    }
                }
                return true
            }
            group.addTask {
                do {
                    for try await message in inbound.messages(maxSize: maxFrame) {
                        counters.framesIn.add(1, ordering: .relaxed)
                        if limiter.take("c") != nil {
                            hub.reply(id, Self.error(ActionError("RateLimited", field: "frame", expected: "at most \(fps) frames per second")))
                            continue
                        }
                        switch message {
                        case .text(let text): self.handle(Data(text.utf8), connection: id)
                        case .binary(var buffer): self.handle(Data(buffer.readBytes(length: buffer.readableBytes) ?? []), connection: id)
                        }
                    }
                } catch {
                    // A frame over the limit or a broken socket: the connection ends.
                }
                return true
            }
            // Idle: a connection that has not subscribed to anything within the idle time is closed.
            group.addTask {
                try? await Task.sleep(for: .seconds(idle))
                if !Task.isCancelled && !hub.isSubscribed(id) { outbox.close(code: 1000, reason: "idle: no subscription in \(idle) s") }
                return false
            }
            do {
                while let ends = try await group.next() { if ends { break } }
            } catch {
                // The socket went away under the writer.
            }
            outbox.cancel()
            group.cancelAll()
        }
    }

    static func error(_ e: ActionError) -> String {
        "{\"type\":\"ERROR\",\"data\":\(e.json.serialized())}"
    }

    /// One frame from a client: SUBSCRIBE, UNSUBSCRIBE, PING, or an action.
    private func handle(_ bytes: Data, connection id: Int) {
        guard let frame = ClientValue.decode(bytes)?.object else {
            counters.badFrames.add(1, ordering: .relaxed)
            hub.reply(id, Self.error(ActionError("BadFrame", field: "frame", expected: "a JSON object {\"type\": ..., \"data\": {...}}")))
            return
        }
        guard let type = frame["type"]?.string else {
            counters.badFrames.add(1, ordering: .relaxed)
            hub.reply(id, Self.error(ActionError("MissingField", field: "type", expected: "the frame's type, a string like \"SUBSCRIBE\"")))
            return
        }
        let data = frame["data"]?.object ?? [:]
        if frame["data"] != nil, frame["data"]?.object == nil {
            hub.reply(id, Self.error(ActionError("BadField", field: "data", expected: "an object")))
            return
        }
        switch type.uppercased() {
        case "PING", "HEARTBEAT":
            hub.reply(id, "{\"type\":\"PONG\",\"data\":{}}")
        case "SUBSCRIBE":
            guard case .array(let list)? = data["topics"], !list.isEmpty else {
                hub.reply(id, Self.error(ActionError("MissingField", field: "data.topics", expected: "a list of topics, like [\"TEST\", \"TEST/chat\"]")))
                return
            }
            var topics: [String] = []
            for v in list {
                guard let t = v.string, t.utf8.count <= 64 else {
                    hub.reply(id, Self.error(ActionError("BadField", field: "data.topics", expected: "topic names (strings of at most 64 bytes)")))
                    return
                }
                topics.append(t)
            }
            var since: [String: UInt64] = [:]
            if let s = data["since"] {
                guard let o = s.object else {
                    hub.reply(id, Self.error(ActionError("BadField", field: "data.since", expected: "an object of topic → last seq seen")))
                    return
                }
                for (k, v) in o {
                    guard let n = v.uint else {
                        hub.reply(id, Self.error(ActionError("BadField", field: "data.since.\(k)", expected: "the last seq seen, a whole number")))
                        return
                    }
                    since[k] = n
                }
            }
            let result = run.with { r in
                let known = Set(r.topics)
                return hub.subscribe(id, topics: topics, since: since, known: known, snapshot: { r.snapshot($0) })
            }
            switch result {
            case .ok: break
            case .unknownTopic(let t):
                let known = run.with { $0.topics }
                hub.reply(id, Self.error(ActionError("UnknownTopic", field: "data.topics",
                                                     expected: "topics of this run (\(known.prefix(12).joined(separator: ", "))), not \"\(TerminalText.escaped(t))\"")))
            case .tooMany(let n):
                hub.reply(id, Self.error(ActionError("TooManySubscriptions", field: "data.topics", expected: "at most \(n) topics per connection")))
            }
        case "VOICE_COMMAND":
            guard let wallet = data["wallet"]?.string, let text = data["text"]?.string else {
                hub.reply(id, Self.error(ActionError("MissingField", field: data["wallet"]?.string == nil ? "data.wallet" : "data.text",
                                                     expected: "VOICE_COMMAND carries data.wallet (a named wallet) and data.text (the transcript)")))
                return
            }
            guard text.unicodeScalars.count <= 2_000 else {
                hub.reply(id, Self.error(ActionError("BadField", field: "data.text", expected: "a transcript of at most 2000 characters")))
                return
            }
            let outcome = run.with { $0.submitVoice(wallet: wallet, text: text) }
            if outcome.accepted { counters.inputsAccepted.add(1, ordering: .relaxed) }
            else if outcome.error != nil { counters.inputsRefused.add(1, ordering: .relaxed) }
            hub.reply(id, "{\"type\":\"VOICE_REPLY\",\"data\":\(outcome.json.serialized())}")
        case "UNSUBSCRIBE":
            let topics = (data["topics"].flatMap { v -> [String]? in if case .array(let a) = v { return a.compactMap(\.string) } else { return nil } }) ?? []
            hub.unsubscribe(id, topics: topics)
        default:
            switch ClientAction.parse(type: type.uppercased(), data: data) {
            case .failure(let e):
                counters.inputsRefused.add(1, ordering: .relaxed)
                hub.reply(id, Self.error(e))
            case .success(let action):
                switch run.with({ $0.submit(action, source: .websocket) }) {
                case .failure(let e):
                    counters.inputsRefused.add(1, ordering: .relaxed)
                    hub.reply(id, Self.error(e))
                case .success(let slot):
                    counters.inputsAccepted.add(1, ordering: .relaxed)
                    hub.reply(id, "{\"type\":\"ACCEPTED\",\"data\":{\"request\":\(JSON.string(type.uppercased()).serialized()),\"slot\":\(slot)}}")
                }
            }
        }
    }
}
