// Where a test's database lives. By default an SQLite file at the path the test chose. Under ctest's
// postgresql.* tests (tests/CMakeLists.txt), SPEGLA_TEST_POSTGRESQL_URL_FILE names the file with the URL
// of a throwaway cluster (scripts/postgresql-cluster.sh): each call then makes a fresh database of its own
// there and returns its URL, so the same tests run on both backends.
#pragma once

#include <string>

namespace spegla::test {

bool OnPostgresql();
// The target for Database::Open and Engine::Open: `sqlite_path`, or a new PostgreSQL database.
std::string TestDatabase(const std::string& sqlite_path);

}  // namespace spegla::test
