// CaptionStrategy.swift: how the masked text sampler picks which tokens to reveal when captioning or
// filling: low-confidence remasking (LLaDA, Nie et al. 2025), random remasking, or confidence-threshold
// parallel unmasking (Fast-dLLM, Wu et al. 2025). One enum for the CLI, job files and eval, so a
// misspelt name is a usage error everywhere.
public enum CaptionStrategy: String, CaseIterable, Codable, Sendable {
    case lowConfidence = "low-confidence"
    case random
    case threshold

    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
