import Foundation
import Hummingbird
import OpenAPIRuntime
import OpenAPIHummingbird
import SimCore
import Engine
import Sessions
import API

/// The REST API (`openapi.yaml`): the generated server's protocol, answered from the live run.
/// Reads come from the run's state now; actions go through `LiveRun.submit`, the same checks as
/// the WebSocket frames, and enter at the next slot.
struct RESTAPI: APIProtocol {
    let handlers: Handlers
    var run: GuardedRun { handlers.run }

    /// Paths in openapi.yaml are absolute (/api/v1/..., /health): the handlers go on the router itself.
    func register(on router: Router<LiveContext>) throws {
        try registerHandlers(on: router)
    }

    // MARK: helpers

    /// Our JSON through the generated Codable type (what the document says the body is).
    private func typed<T: Decodable>(_ j: JSON) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(Self.decimalsAsStrings(j).serialized().utf8))
    }

    /// The REST API writes amounts as decimal strings (exact in any client), where the WebSocket
    /// messages write them as JSON numbers.
    static func decimalsAsStrings(_ j: JSON) -> JSON {
        switch j {
        case .number(let text): return .string(text)
        case .object(let f): return .object(f.map { ($0.0, decimalsAsStrings($0.1)) })
        case .array(let a): return .array(a.map(decimalsAsStrings))
        default: return j
        }
    }

    private func problem(_ status: Int, _ e: ActionError) -> Components.Schemas.Problem {
        .init(_type: "https://pumpsim.dev/errors/\(e.code)", title: e.code, status: status, detail: "\(e.field): expected \(e.expected)", field: e.field)
    }

    private func problem(_ status: Int, _ code: String, _ detail: String) -> Components.Schemas.Problem {
        .init(_type: "https://pumpsim.dev/errors/\(code)", title: code, status: status, detail: detail)
    }

    /// How a refused action maps to a status: the run over is a conflict, the rest is unprocessable.
    private enum Refusal { case conflict(Components.Schemas.Problem), refused(Components.Schemas.Problem), notFound(Components.Schemas.Problem) }
    private func refusal(_ e: ActionError) -> Refusal {
        if e.code == "UnknownWallet" || e.code == "UnknownToken" { return .notFound(problem(404, e)) }
        return e.code == "RunEnded" || e.code == "AlreadyLaunched" ? .conflict(problem(409, e)) : .refused(problem(422, e))
    }

    private func submit(_ action: ClientAction) -> Swift.Result<Components.Schemas.Accepted, ActionError> {
        let r = run.with { $0.submit(action, source: .api) }
        switch r {
        case .success(let slot):
            handlers.counters.inputsAccepted.add(1, ordering: .relaxed)
            return .success(.init(slot: Int(slot)))
        case .failure(let e):
            handlers.counters.inputsRefused.add(1, ordering: .relaxed)
            return .failure(e)
        }
    }

    // MARK: operations

    func getHealth(_ input: Operations.GetHealth.Input) async throws -> Operations.GetHealth.Output {
        let (tick, duration, events) = run.with { ($0.tick, $0.config.durationTicks, $0.events) }
        return .ok(.init(body: .json(.init(status: handlers.service.hasEnded ? .ended : .running, slot: Int(tick), durationSlots: Int(duration),
                                           events: Int(events), connections: handlers.hub.connectionCount))))
    }

    func listTokens(_ input: Operations.ListTokens.Input) async throws -> Operations.ListTokens.Output {
        let list = run.with { r in r.config.tokens.indices.map { r.token(MintID($0)) } }
        return .ok(.init(body: .json(try typed(.array(list)))))
    }

    func getToken(_ input: Operations.GetToken.Input) async throws -> Operations.GetToken.Output {
        let symbol = input.path.symbol
        guard let t = run.with({ r in r.mint(symbol: symbol).map { r.token($0) } }) else {
            return .notFound(.init(body: .applicationProblemJson(problem(404, "UnknownToken", "no token \(symbol) in this run"))))
        }
        return .ok(.init(body: .json(try typed(t))))
    }

    func launchToken(_ input: Operations.LaunchToken.Input) async throws -> Operations.LaunchToken.Output {
        let symbol = input.path.symbol
        let r = run.with { r -> Swift.Result<Tick, ActionError>? in
            guard let m = r.mint(symbol: symbol) else { return nil }
            return r.submitLaunch(m, source: .api)
        }
        switch r {
        case nil: return .notFound(.init(body: .applicationProblemJson(problem(404, "UnknownToken", "no token \(symbol) in this run"))))
        case .success(let slot)?: return .accepted(.init(body: .json(.init(slot: Int(slot)))))
        case .failure(let e)?:
            return .conflict(.init(body: .applicationProblemJson(problem(409, e))))
        }
    }

    func quoteToken(_ input: Operations.QuoteToken.Input) async throws -> Operations.QuoteToken.Output {
        let symbol = input.path.symbol
        guard run.with({ $0.mint(symbol: symbol) }) != nil else {
            return .notFound(.init(body: .applicationProblemJson(problem(404, "UnknownToken", "no token \(symbol) in this run"))))
        }
        switch run.with({ $0.quote(symbol: symbol, side: input.query.side.rawValue, amount: input.query.amount) }) {
        case .success(let q): return .ok(.init(body: .json(try typed(q))))
        case .failure(let e) where e.code == "BadAmount": return .badRequest(.init(body: .applicationProblemJson(problem(400, e))))
        case .failure(let e): return .unprocessableContent(.init(body: .applicationProblemJson(problem(422, e))))
        }
    }

    func submitBuy(_ input: Operations.SubmitBuy.Input) async throws -> Operations.SubmitBuy.Output {
        guard case .json(let b) = input.body else { throw Problem(.badRequest, "BadBody", "expected application/json") }
        switch submit(.buy(wallet: b.wallet, token: b.token, sol: b.sol, slippageBps: b.slippageBps.map { UInt64(clamping: $0) })) {
        case .success(let a): return .accepted(.init(body: .json(a)))
        case .failure(let e) where e.code.hasPrefix("Bad"): return .badRequest(.init(body: .applicationProblemJson(problem(400, e))))
        case .failure(let e):
            switch refusal(e) {
            case .conflict(let p): return .conflict(.init(body: .applicationProblemJson(p)))
            case .refused(let p): return .unprocessableContent(.init(body: .applicationProblemJson(p)))
            case .notFound(let p): return .notFound(.init(body: .applicationProblemJson(p)))
            }
        }
    }

    func submitSell(_ input: Operations.SubmitSell.Input) async throws -> Operations.SubmitSell.Output {
        guard case .json(let b) = input.body else { throw Problem(.badRequest, "BadBody", "expected application/json") }
        switch submit(.sell(wallet: b.wallet, token: b.token, tokens: nil, shareBps: UInt64(clamping: b.shareBps),
                            slippageBps: b.slippageBps.map { UInt64(clamping: $0) })) {
        case .success(let a): return .accepted(.init(body: .json(a)))
        case .failure(let e) where e.code.hasPrefix("Bad"): return .badRequest(.init(body: .applicationProblemJson(problem(400, e))))
        case .failure(let e):
            switch refusal(e) {
            case .conflict(let p): return .conflict(.init(body: .applicationProblemJson(p)))
            case .refused(let p): return .unprocessableContent(.init(body: .applicationProblemJson(p)))
            case .notFound(let p): return .notFound(.init(body: .applicationProblemJson(p)))
            }
        }
    }

    func submitClaim(_ input: Operations.SubmitClaim.Input) async throws -> Operations.SubmitClaim.Output {
        guard case .json(let b) = input.body else { throw Problem(.badRequest, "BadBody", "expected application/json") }
        switch submit(.claim(wallet: b.wallet)) {
        case .success(let a): return .accepted(.init(body: .json(a)))
        case .failure(let e):
            switch refusal(e) {
            case .conflict(let p): return .conflict(.init(body: .applicationProblemJson(p)))
            case .refused(let p): return .unprocessableContent(.init(body: .applicationProblemJson(p)))
            case .notFound(let p): return .notFound(.init(body: .applicationProblemJson(p)))
            }
        }
    }

    func postChat(_ input: Operations.PostChat.Input) async throws -> Operations.PostChat.Output {
        guard case .json(let b) = input.body else { throw Problem(.badRequest, "BadBody", "expected application/json") }
        switch submit(.chat(wallet: b.wallet, token: b.token, message: b.message)) {
        case .success(let a): return .accepted(.init(body: .json(a)))
        case .failure(let e) where e.code == "RateLimited":
            let retry = run.with { $0.chatRetrySeconds }
            return .tooManyRequests(.init(headers: .init(retryAfter: retry), body: .applicationProblemJson(problem(429, e))))
        case .failure(let e) where e.code == "BadMessage": return .badRequest(.init(body: .applicationProblemJson(problem(400, e))))
        case .failure(let e):
            switch refusal(e) {
            case .conflict(let p): return .conflict(.init(body: .applicationProblemJson(p)))
            case .refused(let p): return .unprocessableContent(.init(body: .applicationProblemJson(p)))
            case .notFound(let p): return .notFound(.init(body: .applicationProblemJson(p)))
            }
        }
    }

    func listEnvironments(_ input: Operations.ListEnvironments.Input) async throws -> Operations.ListEnvironments.Output {
        let list = run.with { r in r.environmentTopics.compactMap { r.snapshot($0) } }
        return .ok(.init(body: .json(try typed(.array(list)))))
    }

    func joinEnvironment(_ input: Operations.JoinEnvironment.Input) async throws -> Operations.JoinEnvironment.Output {
        guard case .json(let b) = input.body else { throw Problem(.badRequest, "BadBody", "expected application/json") }
        let symbol = input.path.symbol
        guard run.with({ $0.mint(symbol: symbol) }) != nil else {
            return .notFound(.init(body: .applicationProblemJson(problem(404, "UnknownToken", "no token \(symbol) in this run"))))
        }
        switch submit(.joinEnvironment(wallet: b.wallet, token: symbol)) {
        case .success(let a): return .accepted(.init(body: .json(a)))
        case .failure(let e):
            switch refusal(e) {
            case .conflict(let p): return .conflict(.init(body: .applicationProblemJson(p)))
            case .refused(let p): return .unprocessableContent(.init(body: .applicationProblemJson(p)))
            case .notFound(let p): return .notFound(.init(body: .applicationProblemJson(p)))
            }
        }
    }

    func virtualBuy(_ input: Operations.VirtualBuy.Input) async throws -> Operations.VirtualBuy.Output {
        guard case .json(let b) = input.body else { throw Problem(.badRequest, "BadBody", "expected application/json") }
        let symbol = input.path.symbol
        guard run.with({ $0.mint(symbol: symbol) }) != nil else {
            return .notFound(.init(body: .applicationProblemJson(problem(404, "UnknownToken", "no token \(symbol) in this run"))))
        }
        switch submit(.virtualBuy(wallet: b.wallet, token: symbol, sol: b.amount)) {
        case .success(let a): return .accepted(.init(body: .json(a)))
        case .failure(let e) where e.code.hasPrefix("Bad"): return .badRequest(.init(body: .applicationProblemJson(problem(400, e))))
        case .failure(let e):
            switch refusal(e) {
            case .conflict(let p): return .conflict(.init(body: .applicationProblemJson(p)))
            case .refused(let p): return .unprocessableContent(.init(body: .applicationProblemJson(p)))
            case .notFound(let p): return .notFound(.init(body: .applicationProblemJson(p)))
            }
        }
    }

    func virtualSell(_ input: Operations.VirtualSell.Input) async throws -> Operations.VirtualSell.Output {
        guard case .json(let b) = input.body else { throw Problem(.badRequest, "BadBody", "expected application/json") }
        let symbol = input.path.symbol
        guard run.with({ $0.mint(symbol: symbol) }) != nil else {
            return .notFound(.init(body: .applicationProblemJson(problem(404, "UnknownToken", "no token \(symbol) in this run"))))
        }
        switch submit(.virtualSell(wallet: b.wallet, token: symbol, shareBps: UInt64(clamping: b.shareBps))) {
        case .success(let a): return .accepted(.init(body: .json(a)))
        case .failure(let e) where e.code.hasPrefix("Bad"): return .badRequest(.init(body: .applicationProblemJson(problem(400, e))))
        case .failure(let e):
            switch refusal(e) {
            case .conflict(let p): return .conflict(.init(body: .applicationProblemJson(p)))
            case .refused(let p): return .unprocessableContent(.init(body: .applicationProblemJson(p)))
            case .notFound(let p): return .notFound(.init(body: .applicationProblemJson(p)))
            }
        }
    }

    func getWallet(_ input: Operations.GetWallet.Input) async throws -> Operations.GetWallet.Output {
        let name = input.path.name
        guard let w = run.with({ $0.wallet(name) }) else {
            return .notFound(.init(body: .applicationProblemJson(problem(404, "UnknownWallet", "no named wallet \(name) in this scenario"))))
        }
        return .ok(.init(body: .json(try typed(w))))
    }

    func listRuns(_ input: Operations.ListRuns.Input) async throws -> Operations.ListRuns.Output {
        let limit = input.query.limit ?? 50
        guard (1...1_000).contains(limit) else {
            return .badRequest(.init(body: .applicationProblemJson(problem(400, ActionError("BadField", field: "limit", expected: "1 to 1000")))))
        }
        guard let path = handlers.options.run.catalogPath else { return .ok(.init(body: .json([]))) }
        let runs = (try? RunsSession.list(catalog: path, scenario: nil, limit: limit)) ?? []
        let list: [JSON] = runs.map {
            .object([("id", .int($0.id)), ("scenario", .string($0.scenarioName)), ("seed", .uint($0.seed)), ("status", .string($0.outcome)),
                     ("finalDigest", $0.finalDigest.map { .string($0) } ?? .null)])
        }
        return .ok(.init(body: .json(try typed(.array(list)))))
    }
}
