/// Buy, sell, quote, price and paper trades.
extension Parse {
    func buy() -> VoiceCommand {
        let all = amounts()
        if isRange(all) { return asking(.buy, "Which amount exactly?") }
        var c = VoiceCommand(intent: .buy)
        switch (token(amounts: all), slippage(all)) {
        case (.failure(let a), _), (_, .failure(let a)): return asking(.buy, a.question)
        case (.success(let tk), .success(let s)): c.token = tk; c.slippageBps = s
        }
        let sols = all.filter { $0.unit == .sol }, plains = all.filter { $0.unit == .plain }
        guard !all.contains(where: { $0.isZero && $0.unit != .percent }), !all.contains(where: { $0.unit == .share }) else {
            return asking(.buy, "How much SOL of \(c.token!) do you want to buy?")
        }
        switch (sols.count, plains.count) {
        case (1, 0):
            guard let sol = sols[0].number.decimal(scale: 9) else { return asking(.buy, "How much SOL, to at most 9 decimals?") }
            c.sol = sol
        case (1, 1):
            guard let sol = sols[0].number.decimal(scale: 9), let n = plains[0].number.decimal(scale: 6) else {
                return asking(.buy, "How many \(c.token!), and for at most how much SOL?")
            }
            c.tokens = n; c.sol = sol
        case (0, 1):
            return asking(.buy, "What is the most SOL you would pay for those \(c.token!)?")
        default:
            return asking(.buy, "How much SOL of \(c.token!) do you want to buy?")
        }
        return c
    }

    func sell() -> VoiceCommand {
        let all = amounts()
        if isRange(all) { return asking(.sell, "Which amount exactly?") }
        var c = VoiceCommand(intent: .sell)
        switch (token(amounts: all), slippage(all), share(all)) {
        case (.failure(let a), _, _), (_, .failure(let a), _), (_, _, .failure(let a)): return asking(.sell, a.question)
        case (.success(let tk), .success(let s), .success(let share)):
            c.token = tk; c.slippageBps = s
            let plains = all.filter { $0.unit == .plain }
            guard !all.contains(where: { $0.unit == .sol }) else { return asking(.sell, "Sell how many \(tk), or what share of your \(tk)?") }
            switch (share, plains.count) {
            case (let b?, 0) where b > 0: c.shareBps = b
            case (nil, 1) where !plains[0].isZero:
                guard let n = plains[0].number.decimal(scale: 6) else { return asking(.sell, "How many \(tk), to at most 6 decimals?") }
                c.tokens = n
            default: return asking(.sell, "How much of your \(tk) do you want to sell: a number of tokens, or a share like half?")
            }
        }
        return c
    }

    static let quoteCues: [[String]] = [
        ["quote"], ["how", "much"], ["how", "many"], ["what", "would"], ["what", "will"], ["whatll"], ["whatd"], ["what", "do", "i", "get"],
        ["if", "i", "buy"], ["if", "i", "sell"], ["if", "i", "bought"], ["if", "i", "sold"], ["estimate"], ["preview"], ["simulate"],
    ]
    static let priceCues: [[String]] = [
        ["price"], ["worth"], ["trading", "at"], ["cost"], ["costs"], ["going", "for"], ["value"], ["how", "much", "is"], ["how", "much", "are"],
        ["hows"], ["how", "is"], ["priced"],
    ]

    /// A quote ("how much TEST for one sol") or a price ("what's the price of TEST"); nil when
    /// the text asks neither.
    func quoteOrPrice() -> VoiceCommand? {
        let all = amounts()
        let sols = all.filter { $0.unit == .sol }, plains = all.filter { $0.unit == .plain }
        let quoteCue = Self.quoteCues.contains(where: has(phrase:))
        let priceCue = Self.priceCues.contains(where: has(phrase:))
        if quoteCue && (!sols.isEmpty || !plains.isEmpty) {
            if isRange(all) { return asking(.quote, "Which amount exactly?") }
            var c = VoiceCommand(intent: .quote)
            switch token(amounts: all) {
            case .failure(let a): return asking(.quote, a.question)
            case .success(let tk): c.token = tk
            }
            switch (sols.count, plains.count) {
            case (1, 0) where !sols[0].isZero:
                guard let s = sols[0].number.decimal(scale: 9) else { return asking(.quote, "How much SOL?") }
                c.sol = s
            case (0, 1) where !plains[0].isZero:
                guard let n = plains[0].number.decimal(scale: 6) else { return asking(.quote, "How many tokens?") }
                c.tokens = n
            default: return asking(.quote, "A quote for how much: SOL to spend, or tokens to sell?")
            }
            return c
        }
        if priceCue && buyIndex == nil && sellIndex == nil {
            var c = VoiceCommand(intent: .price)
            switch token(amounts: all) {
            case .failure(let a): return asking(.price, a.question)
            case .success(let tk): c.token = tk
            }
            return c
        }
        if has("quote") || (quoteCue && !priceCue && buyIndex == nil && sellIndex == nil) {
            return asking(.quote, "A quote for how much: SOL to spend, or tokens to sell?")
        }
        return nil
    }

    static let joinVerbs: Set<String> = ["join", "enter", "open", "hop", "jump", "start", "begin", "into"]

    /// A paper trade or joining a paper room; nil when the paper words go with no such command.
    func paper() -> VoiceCommand? {
        let all = amounts()
        let sols = all.filter { $0.unit == .sol }, plains = all.filter { $0.unit == .plain }
        let b = buyIndex, s = sellIndex
        let intent: VoiceCommand.Intent
        switch (b, s) {
        case (let b?, let s?): return asking(b < s ? .virtualBuy : .virtualSell, "Paper-buy or paper-sell? Say one of them.")
        case (_?, nil): intent = .virtualBuy
        case (nil, _?): intent = .virtualSell
        default:
            guard hasAny(Self.joinVerbs) || hasAny(["room", "trading", "mode", "session"]) else { return nil }
            intent = .joinEnvironment
        }
        if isRange(all) { return asking(intent, "Which amount exactly?") }
        var c = VoiceCommand(intent: intent)
        switch token(amounts: all) {
        case .failure(let a): return asking(intent, a.question)
        case .success(let tk): c.token = tk
        }
        let tk = c.token!
        switch intent {
        case .joinEnvironment:
            guard plains.isEmpty, sols.count <= 1, !(sols.first?.isZero ?? false) else { return asking(intent, "With how much play SOL?") }
            c.sol = sols.first?.number.decimal(scale: 9)
            if !sols.isEmpty && c.sol == nil { return asking(intent, "With how much play SOL?") }
        case .virtualBuy:
            guard sols.count == 1, plains.isEmpty, !sols[0].isZero, let sol = sols[0].number.decimal(scale: 9) else {
                return asking(intent, "How much play SOL of \(tk) do you want to paper-buy?")
            }
            c.sol = sol
        default:
            guard case .success(let share?) = share(all), share > 0, plains.isEmpty, sols.isEmpty else {
                return asking(intent, "What share of your paper \(tk) do you want to sell, like half or all?")
            }
            c.shareBps = share
        }
        return c
    }
}
