// What the demo fills a form with: the instance's participants (its cast) and what its values are about.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "demo/history.h"
#include "spegla/engine.h"

namespace spegla::cli::demo {

// The participants of an instance, sorted by username within each role so that random choices do not depend
// on the order (or second) in which they were assigned.
struct Cast {
  std::map<std::string, std::vector<std::string>> by_role;   // role -> usernames
  std::map<std::string, std::vector<std::string>> roles_of;  // username -> roles
  std::map<std::string, std::string> display_names;
  std::vector<std::string> usernames;  // everyone, sorted

  explicit Cast(const InstanceView& view) {
    for (const ParticipantView& p : view.participants) {
      by_role[p.role].push_back(p.username);
      roles_of[p.username].push_back(p.role);
      display_names[p.username] = p.display_name;
    }
    for (auto& [role, people] : by_role) std::sort(people.begin(), people.end());
    for (const auto& [username, roles] : roles_of) usernames.push_back(username);
  }

  std::vector<std::string> InRoles(const std::vector<std::string>& roles) const {
    std::set<std::string> out;
    for (const std::string& role : roles) {
      auto it = by_role.find(role);
      if (it != by_role.end()) out.insert(it->second.begin(), it->second.end());
    }
    return {out.begin(), out.end()};
  }

  bool CanEdit(const std::string& username, const Form& form, const Field& field) const {
    auto it = roles_of.find(username);
    if (it == roles_of.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](const std::string& role) { return form.RightsFor(role, field) == Rights::kEdit; });
  }
};

// What the values of one instance are about: its school, team and people.
struct FillContext {
  Engine& engine;
  std::int64_t instance;
  const Step& step;
  const Cast& cast;
  std::mt19937& rng;
  std::string unit;
  std::string team;
  std::string mail_domain;
  std::string contact;  // username of the person an application names as contact
  // "form.field" and "form.group.column" summed by a budget -> the budget's limit
  std::map<std::string, double> budgeted;
  bool preschool = false;      // the unit is a förskola: choices about school years do not apply
  Date base;                   // the step's day on the instance's timeline: its dates start here
  bool rewrite = false;        // a loop brought the step back: its forms are written afresh
  const Form* form = nullptr;  // the form being filled
  int occurrence = 0;          // the occurrence being filled: the next visit day comes later
  size_t first_person = 0;     // the person the current table's first row names
  History* history = nullptr;  // told about every value written
};

std::string DisplayNameOf(const FillContext& ctx, const std::string& username);
// `count` participants' display names, "Anna Berg, Erik Holm".
std::string PeopleNames(FillContext& ctx, int count);

}  // namespace spegla::cli::demo
