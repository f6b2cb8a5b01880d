#if LEADFLOW_FUZZING
import Foundation

/// The target this fuzzing process exercises, named by `LEADFLOW_FUZZ_TARGET` (libFuzzer owns the command line).
private let selectedTarget: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["LEADFLOW_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTargets.named(name) else {
        let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("LEADFLOW_FUZZ_TARGET must name one of: \(names)\n".utf8))
        exit(2)
    }
    return target
}()

/// libFuzzer's entry point: one input through the selected decoder. Returning normally is a pass; only a crash,
/// a sanitizer report, a time-out or a leak is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget.run(input)
    return 0
}

/// libFuzzer's driver (compiler-rt, `FuzzerDriver.cpp`): parses libFuzzer's flags from the command line and runs.
@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The process entry point. SwiftPM links every executable with `main` defined as `<module>_main` (so that tests
/// can link executable modules), which displaces libFuzzer's own `main`; this hands control to libFuzzer's driver
/// instead, exactly as its `main` would.
@_cdecl("LeadflowFuzz_main")
public func fuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    var argc = argc
    var argv = argv
    return runFuzzerDriver(&argc, &argv, fuzzTestOneInput)
}
#endif
