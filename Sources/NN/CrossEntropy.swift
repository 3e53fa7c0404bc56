// CrossEntropy.swift: softmax cross-entropy over logits rows with integer targets, optional per-row
// weights (MDLM's 1/t weighting) and ignored rows (target < 0), giving the loss and its gradient.
// loss = sum_r w_r * (-log softmax(logits_r)[target_r]) / sum_r w_r over counted rows.
import Core
import Foundation

public enum CrossEntropy {
    /// logits: [rows, classes]; targets: [rows] (negative = ignore); weights: [rows] or nil (all 1);
    /// dlogits: [rows, classes] (written: gradient of the returned mean loss), may alias logits.
    /// Returns the weighted mean loss (0 when no row counts).
    @discardableResult
    public static func forwardBackward(_ logits: UnsafePointer<Float>, targets: UnsafePointer<Int>,
                                       weights: UnsafePointer<Float>?, dlogits: UnsafeMutablePointer<Float>,
                                       rows: Int, classes: Int) -> Float {
        var total = 0.0, norm = 0.0
        for r in 0..<rows where targets[r] >= 0 { norm += Double(weights?[r] ?? 1) }
        let inv = norm > 0 ? Float(1 / norm) : 0
        for r in 0..<rows {
            let lr = logits + r * classes, dr = dlogits + r * classes
            let t = targets[r]
            if t < 0 {
                dr.update(repeating: 0, count: classes)
                continue
            }
            precondition(t < classes, "target \(t) outside 0..<\(classes)")
            let w = weights?[r] ?? 1
            let mx = Kernels.max(lr, classes)
            var s = 0.0
            for c in 0..<classes { s += Foundation.exp(Double(lr[c] - mx)) }
            let logZ = Double(mx) + Foundation.log(s)
            total += Double(w) * (logZ - Double(lr[t]))
            Softmax.forwardRow(lr, dr, classes, nil)
            dr[t] -= 1
            Kernels.scale(dr, w * inv, classes)
        }
        return norm > 0 ? Float(total / norm) : 0
    }
}
