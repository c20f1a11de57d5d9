/// A lock that guards no value of its own, only code that touches state kept elsewhere
/// (a database connection, a sequence of updates) while holding it.
///
/// Its state is a placeholder byte rather than `()`: ThreadSanitizer took the exclusivity
/// accesses of an empty state for races on the lock object itself (two reports in a
/// fresh-clone CI run, gone with a non-empty state).
public typealias GuardLock = Locked<UInt8>
