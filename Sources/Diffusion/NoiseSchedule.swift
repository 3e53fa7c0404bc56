// NoiseSchedule.swift: the discrete DDPM noise schedule (Ho, Jain, Abbeel 2020) and its views as
// alpha-bar, sigma and log-SNR. Betas are Stable Diffusion's "scaled_linear" (Rombach et al. 2022,
// 0.00085..0.012 over 1000 steps), plain linear, or the cosine schedule of Nichol & Dhariwal 2021.
// Fractional timesteps interpolate log(sigma) linearly between integer timesteps, and the inverse
// (sigma -> timestep) is exact for that interpolation, as in k-diffusion's DiscreteSchedule
// (Karras et al. 2022, "Elucidating the design space", and Crowson's k-diffusion).
//
// Conventions: VP forward process x_t = alpha * x0 + s * eps with alpha = sqrt(ab), s = sqrt(1 - ab).
// The variance-exploding view used by Euler and DPM-Solver divides by alpha: sigma = s / alpha =
// sqrt((1 - ab) / ab), so x_ve = x0 + sigma * eps, and log-SNR = log(ab / (1 - ab)) = -2 log(sigma).

import Foundation

/// How the betas of the discrete schedule are spaced.
public enum BetaSchedule: String, Codable, Sendable, CaseIterable {
    /// Linear in sqrt(beta) from betaStart to betaEnd (Stable Diffusion v1).
    case scaledLinear = "scaled_linear"
    /// Linear in beta (DDPM).
    case linear
    /// alpha-bar follows cos^2 (improved DDPM); betaStart/betaEnd are ignored.
    case cosine
}

/// A discrete noise schedule of `trainSteps` timesteps 0..<trainSteps (0 is the least noisy).
public struct NoiseSchedule: Codable, Equatable, Sendable {
    public var kind: BetaSchedule = .scaledLinear
    public var trainSteps: Int = 1000
    public var betaStart: Double = 0.00085
    public var betaEnd: Double = 0.012
    /// Offset s of the cosine schedule.
    public var cosineOffset: Double = 0.008

    /// alpha-bar at each integer timestep [trainSteps].
    public private(set) var alphasCumprod: [Double] = []
    /// log(sigma) at each integer timestep [trainSteps], increasing.
    public private(set) var logSigmas: [Double] = []

    enum CodingKeys: String, CodingKey { case kind, trainSteps, betaStart, betaEnd, cosineOffset }

    /// Stable Diffusion's schedule: 1000 steps, scaled_linear 0.00085..0.012.
    public init() { build() }

    public init(kind: BetaSchedule, trainSteps: Int = 1000, betaStart: Double = 0.00085,
                betaEnd: Double = 0.012, cosineOffset: Double = 0.008) {
        precondition(trainSteps >= 2, "a schedule needs at least 2 timesteps")
        self.kind = kind
        self.trainSteps = trainSteps
        self.betaStart = betaStart
        self.betaEnd = betaEnd
        self.cosineOffset = cosineOffset
        build()
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(BetaSchedule.self, forKey: .kind) ?? .scaledLinear
        trainSteps = try c.decodeIfPresent(Int.self, forKey: .trainSteps) ?? 1000
        betaStart = try c.decodeIfPresent(Double.self, forKey: .betaStart) ?? 0.00085
        betaEnd = try c.decodeIfPresent(Double.self, forKey: .betaEnd) ?? 0.012
        cosineOffset = try c.decodeIfPresent(Double.self, forKey: .cosineOffset) ?? 0.008
        guard (2...Self.maxTrainSteps).contains(trainSteps) else { throw DecodingError.dataCorruptedError(
            forKey: .trainSteps, in: c, debugDescription: "a schedule needs 2...\(Self.maxTrainSteps) timesteps") }
        build()
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(trainSteps, forKey: .trainSteps)
        try c.encode(betaStart, forKey: .betaStart)
        try c.encode(betaEnd, forKey: .betaEnd)
        try c.encode(cosineOffset, forKey: .cosineOffset)
    }

    /// The betas [trainSteps].
    public var betas: [Double] {
        let n = trainSteps
        switch kind {
        case .linear:
            return (0..<n).map { betaStart + (betaEnd - betaStart) * Double($0) / Double(n - 1) }
        case .scaledLinear:
            let a = betaStart.squareRoot(), b = betaEnd.squareRoot()
            return (0..<n).map { let r = a + (b - a) * Double($0) / Double(n - 1); return r * r }
        case .cosine:
            let s = cosineOffset
            func f(_ u: Double) -> Double { let c = cos((u + s) / (1 + s) * Double.pi / 2); return c * c }
            return (0..<n).map { min(1 - f(Double($0 + 1) / Double(n)) / f(Double($0) / Double(n)), 0.999) }
        }
    }

    private mutating func build() {
        var ab = [Double](repeating: 0, count: trainSteps)
        var p = 1.0
        for (i, beta) in betas.enumerated() {
            p *= 1 - beta
            ab[i] = p
        }
        alphasCumprod = ab
        logSigmas = ab.map { 0.5 * log((1 - $0) / $0) }
    }

    /// Most timesteps a schedule may have (1000 is the convention; this bounds memory for files).
    public static let maxTrainSteps = 100_000

    /// nil, or why this schedule cannot be used: too few or too many steps, betas outside (0, 1), or
    /// an alpha-bar that is not strictly between 0 and 1 (a sigma of 0 or infinity).
    public var problem: String? {
        guard (2...Self.maxTrainSteps).contains(trainSteps) else {
            return "schedule trainSteps \(trainSteps) is outside 2...\(Self.maxTrainSteps)"
        }
        if kind != .cosine, !(betaStart > 0 && betaStart < 1 && betaEnd > 0 && betaEnd < 1) {
            return "schedule betas \(betaStart)...\(betaEnd) must lie in (0, 1)"
        }
        if kind == .cosine, !(cosineOffset.isFinite && cosineOffset >= 0 && cosineOffset < 1) { return "schedule cosineOffset must be in [0, 1)" }
        if !alphasCumprod.allSatisfy({ $0 > 0 && $0 < 1 }) || !logSigmas.allSatisfy(\.isFinite) {
            return "schedule alpha-bar leaves (0, 1): its betas give no usable noise levels"
        }
        return nil
    }

    /// Largest valid timestep (trainSteps - 1).
    public var lastTimestep: Int { trainSteps - 1 }
    /// sigma at timestep 0 and at the last timestep.
    public var sigmaMin: Double { exp(logSigmas[0]) }
    public var sigmaMax: Double { exp(logSigmas[trainSteps - 1]) }

    /// log(sigma) at a continuous timestep in [0, trainSteps - 1] (clamped), linear between steps.
    public func logSigma(at t: Double) -> Double {
        let tc = min(max(t, 0), Double(trainSteps - 1))
        let lo = Int(tc.rounded(.down))
        let hi = min(lo + 1, trainSteps - 1)
        let w = tc - Double(lo)
        return (1 - w) * logSigmas[lo] + w * logSigmas[hi]
    }

    public func sigma(at t: Double) -> Double { exp(logSigma(at: t)) }

    /// alpha-bar at a continuous timestep: 1 / (1 + sigma^2). At integer t it is alphasCumprod[t]
    /// up to rounding. A timestep of -1 (or below) means "clean": alpha-bar 1.
    public func alphaBar(at t: Double) -> Double {
        if t < 0 { return 1 }
        let s = sigma(at: t)
        return 1 / (1 + s * s)
    }

    /// (alpha, s) of x_t = alpha x0 + s eps at a continuous timestep: (sqrt(ab), sqrt(1 - ab)).
    public func coefficients(at t: Double) -> (alpha: Double, s: Double) {
        let ab = alphaBar(at: t)
        return (ab.squareRoot(), (1 - ab).squareRoot())
    }

    /// The schedule as the closure the trainers take: timestep in [0, trainSteps - 1] -> (alpha, sigma)
    /// of the VP process (sigma here is sqrt(1 - ab), the noise coefficient).
    public var vpFunction: @Sendable (Float) -> (alpha: Float, sigma: Float) {
        let schedule = self
        return { t in
            let c = schedule.coefficients(at: Double(t))
            return (Float(c.alpha), Float(c.s))
        }
    }

    /// log-SNR = log(ab / (1 - ab)) = -2 log(sigma).
    public func logSNR(at t: Double) -> Double { -2 * logSigma(at: t) }

    /// The continuous timestep whose interpolated sigma is `sigma` (clamped to the schedule's range):
    /// the exact inverse of `sigma(at:)`.
    public func timestep(sigma: Double) -> Double {
        let ls = log(max(sigma, 1e-30))
        if ls <= logSigmas[0] { return 0 }
        if ls >= logSigmas[trainSteps - 1] { return Double(trainSteps - 1) }
        // Binary search for the last index with logSigmas[i] <= ls.
        var lo = 0, hi = trainSteps - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if logSigmas[mid] <= ls { lo = mid } else { hi = mid }
        }
        let w = (ls - logSigmas[lo]) / (logSigmas[hi] - logSigmas[lo])
        return Double(lo) + w
    }

    /// The continuous timestep whose log-SNR is `logSNR`.
    public func timestep(logSNR: Double) -> Double { timestep(sigma: exp(-logSNR / 2)) }

    /// The continuous timestep whose alpha-bar is `alphaBar`.
    public func timestep(alphaBar ab: Double) -> Double { timestep(sigma: ((1 - ab) / ab).squareRoot()) }
}
