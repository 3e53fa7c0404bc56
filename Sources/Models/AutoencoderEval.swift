// AutoencoderEval.swift: measures the latent autoencoder where it matters for Diptych. Shapes: the
// oracle (Data's ShapesOracle) must read a reconstruction exactly as it reads the original (same
// objects: color, shape, size, and centers within a tolerance), since PSNR alone misleads (a
// reference autoencoder at 32.7 dB kept only 75% of scenes readable). Emoji: PSNR in dB on held-out
// images. Shapes scenes come from a seed stream the trainer never uses.
import Core
import Data
import Foundation
import Media

public struct AutoencoderEvalReport: Codable, Sendable {
    public var scenes: Int
    /// Scenes whose reconstruction the oracle reads exactly as the original.
    public var oracleAgreement: Int
    public var oracleAgreementRate: Double
    /// Scenes where the oracle read the original correctly (sanity check of the oracle).
    public var originalsReadCorrectly: Int
    public var shapesPSNR: Double
    public var emojiImages: Int
    public var emojiPSNR: Double?
    /// A few disagreements: original reading vs reconstruction reading.
    public var examples: [String]
    public var latentMean: Double
    public var latentStd: Double
    /// Eigenvalues of the latent channels' covariance (over all positions of shapes and emoji
    /// latents), largest first, as shares of the total variance: how many channels carry signal.
    public var latentChannelSpectrum: [Double]
}

public enum AutoencoderEval {
    /// Two oracle readings agree: same objects (color, shape, size) with centers within `tolerance` px.
    public static func sameReading(_ a: [OracleObject], _ b: [OracleObject], tolerance: Float = 1.5) -> Bool {
        guard a.count == b.count else { return false }
        var unused = Array(b.indices)
        for o in a {
            guard let j = unused.firstIndex(where: { i in
                let p = b[i]
                return p.color == o.color && p.shape == o.shape && p.size == o.size &&
                    abs(p.centerX - o.centerX) <= tolerance && abs(p.centerY - o.centerY) <= tolerance
            }) else { return false }
            unused.remove(at: j)
        }
        return true
    }

    static func describe(_ objs: [OracleObject]) -> String {
        objs.map { "\($0.size.rawValue) \($0.color.rawValue) \($0.shape.rawValue)@\(Int($0.centerX)),\(Int($0.centerY))" }
            .joined(separator: " + ")
    }

    /// Mean PSNR (dB, peak 1) over images: pixels a and b [n, per] in [0, 1].
    static func psnr(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, images n: Int, per: Int) -> Double {
        var total = 0.0
        for i in 0..<n {
            var se = 0.0
            for j in 0..<per { let d = Double(a[i * per + j] - b[i * per + j]); se += d * d }
            total += 10 * log10(1 / max(se / Double(per), 1e-10))
        }
        return total / Double(max(n, 1))
    }

    /// Runs the measurement: `scenes` held-out shapes scenes (seed stream of `seed`) and the emoji images.
    public static func run(_ ae: Autoencoder, scenes: Int, seed: UInt64, emoji: [Image], threads: Int,
                           progress: ((String) -> Void)? = nil) -> AutoencoderEvalReport {
        let s = ae.config.imageSize, per = ae.pixelsPerImage
        let source = AutoencoderImageSource(size: s)
        let oracle = ShapesOracle()
        let rng = Philox(seed: seed, stream: 0xE7A1)
        var agree = 0, originalsRight = 0, examples: [String] = []
        var psnrSum = 0.0
        var zSum = 0.0, zSq = 0.0, zCount = 0
        var channels = ChannelCovariance(channels: ae.config.latentChannels)
        let chunk = 64
        let px = Tensor(shape: [chunk, s, s, 3]), rec = Tensor(shape: [chunk, s, s, 3])
        let z = Tensor(shape: [chunk] + ae.config.latentShape)
        var done = 0
        while done < scenes {
            let n = min(chunk, scenes - done)
            var batchScenes: [ShapesScene] = []
            for i in 0..<n {
                var r = rng.fork(UInt64(done + i))
                let scene = source.scene(&r)
                batchScenes.append(scene)
                let im = source.renderer.render(scene.objects, size: s)
                im.pixels.withUnsafeBufferPointer { (px.data + i * per).update(from: $0.baseAddress!, count: per) }
            }
            ae.encode(pixels: px.data, batch: n, latents: z.data, threads: threads)
            for i in 0..<(n * ae.latentsPerImage) { let v = Double(z[i]); zSum += v; zSq += v * v }
            zCount += n * ae.latentsPerImage
            channels.add(z.data, positions: n * ae.latentsPerImage / ae.config.latentChannels)
            ae.decode(latents: z.data, batch: n, pixels: rec.data, threads: threads)
            psnrSum += psnr(px.data, rec.data, images: n, per: per) * Double(n)
            for i in 0..<n {
                let orig = Image(width: s, height: s, channels: 3, pixels: Array(UnsafeBufferPointer(start: px.data + i * per, count: per)))
                let back = Image(width: s, height: s, channels: 3, pixels: Array(UnsafeBufferPointer(start: rec.data + i * per, count: per)))
                let a = oracle.read(orig), b = oracle.read(back)
                if batchScenes[i].spec.matches(a.map { $0.asShapeObject }, minRelationOffset: 3) { originalsRight += 1 }
                if sameReading(a, b) { agree += 1 } else if examples.count < 8 {
                    examples.append("\(describe(a))  ->  \(describe(b))")
                }
            }
            done += n
            progress?("shapes \(done)/\(scenes): oracle agreement \(agree)/\(done)")
        }
        var emojiPSNR: Double? = nil
        if !emoji.isEmpty {
            var sum = 0.0
            var start = 0
            while start < emoji.count {
                let n = min(chunk, emoji.count - start)
                for i in 0..<n {
                    emoji[start + i].pixels.withUnsafeBufferPointer { (px.data + i * per).update(from: $0.baseAddress!, count: per) }
                }
                ae.encode(pixels: px.data, batch: n, latents: z.data, threads: threads)
                channels.add(z.data, positions: n * ae.latentsPerImage / ae.config.latentChannels)
                ae.decode(latents: z.data, batch: n, pixels: rec.data, threads: threads)
                sum += psnr(px.data, rec.data, images: n, per: per) * Double(n)
                start += n
            }
            emojiPSNR = sum / Double(emoji.count)
        }
        let mean = zSum / Double(max(zCount, 1))
        return AutoencoderEvalReport(
            scenes: scenes, oracleAgreement: agree, oracleAgreementRate: Double(agree) / Double(max(scenes, 1)),
            originalsReadCorrectly: originalsRight, shapesPSNR: psnrSum / Double(max(scenes, 1)),
            emojiImages: emoji.count, emojiPSNR: emojiPSNR, examples: examples,
            latentMean: mean, latentStd: max(0, zSq / Double(max(zCount, 1)) - mean * mean).squareRoot(),
            latentChannelSpectrum: channels.spectrum())
    }
}

/// Running covariance of C-channel vectors and its eigenvalues (cyclic Jacobi rotations).
struct ChannelCovariance {
    let c: Int
    var sum: [Double], cross: [Double], count = 0

    init(channels: Int) {
        c = channels
        sum = [Double](repeating: 0, count: channels)
        cross = [Double](repeating: 0, count: channels * channels)
    }

    /// Adds `positions` vectors of C channels stored one after another.
    mutating func add(_ z: UnsafePointer<Float>, positions: Int) {
        for p in 0..<positions {
            let v = z + p * c
            for i in 0..<c {
                sum[i] += Double(v[i])
                for j in 0..<c { cross[i * c + j] += Double(v[i]) * Double(v[j]) }
            }
        }
        count += positions
    }

    /// Eigenvalues of the covariance, largest first, divided by their sum.
    func spectrum() -> [Double] {
        guard count > 1 else { return [] }
        let n = Double(count)
        var a = (0..<(c * c)).map { k in cross[k] / n - sum[k / c] / n * sum[k % c] / n }
        for _ in 0..<50 {
            var off = 0.0
            for i in 0..<c { for j in 0..<c where i != j { off += a[i * c + j] * a[i * c + j] } }
            if off < 1e-20 { break }
            for p in 0..<c {
                for q in (p + 1)..<c where abs(a[p * c + q]) > 1e-30 {
                    let theta = (a[q * c + q] - a[p * c + p]) / (2 * a[p * c + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let cs = 1 / (t * t + 1).squareRoot(), sn = t * cs
                    for k in 0..<c {   // rotate columns p, q
                        let akp = a[k * c + p], akq = a[k * c + q]
                        a[k * c + p] = cs * akp - sn * akq
                        a[k * c + q] = sn * akp + cs * akq
                    }
                    for k in 0..<c {   // rotate rows p, q
                        let apk = a[p * c + k], aqk = a[q * c + k]
                        a[p * c + k] = cs * apk - sn * aqk
                        a[q * c + k] = sn * apk + cs * aqk
                    }
                }
            }
        }
        let eig = (0..<c).map { max(0, a[$0 * c + $0]) }.sorted(by: >)
        let total = eig.reduce(0, +)
        return total > 0 ? eig.map { $0 / total } : eig
    }
}
