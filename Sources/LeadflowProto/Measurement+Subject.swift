extension Leadflow_V1_Measurement {
    /// Takes the component and operation from the subject it came on (`metrics.<component>.<operation>`)
    /// where the payload leaves them empty, as measurements in a batch do (docs/protocol.md).
    public mutating func fillFromSubject(component: String, operation: String) {
        if self.component.isEmpty { self.component = component }
        if self.operation.isEmpty { self.operation = operation }
    }
}
