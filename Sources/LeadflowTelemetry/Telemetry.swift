/// Instrumentation for Leadflow's services: see docs/observability.md.
public enum Telemetry {}
