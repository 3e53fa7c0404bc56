// AutoencoderConfig.swift: the architecture and latent statistics of Diptych's latent autoencoder
// (a small TAESD-style conv encoder/decoder, github.com/madebyollin/taesd), as a plain Codable struct
// saved beside the weights (config.json) and in the safetensors metadata.

public struct AutoencoderConfig: Codable, Equatable, Sendable {
    /// Image side in pixels (square RGB images).
    public var imageSize: Int = 32
    /// Channels at full, half and quarter resolution (the latent grid is imageSize / 4).
    public var widths: [Int] = [32, 64, 64]
    /// Residual blocks per resolution in the encoder (full, half, quarter).
    public var encoderBlocks: [Int] = [1, 1, 1]
    /// Residual blocks per resolution in the decoder (quarter, half, full).
    public var decoderBlocks: [Int] = [2, 1, 1]
    /// Channels of the latent grid.
    public var latentChannels: Int = 8
    /// Latents handed to diffusion are (raw - latentShift) * latentScale: measured on training
    /// images after training so they have about zero mean and unit variance.
    public var latentShift: Float = 0
    public var latentScale: Float = 1

    public init() {}

    /// Downsampling factor between pixels and latents.
    public var factor: Int { 4 }
    public var latentSize: Int { imageSize / factor }
    /// (height, width, channels) of one latent.
    public var latentShape: [Int] { [latentSize, latentSize, latentChannels] }
}
