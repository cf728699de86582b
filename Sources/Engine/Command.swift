import SimCore
import Ledger

/// An intent: what a wallet (agent or script) wants to happen. `decide` turns it into events.
public enum Command: Sendable, Hashable {
    /// Launch a scenario token (create + initial buy) as its creator.
    case launch(mint: MintID)
    /// Spend `lamports` (fees included) on a token: `buy_exact_sol_in` with `min_tokens_out` from the slippage.
    case buy(wallet: AccountID, mint: MintID, lamports: UInt64, slippageBps: UInt32, priority: UInt64)
    /// Buy exactly `tokens`, paying at most `maxSolCostLamports`.
    case buyTokens(wallet: AccountID, mint: MintID, tokens: UInt64, maxSolCostLamports: UInt64, priority: UInt64)
    /// Sell `tokens` with `min_sol_output` from the slippage.
    case sell(wallet: AccountID, mint: MintID, tokens: UInt64, slippageBps: UInt32, priority: UInt64)
    /// Sell a share of the wallet's holding, bps.
    case sellShare(wallet: AccountID, mint: MintID, shareBps: UInt32, slippageBps: UInt32, priority: UInt64)
    /// Claim accrued rewards.
    case claim(wallet: AccountID, priority: UInt64)
    /// Post a chat message of `bytes` bytes in a token's room.
    case chat(wallet: AccountID, mint: MintID, bytes: UInt32)
    /// Open a virtual environment over a copy of the token's curve as it is now.
    case openEnvironment(mint: MintID, playLamports: UInt64)
    /// Join the newest virtual environment of a token with its play balance.
    case joinEnvironment(mint: MintID, wallet: AccountID)
    /// Paper-trade in the newest virtual environment of a token.
    /// Paper-trade in the newest virtual environment of a token: spend play lamports.
    case virtualBuy(mint: MintID, wallet: AccountID, lamports: UInt64)
    /// Paper-trade: sell a share of the play holding, bps.
    case virtualSell(mint: MintID, wallet: AccountID, shareBps: UInt32)
    /// Airdrop `amount` to each of `count` accounts from `firstRecipient`, `perTx` recipients per
    /// transaction: standard token accounts, or compressed accounts in the state tree.
    case airdrop(wallet: AccountID, mint: MintID, firstRecipient: AccountID, count: UInt32, amount: UInt64,
                 compressed: Bool, perTx: UInt32, priority: UInt64)
    /// Send compressed tokens.
    case compressedTransfer(wallet: AccountID, mint: MintID, to: AccountID, amount: UInt64, priority: UInt64)
    /// Standard balance into a compressed account.
    case compress(wallet: AccountID, mint: MintID, amount: UInt64, priority: UInt64)
    /// Compressed accounts back into the standard balance.
    case decompress(wallet: AccountID, mint: MintID, amount: UInt64, priority: UInt64)
    /// A buy sent as a one-transaction bundle with a tip.
    case bundledBuy(wallet: AccountID, mint: MintID, lamports: UInt64, slippageBps: UInt32, priority: UInt64, tipLamports: UInt64)
    /// A multisig signer proposes a launch or a withdrawal (its own approval counted).
    case propose(multisig: UInt32, proposer: AccountID, action: ProposalAction)
    /// A multisig signer approves proposal `proposal` (numbered within the multisig).
    case approve(multisig: UInt32, proposal: UInt32, signer: AccountID)
}
