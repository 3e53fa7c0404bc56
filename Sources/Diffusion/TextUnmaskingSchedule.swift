// TextUnmaskingSchedule.swift: how many tokens each step reveals and how the masked region is cut
// into semi-autoregressive blocks (LLaDA, Nie et al. 2025, generate.py: get_num_transfer_tokens and
// the block loop). Under the linear schedule alpha_t = 1 - t, a block with m masks and s steps
// reveals m / s tokens per step, the remainder going to the first steps.

import Core

public enum TextUnmaskingSchedule {
    /// Tokens to reveal at each of `steps` steps for `masked` masked positions (sums to `masked`).
    public static func counts(masked: Int, steps: Int) -> [Int] {
        precondition(steps >= 1 && masked >= 0)
        let base = masked / steps, extra = masked % steps
        return (0..<steps).map { base + ($0 < extra ? 1 : 0) }
    }

    /// Steps given to each of `blocks` blocks: an even share, the remainder to the first blocks.
    public static func stepsPerBlock(steps: Int, blocks: Int) throws -> [Int] {
        guard blocks >= 1 else { return [] }
        guard steps >= blocks else {
            throw DiptychError("\(steps) steps cannot cover \(blocks) blocks (at least one step per block)")
        }
        return counts(masked: steps, steps: blocks)
    }

    /// Blocks [start, end) of length `blockLength` from `start` to `length` (the last may be shorter).
    public static func blocks(start: Int, length: Int, blockLength: Int?) -> [Range<Int>] {
        guard start < length else { return [] }
        let bl = max(1, blockLength ?? (length - start))
        return stride(from: start, to: length, by: bl).map { $0..<min($0 + bl, length) }
    }
}
