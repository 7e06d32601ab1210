// The demo's organisation: municipalities, schools and preschools with their rektor and arbetslag, staff,
// observer pools and organisation-wide roles, found in the database or created.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "spegla/engine.h"

namespace spegla::cli::demo {

struct DemoTeam {
  std::int64_t id = 0;
  std::string name;
  std::vector<std::string> members;
};

struct DemoUnit {
  std::int64_t id = 0;
  size_t municipality = 0;  // index into DemoWorld::municipalities
  std::string name;
  std::string rektor;
  std::vector<DemoTeam> teams;
};

struct DemoMunicipality {
  std::int64_t id = 0;
  std::string name;
  std::string network;
  std::string mail_domain;
  std::string lead;  // utvecklingsledare: holds the organisation-wide roles
  std::vector<size_t> units;
  std::vector<std::string> staff;  // teachers and preschool teachers of its units
  std::vector<std::string> pool;
};

struct DemoWorld {
  std::vector<DemoMunicipality> municipalities;
  std::vector<DemoUnit> units;
};

// Creates users with Swedish names and unique usernames. A username already in the database with the same
// display name is reused (a second run with the same seed finds the people of the first); a username taken
// by someone else, or already used in this run, gets a digit: anna.lindqvist, anna.lindqvist2, ...
class PeopleFactory {
 public:
  PeopleFactory(Engine& engine, std::mt19937& rng) : engine_(engine), rng_(rng) {
    for (const User& user : engine.Users()) {
      existing_[user.username] = user.display_name;
      if (user.global_role == "administrator") administrator_exists_ = true;
    }
  }

  // A new person (or one of an earlier run with the same name), with a unique username.
  Result<std::string> Create(const DemoMunicipality* municipality, std::string global_role);

  size_t used() const { return used_.size(); }

 private:
  Engine& engine_;
  std::mt19937& rng_;
  std::map<std::string, std::string> existing_;  // username -> display name
  std::set<std::string> used_;
  bool administrator_exists_ = false;
};

// Finds or creates the organisation: the same seed gives the same names, and names already in the
// database are reused, so running the demo again adds instances to the same schools.
Result<DemoWorld> BuildWorld(Engine& engine, const std::vector<DefinitionPtr>& definitions, std::mt19937& rng,
                             PeopleFactory& people);

}  // namespace spegla::cli::demo
