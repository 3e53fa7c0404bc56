// ArgumentEnums.swift: the library's name enums as command-line arguments, so a misspelt sampler or
// strategy is a usage error (exit 64) that lists the valid names.
import ArgumentParser
import Diffusion
import Studio

extension ImageSamplerKind: ExpressibleByArgument {}
extension CaptionStrategy: ExpressibleByArgument {}
