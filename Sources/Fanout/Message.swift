import SimCore

/// The platform's WebSocket message types.
public enum MessageKind: UInt8, Sendable, Hashable, CaseIterable {
    case priceUpdate = 0
    case virtualTrade = 1
    case chatMessage = 2
    case trade = 3

    /// The `type` field on the wire.
    public var wireName: String {
        switch self {
        case .priceUpdate: return "PRICE_UPDATE"
        case .virtualTrade: return "VIRTUAL_TRADE"
        case .chatMessage: return "CHAT_MESSAGE"
        case .trade: return "TRADE"
        }
    }
}

/// One message published to a topic: when the underlying event happened, and its size on the wire.
public struct Message: Sendable, Hashable {
    /// Simulated time of the event the message reports, microseconds since the run began.
    public var timeMicros: UInt64
    /// Topic index (per token, then per virtual environment).
    public var topic: UInt32
    public var kind: MessageKind
    /// Encoded payload bytes.
    public var bytes: UInt32

    public init(timeMicros: UInt64, topic: UInt32, kind: MessageKind, bytes: UInt32) {
        self.timeMicros = timeMicros; self.topic = topic; self.kind = kind; self.bytes = bytes
    }
}

/// How messages are encoded on the wire.
public enum WireEncoding: String, Sendable, Hashable, CaseIterable {
    /// `{"type":"PRICE_UPDATE","data":{...}}` as UTF-8 JSON.
    case json
    /// A compact binary form: kind byte, then varint fields.
    case binary
}

/// Builds the platform's messages as real bytes, so sizes are honest.
public enum MessageEncoder {
    /// A price update for a token: price in nanolamports per token, market cap and SOL raised in lamports.
    public static func priceUpdate(token: String, priceNanos: UInt64, marketCapLamports: UInt64, raisedLamports: UInt64,
                                   tick: UInt64, encoding: WireEncoding) -> [UInt8] {
        switch encoding {
        case .json:
            return Array(JSON.object([
                ("type", .string(MessageKind.priceUpdate.wireName)),
                ("data", .object([("token", .string(token)), ("price", .decimal(priceNanos, scale: 9)),
                                  ("marketCap", .decimal(marketCapLamports, scale: 9)), ("raised", .decimal(raisedLamports, scale: 9)),
                                  ("slot", .uint(tick))])),
            ]).serialized().utf8)
        case .binary:
            return binary(.priceUpdate, [UInt64(token.utf8.count), priceNanos, marketCapLamports, raisedLamports, tick]) + Array(token.utf8)
        }
    }

    /// A landed trade: the wallet, side, SOL with fees, tokens, slot and transaction id.
    public static func trade(token: String, wallet: UInt32, buy: Bool, solLamports: UInt64, tokens: UInt64, tick: UInt64, tx: UInt64,
                             encoding: WireEncoding) -> [UInt8] {
        switch encoding {
        case .json:
            return Array(JSON.object([
                ("type", .string(MessageKind.trade.wireName)),
                ("data", .object([("token", .string(token)), ("wallet", .uint(UInt64(wallet))), ("side", .string(buy ? "buy" : "sell")),
                                  ("sol", .decimal(solLamports, scale: 9)), ("tokens", .decimal(tokens, scale: 6)),
                                  ("slot", .uint(tick)), ("tx", .uint(tx))])),
            ]).serialized().utf8)
        case .binary:
            return binary(.trade, [UInt64(token.utf8.count), UInt64(wallet), buy ? 1 : 0, solLamports, tokens, tick, tx]) + Array(token.utf8)
        }
    }

    /// A paper trade in a virtual environment.
    public static func virtualTrade(environment: UInt32, wallet: UInt32, buy: Bool, amountLamports: UInt64, tokens: UInt64,
                                    encoding: WireEncoding) -> [UInt8] {
        switch encoding {
        case .json:
            return Array(JSON.object([
                ("type", .string(MessageKind.virtualTrade.wireName)),
                ("data", .object([("environmentId", .uint(UInt64(environment))), ("wallet", .uint(UInt64(wallet))),
                                  ("side", .string(buy ? "buy" : "sell")), ("amount", .decimal(amountLamports, scale: 9)),
                                  ("tokens", .decimal(tokens, scale: 6))])),
            ]).serialized().utf8)
        case .binary:
            return binary(.virtualTrade, [UInt64(environment), UInt64(wallet), buy ? 1 : 0, amountLamports, tokens])
        }
    }

    /// A chat message of `textBytes` characters in a token's room.
    public static func chatMessage(token: String, wallet: UInt32, textBytes: UInt32, encoding: WireEncoding) -> [UInt8] {
        let text = String(repeating: "x", count: Int(textBytes))
        switch encoding {
        case .json:
            return Array(JSON.object([
                ("type", .string(MessageKind.chatMessage.wireName)),
                ("data", .object([("token", .string(token)), ("wallet", .uint(UInt64(wallet))), ("message", .string(text))])),
            ]).serialized().utf8)
        case .binary:
            return binary(.chatMessage, [UInt64(wallet), UInt64(textBytes)]) + Array(token.utf8) + Array(text.utf8)
        }
    }

    static func binary(_ kind: MessageKind, _ fields: [UInt64]) -> [UInt8] {
        var out: [UInt8] = [kind.rawValue]
        for f in fields {
            var x = f
            while x >= 0x80 { out.append(UInt8(truncatingIfNeeded: x) | 0x80); x >>= 7 }
            out.append(UInt8(x))
        }
        return out
    }
}
