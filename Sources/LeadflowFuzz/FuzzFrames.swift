/// How one fuzz input carries several frames (or fields): each is a 2-byte big-endian length followed by that
/// many bytes; a length that runs past the end takes what is left, and input left over after the last whole
/// frame becomes one more frame. docs/fuzzing.md documents the encoding and the seed corpora use it.
///
/// Two bytes keep the prefix small for the mutator (a 4-byte length is mostly noise to it) and still allow
/// frames larger than any input libFuzzer generates by default.
enum FuzzFrames {
    static func split(_ input: [UInt8]) -> [[UInt8]] {
        var frames: [[UInt8]] = []
        var offset = 0
        while offset < input.count {
            guard input.count - offset >= 2 else {
                frames.append(Array(input[offset...]))
                break
            }
            let length = Int(input[offset]) << 8 | Int(input[offset + 1])
            let start = offset + 2
            let end = min(start + length, input.count)
            frames.append(Array(input[start..<end]))
            offset = end
        }
        return frames
    }

    /// The inverse of ``split(_:)`` for frames shorter than 64 KiB: how the seed corpora are written.
    static func join(_ frames: [[UInt8]]) -> [UInt8] {
        var input: [UInt8] = []
        for frame in frames {
            precondition(frame.count <= Int(UInt16.max), "a frame of a fuzz input is at most 65,535 bytes")
            input.append(UInt8(frame.count >> 8))
            input.append(UInt8(frame.count & 0xFF))
            input.append(contentsOf: frame)
        }
        return input
    }
}
