/// What pruning old model generations out of a ``PostgresModelStore`` removed (or, in a dry
/// run, would remove).
///
/// The rule (``PostgresModelStore/prune(publishedBefore:keep:dryRun:)``): a model goes when
/// its generation was published before the retention window's start and it is not among
/// the `keep` newest models of its plugin, city and variable, so the model every host
/// serves, and the one before it, always stay; a generation goes when no model of it is
/// left, except the newest generation.
public struct ModelPruning: Sendable, Equatable {
    /// The generations removed, oldest first.
    public var generations: [Int64] = []
    /// The model rows removed (each one model file of one generation).
    public var models = 0
    /// The bytes of model files removed.
    public var bytes: Int64 = 0

    /// Nothing removed.
    public init() {}
}
