// KarrasSigmas.swift: the noise levels of Karras et al. 2022 ("Elucidating the design space of
// diffusion-based generative models", eq. 5): sigma_i = (smax^(1/rho) + i/(n-1) (smin^(1/rho) -
// smax^(1/rho)))^rho, rho = 7, with a final 0. For a discrete schedule smin/smax come from the
// schedule (k-diffusion's convention), so every level maps back to a continuous timestep.

import Foundation
import DiffusionMath

public enum KarrasSigmas {
    /// `n` decreasing sigmas from sigmaMax to sigmaMin, followed by 0 (n + 1 values).
    public static func sigmas(count n: Int, sigmaMin: Double, sigmaMax: Double, rho: Double = 7) -> [Double] {
        precondition(n >= 1 && sigmaMin > 0 && sigmaMax >= sigmaMin)
        let a = pow(sigmaMax, 1 / rho), b = pow(sigmaMin, 1 / rho)
        var out = (0..<n).map { i -> Double in
            let r = n == 1 ? 0 : Double(i) / Double(n - 1)
            return pow(a + r * (b - a), rho)
        }
        // The ends exactly (pow round trips are off by an ulp).
        out[0] = sigmaMax
        if n > 1 { out[n - 1] = sigmaMin }
        out.append(0)
        return out
    }

    /// Karras sigmas spanning a discrete schedule's range.
    public static func sigmas(count n: Int, schedule: NoiseSchedule, rho: Double = 7) -> [Double] {
        sigmas(count: n, sigmaMin: schedule.sigmaMin, sigmaMax: schedule.sigmaMax, rho: rho)
    }
}
