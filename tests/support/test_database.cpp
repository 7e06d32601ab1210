#include "test_database.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <stdexcept>

#include "spegla/database.h"

namespace spegla::test {
namespace {

// The cluster's URL (of its maintenance database, …/postgres), or "" for SQLite.
const std::string& ClusterUrl() {
  static const std::string url = [] {
    const char* file = std::getenv("SPEGLA_TEST_POSTGRESQL_URL_FILE");
    if (file == nullptr || *file == '\0') return std::string();
    std::ifstream in(file);
    std::string line;
    if (!std::getline(in, line) || line.empty()) {
      throw std::runtime_error(std::string("no PostgreSQL URL in ") + file +
                               " (scripts/postgresql-cluster.sh start writes it)");
    }
    return line;
  }();
  return url;
}

}  // namespace

bool OnPostgresql() { return !ClusterUrl().empty(); }

std::string TestDatabase(const std::string& sqlite_path) {
  const std::string& cluster = ClusterUrl();
  if (cluster.empty()) return sqlite_path;
  static std::atomic<int> counter{0};
  // Unique across the test processes that ctest runs side by side.
  const std::string name = "spegla_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  {
    std::unique_ptr<Database> admin = Database::Open(cluster);
    admin->Execute("CREATE DATABASE " + name);
  }
  return cluster.substr(0, cluster.rfind('/') + 1) + name;
}

}  // namespace spegla::test
