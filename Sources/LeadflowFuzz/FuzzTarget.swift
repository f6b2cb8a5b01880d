/// One decoder under fuzzing: a name to select it by and what to do with one untrusted input.
///
/// `run` must return for every input; thrown errors are caught inside it, because rejecting input is the
/// decoder's job. It traps (`preconditionFailure`) only when an invariant the decoder promises is broken.
struct FuzzTarget: Sendable {
    let name: String
    let summary: String
    let run: @Sendable ([UInt8]) -> Void
}
