// FakeExecutor+Editing.swift: the fake model's edits, so edit and inpaint jobs run with
// `--executor fake` (tests, checking the runner without weights): its text-to-image picture of the
// prompt, mixed with the resized input by the strength (edit) or put into the mask's white part
// (inpaint, with EditMask's pixel rule); fills ignore the image.
import Core
import Media

extension FakeExecutor: EditingExecutor {
    public func edit(_ requests: [GenerationParameters], _ inputs: [EditInput]) throws -> [GeneratedImage] {
        guard requests.count == inputs.count else { throw DiptychError("\(requests.count) edits but \(inputs.count) inputs") }
        return try zip(requests, inputs).map { p, input in
            var made = try generate([p])[0]
            var base = input.image
            if base.channels != 3 { base = base.composited(onto: [1, 1, 1]).converted(toChannels: 3) }
            if base.width != p.width || base.height != p.height { base = base.resized(width: p.width, height: p.height, filter: .area) }
            if let mask = input.mask {
                made.image = try EditMask.blend(generated: made.image, input: base, repaint: EditMask.repaint(mask, size: p.width))
            } else {
                let s = Float(p.strength ?? 1)
                for i in made.image.pixels.indices { made.image.pixels[i] = (1 - s) * base.pixels[i] + s * made.image.pixels[i] }
            }
            return made
        }
    }

    public func fill(_ texts: [String], images: [Image?], _ parameters: [TextParameters]) throws -> [GeneratedText] {
        try fill(texts, parameters)
    }
}
