extension Migration {
    /// Every migration, in version order. Append new ones; never edit or reorder applied ones.
    public static let all: [Migration] = [
        .organizationsAndPipelines,
        .leads,
        .leadStageActions,
        .processedMessages,
        .pipelineVersions,
        .leanWrites,
        .organizationLimits,
        .traceContext,
        .leadSuppressions,
        .leadHistory,
        .adminTokens,
        .organizationPauses,
        .leadSearch,
        .pipelinePauses,
        .consoleSessions,
    ]
}
