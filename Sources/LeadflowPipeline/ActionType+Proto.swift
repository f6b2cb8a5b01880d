import LeadflowDomain
import LeadflowProto

extension ActionType {
    /// The type of a pipeline action, from its config.
    public init(_ config: Leadflow_V1_Action.OneOf_Config) {
        self =
            switch config {
            case .email: .email
            case .sms: .sms
            case .webhook: .webhook
            case .wait: .wait
            case .waitForReply: .waitForReply
            case .move: .move
            case .end: .end
            }
    }

    /// The wire enum that `ActionDispatch` and `LeadEvent` carry.
    public var proto: Leadflow_V1_ActionType {
        switch self {
        case .email: .email
        case .sms: .sms
        case .webhook: .webhook
        case .wait: .wait
        case .waitForReply: .waitForReply
        case .move: .move
        case .end: .end
        }
    }
}

extension ActionType {
    /// The type a wire enum names (`nil`: unspecified or unknown).
    public init?(proto: Leadflow_V1_ActionType) {
        switch proto {
        case .email: self = .email
        case .sms: self = .sms
        case .webhook: self = .webhook
        case .wait: self = .wait
        case .waitForReply: self = .waitForReply
        case .move: self = .move
        case .end: self = .end
        case .unspecified, .UNRECOGNIZED: return nil
        }
    }
}
