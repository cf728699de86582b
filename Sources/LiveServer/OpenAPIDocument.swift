/// openapi.yaml as served at `/openapi.yaml`: a copy of the file at the package root, written by
/// `.ci/embed-openapi` (LiveServerTests check that the two are the same bytes).
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.1.0
info:
  title: PumpSim launch service
  version: 0.3.0
  summary: The simulated FunPump platform's REST API, served by `pumpsim serve`.
  description: |
    Read the live run (tokens, curves, wallets, virtual environments, the run catalog), quote
    trades on a token's current curve, and act as one of the scenario's named wallets: buy,
    sell, claim rewards, chat, join and trade virtual environments, launch a declared token.
    Every action enters the simulation at the next slot and is recorded in the trace, so the
    session replays bit for bit (`pumpsim replay --verify`) and reruns (`pumpsim trace scenario`).

    Amounts are decimal strings: SOL with up to 9 decimals, tokens with up to 6. Unsupported
    methods on a documented path get 405 with `Allow`; every error has a problem+json body. Errors are
    `application/problem+json` (RFC 9457) whose `title` is the program's error name
    (`UnknownWallet`, `BadAmount`, `RateLimited`, `TooMuchSolRequired`, ...).
servers:
  - url: http://127.0.0.1:8080
paths:
  /health:
    get:
      operationId: getHealth
      summary: Whether the run is going, and where it is.
      responses:
        '200':
          description: The service is up.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Health'}
        '429': {$ref: '#/components/responses/RateLimited'}
  /api/v1/tokens:
    get:
      operationId: listTokens
      summary: Every token of the run with its curve state now.
      responses:
        '200':
          description: The tokens, in scenario order.
          content:
            application/json:
              schema:
                type: array
                maxItems: 10000
                items: {$ref: '#/components/schemas/Token'}
        '429': {$ref: '#/components/responses/RateLimited'}
  /api/v1/tokens/{symbol}:
    get:
      operationId: getToken
      summary: One token's curve state, price and holders now.
      parameters:
        - $ref: '#/components/parameters/Symbol'
      responses:
        '200':
          description: The token.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Token'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '429': {$ref: '#/components/responses/RateLimited'}
  /api/v1/tokens/{symbol}/launch:
    post:
      operationId: launchToken
      summary: Launch a token the scenario declares without a launch time (create and initial buy, by its creator).
      parameters:
        - $ref: '#/components/parameters/Symbol'
      responses:
        '202':
          description: The launch enters the simulation at the returned slot.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Accepted'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '409': {$ref: '#/components/responses/Conflict'}
        '429': {$ref: '#/components/responses/RateLimited'}
  /api/v1/tokens/{symbol}/quote:
    get:
      operationId: quoteToken
      summary: Quote a buy (SOL in) or a sell (tokens in) on the token's current curve, fees included.
      parameters:
        - $ref: '#/components/parameters/Symbol'
        - name: side
          in: query
          required: true
          schema: {type: string, enum: [buy, sell]}
        - name: amount
          in: query
          required: true
          description: SOL to spend (buy) or tokens to sell (sell), a decimal string above 0 with at most 6 decimals.
          schema:
            type: string
            pattern: '^(0\.[0-9]{0,5}[1-9]|[1-9][0-9]{0,8}(\.[0-9]{1,6})?)$'
            example: '1.5'

      responses:
        '200':
          description: The quote.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Quote'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '422': {$ref: '#/components/responses/Refused'}
        '429': {$ref: '#/components/responses/RateLimited'}
  /api/v1/buys:
    post:
      operationId: submitBuy
      summary: Spend SOL (fees included) on a token for a named wallet; the buy enters at the next slot.
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/BuyRequest'}
      responses:
        '202':
          description: Accepted; the transaction is submitted at the returned slot (it may still fail on chain).
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Accepted'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '409': {$ref: '#/components/responses/Conflict'}
        '422': {$ref: '#/components/responses/Refused'}
        '429': {$ref: '#/components/responses/RateLimited'}
  /api/v1/sells:
    post:
      operationId: submitSell
      summary: Sell a share of a named wallet's holding of a token; the sell enters at the next slot.
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/SellRequest'}
      responses:
        '202':
          description: Accepted; the transaction is submitted at the returned slot (it may still fail on chain).
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Accepted'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '409': {$ref: '#/components/responses/Conflict'}
        '422': {$ref: '#/components/responses/Refused'}
        '429': {$ref: '#/components/responses/RateLimited'}
  /api/v1/claims:
    post:
      operationId: submitClaim
      summary: Claim a named wallet's accrued rewards.
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/WalletRequest'}
      responses:
        '202':
          description: Accepted at the returned slot.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Accepted'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '409': {$ref: '#/components/responses/Conflict'}
        '422': {$ref: '#/components/responses/Refused'}
        '429': {$ref: '#/components/responses/RateLimited'}
  /api/v1/chat:
    post:
      operationId: postChat
      summary: Post a chat message in a token's room as a named wallet (rate-limited per wallet).
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/ChatRequest'}
      responses:
        '202':
          description: Accepted at the returned slot.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Accepted'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '409': {$ref: '#/components/responses/Conflict'}
        '422': {$ref: '#/components/responses/Refused'}
        '429': {$ref: '#/components/responses/RateLimited'}
  /api/v1/environments:
    get:
      operationId: listEnvironments
      summary: The virtual environments opened so far.
      responses:
        '200':
          description: The environments, by id.
          content:
            application/json:
              schema:
                type: array
                maxItems: 100000
                items: {$ref: '#/components/schemas/Environment'}
        '429': {$ref: '#/components/responses/RateLimited'}
  /api/v1/environments/{symbol}/join:
    post:
      operationId: joinEnvironment
      summary: Join the token's newest virtual environment with its play balance.
      parameters:
        - $ref: '#/components/parameters/Symbol'
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/WalletRequest'}
      responses:
        '202':
          description: Accepted at the returned slot.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Accepted'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '409': {$ref: '#/components/responses/Conflict'}
        '422': {$ref: '#/components/responses/Refused'}
        '429': {$ref: '#/components/responses/RateLimited'}
  /api/v1/environments/{symbol}/buys:
    post:
      operationId: virtualBuy
      summary: Paper-buy in the token's newest virtual environment with play SOL.
      parameters:
        - $ref: '#/components/parameters/Symbol'
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/VirtualBuyRequest'}
      responses:
        '202':
          description: Accepted at the returned slot.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Accepted'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '409': {$ref: '#/components/responses/Conflict'}
        '422': {$ref: '#/components/responses/Refused'}
        '429': {$ref: '#/components/responses/RateLimited'}
  /api/v1/environments/{symbol}/sells:
    post:
      operationId: virtualSell
      summary: Paper-sell a share of the play holding in the token's newest virtual environment.
      parameters:
        - $ref: '#/components/parameters/Symbol'
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/VirtualSellRequest'}
      responses:
        '202':
          description: Accepted at the returned slot.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Accepted'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '409': {$ref: '#/components/responses/Conflict'}
        '422': {$ref: '#/components/responses/Refused'}
        '429': {$ref: '#/components/responses/RateLimited'}
  /api/v1/wallets/{name}:
    get:
      operationId: getWallet
      summary: A named wallet's SOL, token balances, points, tier and claimable rewards.
      parameters:
        - name: name
          in: path
          required: true
          schema: {$ref: '#/components/schemas/WalletName'}
      responses:
        '200':
          description: The wallet.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Wallet'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '404': {$ref: '#/components/responses/NotFound'}
        '429': {$ref: '#/components/responses/RateLimited'}
  /api/v1/runs:
    get:
      operationId: listRuns
      summary: Runs in the catalog, newest first (empty when serving with --no-db).
      parameters:
        - name: limit
          in: query
          required: false
          schema: {type: integer, minimum: 1, maximum: 1000, default: 50}
      responses:
        '200':
          description: The runs.
          content:
            application/json:
              schema:
                type: array
                maxItems: 1000
                items: {$ref: '#/components/schemas/RunEntry'}
        '400': {$ref: '#/components/responses/BadRequest'}
        '429': {$ref: '#/components/responses/RateLimited'}
components:
  parameters:
    Symbol:
      name: symbol
      in: path
      required: true
      schema: {$ref: '#/components/schemas/Symbol'}
  responses:
    BadRequest:
      description: The request does not fit this document (a field, its type or its bounds).
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
    NotFound:
      description: No such token, named wallet or route (`UnknownToken`, `UnknownWallet`, `NotFound`).
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
    Conflict:
      description: The run has ended, or the token is already launched.
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
    Refused:
      description: Well formed, but the run refuses it (no open environment, an amount the curve cannot fill, the chat rate limit).
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
    RateLimited:
      description: Too many requests from this address; try again after `Retry-After` seconds.
      headers:
        Retry-After:
          required: true
          schema: {type: integer, minimum: 1}
      content:
        application/problem+json:
          schema: {$ref: '#/components/schemas/Problem'}
  schemas:
    Symbol:
      type: string
      pattern: '^[A-Za-z0-9]{1,16}$'
      example: TEST
    WalletName:
      type: string
      pattern: '^[A-Za-z0-9_.-]{1,64}$'
      example: alice
    Amount:
      description: SOL as a decimal string, above 0 and at most 1000000.
      type: string
      pattern: '^(0\.[0-9]{0,8}[1-9]|[1-9][0-9]{0,5}(\.[0-9]{1,9})?|1000000)$'
      example: '0.5'
    Problem:
      type: object
      required: [type, title, status, detail]
      properties:
        type: {type: string}
        title: {type: string, description: The program's error name.}
        status: {type: integer}
        detail: {type: string}
        field: {type: string, description: The field at fault.}
    Health:
      type: object
      required: [status, slot, durationSlots, events, connections]
      properties:
        status: {type: string, enum: [running, ended]}
        slot: {type: integer, minimum: 0}
        durationSlots: {type: integer, minimum: 0}
        events: {type: integer, minimum: 0}
        connections: {type: integer, minimum: 0}
    Token:
      type: object
      required: [token, name, status, price, marketCap, raised, holders, slot]
      properties:
        token: {type: string}
        name: {type: string}
        status: {type: string, enum: [pending, trading, complete, migrated]}
        price: {type: string, description: 'Spot price, lamports per whole token (a decimal string).'}
        marketCap: {type: string, description: SOL.}
        raised: {type: string, description: Real SOL in the curve.}
        holders: {type: integer, minimum: 0}
        slot: {type: integer, minimum: 0}
    Quote:
      type: object
      required: [token, side, sol, tokens, priceAfter]
      properties:
        token: {type: string}
        side: {type: string, enum: [buy, sell]}
        sol: {type: string, description: SOL paid (buy) or received (sell), fees included.}
        tokens: {type: string}
        priceAfter: {type: string, description: 'Spot price after the trade, lamports per whole token.'}
    Accepted:
      type: object
      required: [slot]
      properties:
        slot: {type: integer, minimum: 0, description: The slot the command enters at.}
    WalletRequest:
      type: object
      additionalProperties: false
      required: [wallet]
      properties:
        wallet: {$ref: '#/components/schemas/WalletName'}
    BuyRequest:
      type: object
      additionalProperties: false
      required: [wallet, token, sol]
      properties:
        wallet: {$ref: '#/components/schemas/WalletName'}
        token: {$ref: '#/components/schemas/Symbol'}
        sol: {$ref: '#/components/schemas/Amount'}
        slippage_bps: {type: integer, minimum: 1, maximum: 10000}
    SellRequest:
      type: object
      additionalProperties: false
      required: [wallet, token, share_bps]
      properties:
        wallet: {$ref: '#/components/schemas/WalletName'}
        token: {$ref: '#/components/schemas/Symbol'}
        share_bps: {type: integer, minimum: 1, maximum: 10000, description: The share of the holding to sell.}
        slippage_bps: {type: integer, minimum: 1, maximum: 10000}
    ChatRequest:
      type: object
      additionalProperties: false
      required: [wallet, token, message]
      properties:
        wallet: {$ref: '#/components/schemas/WalletName'}
        token: {$ref: '#/components/schemas/Symbol'}
        message: {type: string, minLength: 1, maxLength: 512, pattern: '^[^\u0000-\u001F\u007F-\u009F]+$', description: Text without control characters.}
    VirtualBuyRequest:
      type: object
      additionalProperties: false
      required: [wallet, amount]
      properties:
        wallet: {$ref: '#/components/schemas/WalletName'}
        amount: {$ref: '#/components/schemas/Amount'}
    VirtualSellRequest:
      type: object
      additionalProperties: false
      required: [wallet, share_bps]
      properties:
        wallet: {$ref: '#/components/schemas/WalletName'}
        share_bps: {type: integer, minimum: 1, maximum: 10000}
    Environment:
      type: object
      required: [environmentId, token, participants, trades, price]
      properties:
        environmentId: {type: integer, minimum: 0}
        token: {type: string}
        participants: {type: integer, minimum: 0}
        trades: {type: integer, minimum: 0}
        price: {type: string}
    Wallet:
      type: object
      required: [wallet, sol, tokens, points, tier, claimable]
      properties:
        wallet: {type: string}
        sol: {type: string}
        tokens:
          type: object
          additionalProperties: {type: string}
        points: {type: integer, minimum: 0}
        tier: {type: string}
        claimable: {type: string}
    RunEntry:
      type: object
      required: [id, scenario, seed, status]
      properties:
        id: {type: integer}
        scenario: {type: string}
        seed: {type: integer}
        status: {type: string}
        finalDigest: {type: [string, 'null']}

"""#
}
