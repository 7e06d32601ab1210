// Reads instances in id order, one at a time, with one cursor per table merged on the instance id: a
// whole municipality costs the same eight queries as one instance, and memory for one instance at a
// time. Engine::Load reads one instance through it; exports read thousands. Internal to the engine.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine_internal.h"

namespace spegla {

// One cursor whose first column is an instance id, in ascending order: the rows of one instance are taken
// when that instance comes, and rows of instances the caller skips are passed over.
class MergedCursor {
 public:
  explicit MergedCursor(Database::Cursor cursor) : cursor_(std::move(cursor)) { Advance(); }

  // Calls apply(cursor) for each row of `instance`. REQUIRES: instances asked for in ascending order.
  template <typename F>
  void Take(std::int64_t instance, F&& apply) {
    while (has_row_ && current_ < instance) Advance();
    while (has_row_ && current_ == instance) {
      apply(static_cast<const Database::Cursor&>(cursor_));
      Advance();
    }
  }

 private:
  void Advance() {
    has_row_ = cursor_.Next();
    if (has_row_) current_ = cursor_.Int(0);
  }

  Database::Cursor cursor_;
  bool has_row_ = false;
  std::int64_t current_ = 0;
};

// Which instances a stream reads: a condition on the instance tables (kSummaryTables: i, u, m, d) with its
// parameters, e.g. {"m.id = ? AND i.status = ?", {3, "active"}}; empty = every instance.
struct InstanceSelection {
  std::string where;
  std::vector<Database::Param> params;
};

class InstanceStream {
 public:
  using Definitions = std::function<Result<DefinitionPtr>(const std::string& id, int version)>;
  // Which stored values to decode, by form and field; decoding is most of the cost of reading, and an
  // export reads only what its columns use. Null: every value.
  using ValueFilter = std::function<bool(std::string_view form, std::string_view field)>;

  // One instance, by id.
  static InstanceStream One(Database& db, std::int64_t id, Definitions definitions);
  // Every instance the selection matches.
  static InstanceStream Matching(Database& db, const InstanceSelection& selection, Definitions definitions,
                                 ValueFilter wanted = nullptr);

  // The next instance into `out` (replacing what it held): true, false after the last, or the error of a
  // stored definition that no longer loads. Throws DatabaseError.
  Result<bool> Next(Engine::Loaded& out);

 private:
  // `large`: many instances, read through cursors; one instance's rows are read whole.
  InstanceStream(Database& db, const std::string& instances_where, const std::string& id_condition,
                 const std::vector<Database::Param>& params, Definitions definitions, ValueFilter wanted,
                 bool large);
  const std::vector<std::pair<std::string, Engine::Loaded::Person>>& OrganisationRoles(
      std::int64_t municipality);

  Database& db_;
  Definitions definitions_;
  ValueFilter wanted_;
  Database::Cursor instances_;
  MergedCursor participants_, phases_, steps_, occurrences_, signoffs_, values_;
  // role -> person per municipality: few, and the same for every instance there.
  std::map<std::int64_t, std::vector<std::pair<std::string, Engine::Loaded::Person>>> organisation_roles_;
};

}  // namespace spegla
