// EditInputs.swift: the input image and mask of an edit, from pixels to what the sampler knows.
//
// The mask rule (inpainting, white = repaint):
// 1. The mask file must have the size of the image (any size); alpha is composited on black and its
//    value is the mean of its colour channels.
// 2. Image and mask are brought to the model's size by the same area resize (BundleModel.prepare).
// 3. A model pixel is repainted when its resized mask value is at least 0.5; the final blend keeps every
//    other pixel exactly equal to the (resized) input: out = repaint ? decoded : input.
// 4. A latent cell stands for an f x f patch of pixels (f = image size / latent size, 4 for the shipped
//    models). It is unknown (regenerated) when any pixel of its patch is repainted, known otherwise;
//    `dilate` d > 0 then grows the unknown cells by d cells in every direction (a square, Chebyshev
//    distance), giving the model room to blend the new region into the old. Every latent channel of a
//    cell shares its state.
// RePaint (Lugmayr et al. 2022) keeps the known region at every step; this file only says where it is.
import Core
import Media

public enum EditMask {
    /// Pixel mask [size * size] (1 = repaint) of a mask image of any size: gray value (steps 1 to 3).
    public static func repaint(_ mask: Image, size: Int) -> [Float] {
        let colour = mask.hasAlpha ? mask.channels - 1 : mask.channels
        var gray = [Float](repeating: 0, count: mask.width * mask.height)
        for p in 0..<gray.count {
            var v: Float = 0
            for c in 0..<colour { v += mask.pixels[p * mask.channels + c] }
            v /= Float(colour)
            if mask.hasAlpha { v *= mask.pixels[p * mask.channels + colour] }
            gray[p] = v
        }
        var g = Image(width: mask.width, height: mask.height, channels: 1, pixels: gray)
        if g.width != size || g.height != size { g = g.resized(width: size, height: size, filter: .area) }
        return g.pixels.map { $0 >= 0.5 ? 1 : 0 }
    }

    /// Unknown latent cells [latentSize * latentSize] (1 = regenerate) of a pixel mask of side `size`.
    public static func latentCells(pixels: [Float], size: Int, latentSize: Int, dilate: Int = 0) throws -> [Float] {
        guard latentSize > 0, size % latentSize == 0, pixels.count == size * size else {
            throw DiptychError("a \(size)x\(size) mask does not map onto \(latentSize)x\(latentSize) latent cells")
        }
        let f = size / latentSize
        var cells = [Float](repeating: 0, count: latentSize * latentSize)
        for y in 0..<size { for x in 0..<size where pixels[y * size + x] > 0 { cells[(y / f) * latentSize + x / f] = 1 } }
        guard dilate > 0 else { return cells }
        var grown = cells
        for cy in 0..<latentSize {
            for cx in 0..<latentSize where cells[cy * latentSize + cx] > 0 {
                for y in max(0, cy - dilate)...min(latentSize - 1, cy + dilate) {
                    for x in max(0, cx - dilate)...min(latentSize - 1, cx + dilate) { grown[y * latentSize + x] = 1 }
                }
            }
        }
        return grown
    }

    /// The sampler's known mask [channels * cells] (1 = keep), channel-major like the latents.
    public static func known(cells: [Float], channels: Int) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(cells.count * channels)
        for _ in 0..<channels { out += cells.map { 1 - $0 } }
        return out
    }

    /// out = repaint ? generated : input, per pixel (both RGB at the same size).
    public static func blend(generated: Image, input: Image, repaint: [Float]) throws -> Image {
        guard generated.width == input.width, generated.height == input.height, generated.channels == input.channels,
              repaint.count == input.width * input.height else {
            throw DiptychError("cannot blend a \(generated.width)x\(generated.height) image into a \(input.width)x\(input.height) input")
        }
        var out = input
        let c = input.channels
        for p in 0..<repaint.count where repaint[p] > 0 {
            for k in 0..<c { out.pixels[p * c + k] = generated.pixels[p * c + k] }
        }
        return out
    }
}

/// One edit's inputs as decoded images (any size), checked against each other.
public struct EditInput: Sendable {
    public var image: Image
    /// nil: img2img (nothing kept but the start); otherwise white = repaint.
    public var mask: Image?

    /// Throws when the mask's size is not the image's; `maskName` names it in the message.
    public init(image: Image, mask: Image? = nil, maskName: String = "the mask") throws {
        if let mask, mask.width != image.width || mask.height != image.height {
            throw DiptychError("\(maskName) is \(mask.width)x\(mask.height) but the image is \(image.width)x\(image.height); they must be the same size")
        }
        self.image = image
        self.mask = mask
    }
}
