/// The caller's `beforeCommit` of a load, as the hook a store's transaction calls.
enum CommitHook {
    /// Runs `write` with a hook that calls `beforeCommit`; when `beforeCommit` throws, the
    /// transaction is rolled back (the hook throws a ``StoreError``) and the caller's own
    /// error is rethrown, not the store's.
    static func run(_ beforeCommit: () throws -> Void,
                    around write: (_ hook: () throws(StoreError) -> Void) throws -> Void) throws {
        var callerError: (any Error)?
        do {
            // Two non-escaping closures may not capture each other; neither outlives this call.
            try withoutActuallyEscaping(beforeCommit) { beforeCommit in
                try write { () throws(StoreError) in
                    do {
                        try beforeCommit()
                    } catch {
                        callerError = error
                        throw StoreError(.query, "the load was abandoned before its commit: \(error)")
                    }
                }
            }
        } catch {
            throw callerError ?? error
        }
    }
}
