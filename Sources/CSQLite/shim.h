#include <sqlite3.h>

/// Turns off SQLite's memory statistics for the whole process (sqlite3_config is
/// variadic, which Swift cannot call). Without them every sqlite3_malloc and
/// sqlite3_free skips a global mutex; `sqlite3_memory_used` then reports nothing.
/// Takes effect only before SQLite initializes (the first open); returns SQLITE_MISUSE after.
static inline int forecast_sqlite3_disable_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
