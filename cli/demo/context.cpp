#include "demo/context.h"

#include <algorithm>

namespace spegla::cli::demo {

std::string DisplayNameOf(const FillContext& ctx, const std::string& username) {
  auto it = ctx.cast.display_names.find(username);
  return it == ctx.cast.display_names.end() ? username : it->second;
}

std::string PeopleNames(FillContext& ctx, int count) {
  std::vector<std::string> people = ctx.cast.usernames;
  std::shuffle(people.begin(), people.end(), ctx.rng);
  std::string out;
  for (int i = 0; i < count && i < static_cast<int>(people.size()); ++i) {
    out += (out.empty() ? "" : ", ") + DisplayNameOf(ctx, people[i]);
  }
  return out;
}

}  // namespace spegla::cli::demo
