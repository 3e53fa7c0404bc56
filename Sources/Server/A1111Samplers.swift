// A1111Samplers.swift: AUTOMATIC1111 sampler names (sd_samplers_kdiffusion.py / sd_samplers_timesteps.py
// labels and their k-diffusion aliases) mapped to Diptych's samplers. Several A1111 names fall on one
// Diptych sampler: the Karras variants and the scheduler field choose sigma spacing, which Diptych's
// samplers fix themselves; "Euler a" (ancestral) runs Diptych's Euler with Karras sigmas, which is
// deterministic. Diptych's own names are accepted as they are.
import Core
import Diffusion

public enum A1111Samplers {
    public struct Entry: Sendable {
        public var name: String
        public var aliases: [String]
        public var diptych: String
        /// Shown in `info.comments` when the mapping is not exact.
        public var note: String?
    }

    public static let entries: [Entry] = [
        Entry(name: "DPM++ 2M", aliases: ["k_dpmpp_2m", "dpmpp-2m"], diptych: "dpmpp-2m", note: nil),
        Entry(name: "DPM++ 2M Karras", aliases: ["k_dpmpp_2m_ka"], diptych: "dpmpp-2m",
              note: "DPM++ 2M Karras runs Diptych's DPM-Solver++(2M) on its own timestep grid"),
        Entry(name: "Euler", aliases: ["k_euler", "euler-karras"], diptych: "euler-karras", note: nil),
        Entry(name: "Euler a", aliases: ["k_euler_a"], diptych: "euler-karras",
              note: "Euler a (ancestral) runs Diptych's deterministic Euler with Karras sigmas"),
        Entry(name: "DDIM", aliases: ["ddim"], diptych: "ddim", note: nil),
        Entry(name: "DDPM", aliases: ["ddpm"], diptych: "ddpm", note: nil),
        Entry(name: "LCM", aliases: ["k_lcm", "consistency"], diptych: "consistency", note: nil),
        Entry(name: "Phased", aliases: ["phased", "pcm"], diptych: "phased", note: nil),
    ]

    /// The Diptych sampler for a requested name; nil, "" and "Automatic" mean the model's default.
    /// Throws a 422 naming the accepted names for anything else.
    public static func resolve(_ name: String?, default fallback: String) throws -> (sampler: String, note: String?) {
        guard let raw = name?.trimmingCharacters(in: .whitespaces), !raw.isEmpty, raw.lowercased() != "automatic" else {
            return (fallback, nil)
        }
        let key = raw.lowercased()
        if let e = entries.first(where: { $0.name.lowercased() == key || $0.aliases.contains { $0.lowercased() == key } }) {
            return (e.diptych, e.note)
        }
        if ImageSamplerKind(rawValue: key) != nil { return (key, nil) }
        throw APIError.unprocessable("sampler_name '\(raw.prefix(60))' is not one of: " + entries.map(\.name).joined(separator: ", "))
    }

    /// The A1111 name reported for a Diptych sampler.
    public static func displayName(_ diptych: String) -> String {
        entries.first { $0.diptych == diptych }?.name ?? diptych
    }
}
