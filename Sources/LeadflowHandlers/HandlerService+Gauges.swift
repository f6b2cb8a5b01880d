import LeadflowTelemetry

extension HandlerService {
    /// Every gauge interval: `breaker_open` of every provider endpoint the handler has a breaker for,
    /// `results_unconfirmed` (with receipts), and the process's CPU and memory; until the task is cancelled.
    func sampleGauges() async {
        guard telemetry.isEnabled else { return }
        let process = ProcessSampler(telemetry: telemetry)
        while !Task.isCancelled {
            process.sample()
            for (endpoint, phase) in breakers?.phases() ?? [] {
                instruments.level(of: endpoint, open: phase != .closed)
            }
            if let pending = receipts?.pending { instruments.unconfirmed(pending.count) }
            try? await Task.sleep(for: telemetry.gaugeInterval)
        }
    }
}
