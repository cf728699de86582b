import Foundation
import NIOCore
import NIOHTTP1
import NIOWebSocket

/// One connection's WebSocket session, on its event loop: every frame is counted where it
/// arrives, with no hop to a task and no allocation per frame (a load generator must cost less
/// than the server it measures). Answers pings, completes the close handshake, reassembles
/// fragmented messages when it needs their payload (latency), and ends the session at `end`.
final class LoadHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    struct Setup {
        let connection: Int
        let end: UInt64
        let scanner: FieldScanner?
        let recorder: Recorder
        let aborted: Flag
        let opened: Stamp
        let closedByServer: Flag
        let elapsed: @Sendable () -> UInt64
    }

    private let s: Setup
    private var first = true
    private var closing = false
    /// A fragmented message's frames so far (only kept when the payload is scanned).
    private var pending: ByteBuffer?
    private var pendingFrames = 0
    private var pendingBytes = 0
    private var latencies: [UInt64] = []
    private var ender: Scheduled<Void>?

    init(_ s: Setup) { self.s = s }

    func handlerAdded(context: ChannelHandlerContext) {
        let t = s.elapsed()
        s.opened.store(t)
        s.recorder.opened()
        scheduleEnd(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        ender?.cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        ender?.cancel()
        s.recorder.closed()
        context.fireChannelInactive()
    }

    /// Checks at most every 200 ms whether the session is over (its end, or an abort).
    private func scheduleEnd(_ context: ChannelHandlerContext) {
        let now = s.elapsed()
        if now >= s.end || s.aborted.isSet { close(context, code: .normalClosure); return }
        let wait = min(s.end - now, 200_000)
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        ender = context.eventLoop.scheduleTask(in: .microseconds(Int64(wait))) {
            let (h, c) = loopBound.value
            h.scheduleEnd(c)
        }
    }

    /// Sends a close frame; the server's answer (or a 2 s timeout) closes the channel.
    private func close(_ context: ChannelHandlerContext, code: WebSocketErrorCode) {
        guard !closing else { return }
        closing = true
        var data = context.channel.allocator.buffer(capacity: 2)
        data.write(webSocketErrorCode: code)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: data)), promise: nil)
        context.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary, .continuation:
            received(frame, context)
        case .ping:
            context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .pong, maskKey: .random(), data: frame.unmaskedData)), promise: nil)
        case .connectionClose:
            if closing {
                context.close(promise: nil)
            } else {
                // The server ends the session: answer its close, then the channel closes.
                s.closedByServer.set()
                closing = true
                var data = frame.unmaskedData
                let code = data.readSlice(length: min(2, data.readableBytes)) ?? ByteBuffer()
                context.writeAndFlush(wrapOutboundOut(WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: .random(), data: code)))
                    .whenComplete { _ in context.close(promise: nil) }
            }
        default:
            break
        }
    }

    private func received(_ frame: WebSocketFrame, _ context: ChannelHandlerContext) {
        let payload = frame.length
        let header = wireBytes(payload: payload, masked: frame.maskKey != nil) - payload
        let now = s.elapsed()
        if first {
            first = false
            s.recorder.trend(s.connection, "ws_time_to_first_msg", micros: now - min(s.opened.value, now))
        }
        if !frame.fin || pendingFrames > 0 {
            // A fragment: count the message when its last frame arrives.
            pendingFrames += 1
            pendingBytes += payload + header
            if s.scanner != nil {
                var data = frame.unmaskedData
                if pending == nil { pending = context.channel.allocator.buffer(capacity: payload) }
                pending!.writeBuffer(&data)
            }
            guard frame.fin else { return }
            let whole = pending
            pending = nil
            let frames = pendingFrames, bytes = pendingBytes
            pendingFrames = 0
            pendingBytes = 0
            record(whole, frames: frames, bytes: bytes, at: now)
        } else {
            record(s.scanner == nil ? nil : frame.unmaskedData, frames: 1, bytes: payload + header, at: now)
        }
    }

    private func record(_ data: ByteBuffer?, frames: Int, bytes: Int, at now: UInt64) {
        latencies.removeAll(keepingCapacity: true)
        var messages = 1
        if let scanner = s.scanner, let data {
            let wall = LoadGenerator.unixMicros()
            messages = data.withUnsafeReadableBytes { raw in
                scanner.scan(raw) { ts in latencies.append(wall >= ts ? wall - ts : 0) }
            }
        }
        s.recorder.message(s.connection, second: Int(now / 1_000_000), frames: frames, messages: messages, bytes: bytes, latencies: latencies)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}

/// A frame's size on the wire: its payload, the 2-byte header, the extended length, the mask key.
func wireBytes(payload n: Int, masked: Bool) -> Int {
    n + 2 + (n <= 125 ? 0 : n <= 65_535 ? 2 : 8) + (masked ? 4 : 0)
}

/// Sends the upgrade request (GET with the WebSocket headers the upgrader adds).
func upgradeRequest(host: String, port: Int, path: String) -> HTTPRequestHead {
    var headers = HTTPHeaders()
    headers.add(name: "Host", value: "\(host):\(port)")
    headers.add(name: "User-Agent", value: "pumpsim-loadtest")
    headers.add(name: "Content-Length", value: "0")
    return HTTPRequestHead(version: .http1_1, method: .GET, uri: path, headers: headers)
}
