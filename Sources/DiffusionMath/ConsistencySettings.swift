// ConsistencySettings.swift: the sampler settings a consistency or phased student was distilled with
// (LCM, Luo et al. 2023: a DDIM grid of originalSteps over the schedule, boundary scalings with
// sigma_data and the timestep scaled by timestepScaling). The distiller writes them into the student's
// bundle.json and the consistency and phased samplers read them from there, so a student is sampled
// on the grid and with the scalings it learned.

public struct ConsistencySettings: Codable, Equatable, Sendable {
    /// Steps of the DDIM grid the student was distilled on (LCM: 50).
    public var originalSteps = 50
    public var sigmaData: Double = 0.5
    public var timestepScaling: Double = 10

    public init(originalSteps: Int = 50, sigmaData: Double = 0.5, timestepScaling: Double = 10) {
        self.originalSteps = originalSteps
        self.sigmaData = sigmaData
        self.timestepScaling = timestepScaling
    }

    /// nil, or what is out of range.
    public func problem(trainSteps: Int) -> String? {
        guard originalSteps >= 1, originalSteps <= trainSteps, trainSteps % originalSteps == 0 else {
            return "consistency originalSteps \(originalSteps) must divide the schedule's \(trainSteps) steps"
        }
        guard sigmaData.isFinite, sigmaData > 0, timestepScaling.isFinite, timestepScaling > 0 else {
            return "consistency sigmaData and timestepScaling must be positive numbers"
        }
        return nil
    }
}
