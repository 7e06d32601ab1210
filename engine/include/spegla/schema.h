// The database schema and its migrations. Each migration runs once, in its own transaction, and records
// its number in schema_migrations; opening a database that a newer Spegla wrote is refused.
#pragma once

#include "spegla/database.h"

namespace spegla {

// The schema version this build writes.
int LatestSchemaVersion();

// The version recorded in the database (0 for a new, empty one).
int SchemaVersion(Database& db);

// Applies the migrations above the database's version, up to `target` (default: the latest).
// Throws DatabaseError when the database is newer than this build or a migration fails; a failed
// migration leaves the database at the previous version.
void Migrate(Database& db, int target = -1);

}  // namespace spegla
