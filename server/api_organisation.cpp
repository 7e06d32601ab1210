// Routes for municipalities, units, teams, users, observer pools and workflow definitions.
#include <algorithm>
#include <set>

#include "api.h"
#include "api_support.h"
#include "json_views.h"

namespace spegla::server {
namespace {

HttpResponse Created(const json::value& body) { return JsonResponse(201, body); }

HttpResponse NoContent() {
  HttpResponse response;
  response.status = 204;
  response.content_type.clear();
  return response;
}

// A list answered whole (it is short by nature: a unit's teams, a pool, the definitions) in the envelope
// of paged lists.
json::object WholeList(json::array items) {
  const size_t total = items.size();
  return Page(std::move(items), total, Paging{std::max<size_t>(total, 1), 0});
}

// The record with `id` as it is now (after an update), or 404.
template <typename T, typename F>
HttpResponse Record(const std::vector<T>& all, std::int64_t id, F&& to_json, const char* missing) {
  for (const T& item : all) {
    if (item.id == id) return JsonResponse(200, to_json(item));
  }
  return ErrorResponse(Error::Of(ErrorCode::kNotFound, missing));
}

template <typename T, typename F>
json::array Items(const std::vector<T>& list, F&& to_json, const Paging& paging, size_t* total) {
  *total = list.size();
  json::array items;
  for (size_t i = paging.offset; i < list.size() && items.size() < paging.limit; ++i)
    items.push_back(to_json(list[i]));
  return items;
}

}  // namespace

// Staff are personal data: an administrator sees every user; an utvecklingsledare those of their own
// municipality and the observers their network shares (whom they may put into a visit), or everyone when
// they belong to no municipality.
std::vector<User> Api::VisibleUsers(const User& viewer) {
  std::vector<User> users = engine_.Users();
  if (viewer.global_role == "administrator" || !viewer.municipality_id) return users;
  std::string network;
  std::vector<Municipality> municipalities = engine_.Municipalities();
  for (const Municipality& m : municipalities) {
    if (m.id == *viewer.municipality_id) network = m.network;
  }
  std::set<std::string> observers;
  for (const Municipality& m : municipalities) {
    if (m.id == *viewer.municipality_id || network.empty() || m.network != network) continue;
    for (const User& u : engine_.ObserverPool(m.id)) observers.insert(u.username);
  }
  std::erase_if(users, [&](const User& u) {
    return u.municipality_id != viewer.municipality_id && !observers.count(u.username);
  });
  return users;
}

void Api::AddOrganisationRoutes() {
  const std::vector<ParameterDoc> paging = {
      {"limit", "query", "integer", "Page size, 1–500 (default 50)", false},
      {"offset", "query", "integer", "Items to skip", false}};

  // --- municipalities ---
  router_.Add(Route{"GET", "/api/municipalities", Gate::kSignedIn,
                    RouteDoc{"List municipalities",
                             "organisation",
                             paging,
                             "",
                             "",
                             "MunicipalityList",
                             "application/json",
                             200,
                             {400}},
                    [this](RequestContext& c) {
                      json::array errors;
                      Paging p = ReadPaging(c.request, &errors);
                      if (!errors.empty()) return QueryProblem(std::move(errors));
                      size_t total = 0;
                      json::array items = Items(engine_.Municipalities(), MunicipalityJson, p, &total);
                      return JsonResponse(200, Page(std::move(items), total, p));
                    }});
  router_.Add(Route{"POST", "/api/municipalities", Gate::kAdministrator,
                    RouteDoc{"Create a municipality",
                             "organisation",
                             {},
                             "MunicipalityInput",
                             "application/json",
                             "Municipality",
                             "application/json",
                             201,
                             {400, 409, 415, 422}},
                    [this](RequestContext& c) {
                      BodyReader body(c.request);
                      std::optional<std::string> name = body.String("name", true);
                      std::optional<std::string> network = body.String("network", false);
                      if (!body.ok()) return body.Problem();
                      Result<std::int64_t> id =
                          engine_.CreateMunicipality(c.actor(), *name, network.value_or(""));
                      if (!id) return ErrorResponse(id.error());
                      return Created(MunicipalityJson(Municipality{id.value(), *name, network.value_or("")}));
                    }});
  router_.Add(Route{"PATCH", "/api/municipalities/{id}", Gate::kAdministrator,
                    RouteDoc{"Change a municipality's name or network",
                             "organisation",
                             {},
                             "MunicipalityPatch",
                             "application/json",
                             "Municipality",
                             "application/json",
                             200,
                             {400, 404, 409, 415, 422}},
                    [this](RequestContext& c) {
                      BodyReader body(c.request);
                      MunicipalityUpdate update;
                      update.name = body.String("name", false);
                      update.network = body.String("network", false);
                      if (!body.ok()) return body.Problem();
                      const std::int64_t id = c.IntParam("id");
                      Result<Ok> done = engine_.UpdateMunicipality(c.actor(), id, update);
                      if (!done) return ErrorResponse(done.error());
                      return Record(engine_.Municipalities(), id, MunicipalityJson, "Kommunen finns inte.");
                    }});

  // --- units and teams ---
  router_.Add(
      Route{"GET", "/api/units", Gate::kSignedIn,
            RouteDoc{"List units (schools and preschools)",
                     "organisation",
                     {{"municipality_id", "query", "integer", "Only this municipality's units", false},
                      paging[0],
                      paging[1]},
                     "",
                     "",
                     "UnitList",
                     "application/json",
                     200,
                     {400}},
            [this](RequestContext& c) {
              json::array errors;
              Paging p = ReadPaging(c.request, &errors);
              std::optional<std::int64_t> municipality = QueryInt(c.request, "municipality_id", &errors);
              if (!errors.empty()) return QueryProblem(std::move(errors));
              size_t total = 0;
              json::array items = Items(engine_.Units(municipality), UnitJson, p, &total);
              return JsonResponse(200, Page(std::move(items), total, p));
            }});
  router_.Add(Route{"POST", "/api/units", Gate::kCoordinator,
                    RouteDoc{"Create a unit",
                             "organisation",
                             {},
                             "UnitInput",
                             "application/json",
                             "Unit",
                             "application/json",
                             201,
                             {400, 404, 409, 415, 422}},
                    [this](RequestContext& c) {
                      BodyReader body(c.request);
                      std::optional<std::int64_t> municipality = body.Int("municipality_id", true);
                      std::optional<std::string> name = body.String("name", true);
                      std::optional<std::string> kind = body.String("kind", true);
                      if (!body.ok()) return body.Problem();
                      Result<std::int64_t> id = engine_.CreateUnit(c.actor(), *municipality, *name, *kind);
                      if (!id) return ErrorResponse(id.error());
                      return Created(UnitJson(Unit{id.value(), *municipality, *name, *kind}));
                    }});
  router_.Add(Route{"PATCH", "/api/units/{id}", Gate::kCoordinator,
                    RouteDoc{"Change a unit's name or kind",
                             "organisation",
                             {},
                             "UnitPatch",
                             "application/json",
                             "Unit",
                             "application/json",
                             200,
                             {400, 404, 409, 415, 422}},
                    [this](RequestContext& c) {
                      BodyReader body(c.request);
                      UnitUpdate update;
                      update.name = body.String("name", false);
                      update.kind = body.String("kind", false);
                      if (!body.ok()) return body.Problem();
                      const std::int64_t id = c.IntParam("id");
                      Result<Ok> done = engine_.UpdateUnit(c.actor(), id, update);
                      if (!done) return ErrorResponse(done.error());
                      return Record(engine_.Units(), id, UnitJson, "Enheten finns inte.");
                    }});
  router_.Add(Route{"GET", "/api/units/{id}/teams", Gate::kSignedIn,
                    RouteDoc{"List a unit's teams (arbetslag)",
                             "organisation",
                             {},
                             "",
                             "",
                             "TeamList",
                             "application/json",
                             200,
                             {}},
                    [this](RequestContext& c) {
                      json::array items;
                      for (const Team& t : engine_.Teams(c.IntParam("id"))) items.push_back(TeamJson(t));
                      return JsonResponse(200, WholeList(std::move(items)));
                    }});
  router_.Add(Route{"POST", "/api/units/{id}/teams", Gate::kCoordinator,
                    RouteDoc{"Create a team (arbetslag) at a unit",
                             "organisation",
                             {},
                             "TeamInput",
                             "application/json",
                             "Team",
                             "application/json",
                             201,
                             {400, 404, 409, 415, 422}},
                    [this](RequestContext& c) {
                      BodyReader body(c.request);
                      std::optional<std::string> name = body.String("name", true);
                      if (!body.ok()) return body.Problem();
                      const std::int64_t unit = c.IntParam("id");
                      Result<std::int64_t> id = engine_.CreateTeam(c.actor(), unit, *name);
                      if (!id) return ErrorResponse(id.error());
                      return Created(TeamJson(Team{id.value(), unit, *name}));
                    }});

  // --- users ---
  router_.Add(
      Route{"GET", "/api/users", Gate::kCoordinator,
            RouteDoc{"List users",
                     "organisation",
                     {{"municipality_id", "query", "integer", "Only this municipality's users", false},
                      paging[0],
                      paging[1]},
                     "",
                     "",
                     "UserList",
                     "application/json",
                     200,
                     {400}},
            [this](RequestContext& c) {
              json::array errors;
              Paging p = ReadPaging(c.request, &errors);
              std::optional<std::int64_t> municipality = QueryInt(c.request, "municipality_id", &errors);
              if (!errors.empty()) return QueryProblem(std::move(errors));
              std::vector<User> users = VisibleUsers(c.user());
              if (municipality) {
                std::erase_if(users, [&](const User& u) { return u.municipality_id != municipality; });
              }
              size_t total = 0;
              json::array items = Items(users, UserJson, p, &total);
              return JsonResponse(200, Page(std::move(items), total, p));
            }});
  router_.Add(Route{"POST", "/api/users", Gate::kAdministrator,
                    RouteDoc{"Create a user (with a password to let them sign in)",
                             "organisation",
                             {},
                             "UserInput",
                             "application/json",
                             "User",
                             "application/json",
                             201,
                             {400, 404, 409, 415, 422}},
                    [this](RequestContext& c) {
                      BodyReader body(c.request);
                      User user;
                      std::optional<std::string> username = body.String("username", true);
                      std::optional<std::string> name = body.String("name", true);
                      std::optional<std::string> email = body.String("email", false);
                      user.municipality_id = body.Int("municipality_id", false);
                      std::optional<std::string> role = body.String("global_role", false);
                      std::optional<std::string> password = body.String("password", false);
                      if (!body.ok()) return body.Problem();
                      user.username = *username;
                      user.display_name = *name;
                      user.email = email.value_or("");
                      user.global_role = role.value_or("personal");
                      // Both in one step for the caller, checked first so that a bad password creates nobody.
                      if (password && password->size() < 10) {
                        return ErrorResponse(
                            Error::Of(ErrorCode::kInvalid, "Lösenordet ska ha minst 10 tecken.", "password"));
                      }
                      Result<std::int64_t> id = engine_.CreateUser(c.actor(), user);
                      if (!id) return ErrorResponse(id.error());
                      if (password) {
                        Result<Ok> set = engine_.SetPassword(c.actor(), user.username, *password);
                        if (!set) return ErrorResponse(set.error());
                      }
                      user.id = id.value();
                      return Created(UserJson(user));
                    }});
  router_.Add(Route{"PATCH", "/api/users/{username}", Gate::kAdministrator,
                    RouteDoc{"Change a user's name, e-mail, municipality, global role or password",
                             "organisation",
                             {},
                             "UserPatch",
                             "application/json",
                             "User",
                             "application/json",
                             200,
                             {400, 404, 409, 415, 422}},
                    [this](RequestContext& c) {
                      BodyReader body(c.request);
                      UserUpdate update;
                      update.display_name = body.String("name", false);
                      update.email = body.String("email", false);
                      update.global_role = body.String("global_role", false);
                      if (body.IsNull("municipality_id")) {
                        (void)body.Raw("municipality_id", false);
                        update.municipality_id = std::optional<std::int64_t>{};
                      } else if (std::optional<std::int64_t> m = body.Int("municipality_id", false)) {
                        update.municipality_id = m;
                      }
                      std::optional<std::string> password = body.String("password", false);
                      if (!body.ok()) return body.Problem();
                      const std::string& username = Param(c, "username");
                      Result<Ok> done = engine_.UpdateUser(c.actor(), username, update);
                      if (!done) return ErrorResponse(done.error());
                      if (password) {
                        Result<Ok> set = engine_.SetPassword(c.actor(), username, *password);
                        if (!set) return ErrorResponse(set.error());
                      }
                      ForgetUser(username);  // the engine may have ended their sessions
                      std::optional<User> user = engine_.FindUser(username);
                      if (!user)
                        return ErrorResponse(Error::Of(ErrorCode::kNotFound, "Användaren finns inte."));
                      return JsonResponse(200, UserJson(*user));
                    }});

  // --- observer pools and organisation-wide roles ---
  router_.Add(Route{"GET", "/api/municipalities/{id}/observer-pool", Gate::kCoordinator,
                    RouteDoc{"The municipality's pool of observers",
                             "organisation",
                             {},
                             "",
                             "",
                             "UserList",
                             "application/json",
                             200,
                             {}},
                    [this](RequestContext& c) {
                      json::array items;
                      for (const User& u : engine_.ObserverPool(c.IntParam("id")))
                        items.push_back(UserJson(u));
                      return JsonResponse(200, WholeList(std::move(items)));
                    }});
  router_.Add(Route{"POST", "/api/municipalities/{id}/observer-pool", Gate::kCoordinator,
                    RouteDoc{"Add a user to the observer pool",
                             "organisation",
                             {},
                             "UsernameInput",
                             "application/json",
                             "",
                             "",
                             204,
                             {400, 404, 415, 422}},
                    [this](RequestContext& c) {
                      BodyReader body(c.request);
                      std::optional<std::string> username = body.String("username", true);
                      if (!body.ok()) return body.Problem();
                      Result<Ok> done = engine_.AddToObserverPool(c.actor(), c.IntParam("id"), *username);
                      return done ? NoContent() : ErrorResponse(done.error());
                    }});
  router_.Add(Route{
      "DELETE", "/api/municipalities/{id}/observer-pool/{username}", Gate::kCoordinator,
      RouteDoc{"Remove a user from the observer pool", "organisation", {}, "", "", "", "", 204, {404}},
      [this](RequestContext& c) {
        Result<Ok> done = engine_.RemoveFromObserverPool(c.actor(), c.IntParam("id"), Param(c, "username"));
        return done ? NoContent() : ErrorResponse(done.error());
      }});
  router_.Add(Route{"POST", "/api/municipalities/{id}/roles", Gate::kCoordinator,
                    RouteDoc{"Give a user an organisation-wide role in every instance of the municipality",
                             "organisation",
                             {},
                             "RoleAssignment",
                             "application/json",
                             "",
                             "",
                             204,
                             {400, 404, 415, 422}},
                    [this](RequestContext& c) {
                      BodyReader body(c.request);
                      std::optional<std::string> role = body.String("role", true);
                      std::optional<std::string> username = body.String("username", true);
                      if (!body.ok()) return body.Problem();
                      Result<Ok> done =
                          engine_.AssignOrganisationRole(c.actor(), c.IntParam("id"), *role, *username);
                      return done ? NoContent() : ErrorResponse(done.error());
                    }});
}

void Api::AddWorkflowRoutes() {
  router_.Add(Route{"GET", "/api/workflows", Gate::kSignedIn,
                    RouteDoc{"List installed workflow definitions (every version)",
                             "workflows",
                             {},
                             "",
                             "",
                             "WorkflowList",
                             "application/json",
                             200,
                             {}},
                    [this](RequestContext&) {
                      json::array items;
                      for (const DefinitionSummary& d : engine_.Definitions())
                        items.push_back(DefinitionJson(d));
                      return JsonResponse(200, WholeList(std::move(items)));
                    }});
  router_.Add(Route{
      "POST", "/api/workflows", Gate::kAdministrator,
      RouteDoc{
          "Install a workflow definition (its XML as the body); 422 lists every problem with line and column",
          "workflows",
          {},
          "WorkflowXml",
          "application/xml",
          "WorkflowInstalled",
          "application/json",
          201,
          {200, 409, 413, 415, 422}},
      [this](RequestContext& c) {
        const std::string& type = c.request.Header("content-type");
        if (type.compare(0, 15, "application/xml") != 0 && type.compare(0, 8, "text/xml") != 0) {
          return ProblemResponse(415, "Fel innehållstyp", "Skicka definitionen som application/xml.");
        }
        LoadOptions options;
        options.template_dir = options_.template_dir;
        InstallOutcome outcome = engine_.InstallDefinition(c.actor(), c.request.body, "upload.xml", options);
        if (!outcome.problems.empty()) {
          // Rights are decided before the XML is read; any other refusal lists the definition's problems.
          HttpResponse response = ProblemResponse(
              422, "Definitionen har fel",
              std::to_string(outcome.problems.size()) + " problem i definitionen; inget installerades.",
              ProblemsJson(outcome.problems));
          return response;
        }
        json::object out{{"id", outcome.id},
                         {"version", outcome.version},
                         {"already_installed", outcome.already_installed},
                         {"href", "/api/workflows/" + outcome.id}};
        HttpResponse response = JsonResponse(outcome.already_installed ? 200 : 201, out);
        response.headers.emplace_back("Location", "/api/workflows/" + outcome.id);
        return response;
      }});
  router_.Add(Route{
      "GET", "/api/workflows/{workflow}", Gate::kSignedIn,
      RouteDoc{"A workflow definition: its versions and the XML of one (the latest unless ?version=N)",
               "workflows",
               {{"version", "query", "integer", "Which version's XML", false}},
               "",
               "",
               "Workflow",
               "application/json",
               200,
               {400, 404}},
      [this](RequestContext& c) {
        json::array errors;
        std::optional<std::int64_t> version = QueryInt(c.request, "version", &errors);
        if (!errors.empty()) return QueryProblem(std::move(errors));
        const std::string& id = Param(c, "workflow");
        json::array versions;
        for (const DefinitionSummary& d : engine_.Definitions()) {
          if (d.id == id) versions.push_back(DefinitionJson(d));
        }
        if (versions.empty()) {
          return ErrorResponse(Error::Of(ErrorCode::kNotFound, "Det finns ingen process ”" + id + "”."));
        }
        Result<DefinitionPtr> def =
            engine_.Definition(id, version ? std::optional<int>(static_cast<int>(*version)) : std::nullopt);
        if (!def) return ErrorResponse(def.error());
        const WorkflowDefinition& d = *def.value();
        json::array roles, forms, phases;
        for (const Role& r : d.roles) roles.push_back({{"id", r.id}, {"label", r.label}, {"min", r.min}});
        for (const Form& f : d.forms) forms.push_back({{"id", f.id}, {"label", f.label}});
        for (const Phase& p : d.phases) phases.push_back({{"id", p.id}, {"label", p.label}});
        return JsonResponse(200, json::object{{"id", d.id},
                                              {"version", d.version},
                                              {"title", d.title},
                                              {"versions", std::move(versions)},
                                              {"roles", std::move(roles)},
                                              {"forms", std::move(forms)},
                                              {"phases", std::move(phases)},
                                              {"xml", d.xml}});
      }});
}

}  // namespace spegla::server
