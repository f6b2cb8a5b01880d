/// The metrics collector: see docs/observability.md.
public enum Collector {}
