// ImagePrediction.swift: what an image model's output means. eps: the noise (Ho et al. 2020); v: the
// velocity v = alpha * eps - sigma * x0 (Salimans & Ho 2022, "Progressive Distillation"), which stays
// well scaled at both ends of the schedule. PredictionMath turns either into (x0, eps).

public enum ImagePrediction: String, Codable, Sendable {
    case eps
    case v
}
