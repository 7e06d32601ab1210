// The API's route table: method + path pattern -> handler, with what the OpenAPI document says of each.
// One table serves requests and describes them, so a route cannot exist undocumented.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "http_message.h"

namespace spegla::server {

struct RequestContext;  // api.h

// Who may call a route, as the OpenAPI document states it. The handler still checks the finer rules
// (through the engine); this is the first gate, applied before the handler runs.
enum class Gate {
  kPublic,         // anyone, signed in or not
  kSignedIn,       // any signed-in user
  kAdministrator,  // global role administratör
  kCoordinator,    // administratör or utvecklingsledare
  kManagement,     // administratör, utvecklingsledare or förvaltning
};

struct ParameterDoc {
  std::string name;
  std::string in;    // "path" or "query"
  std::string type;  // "integer", "string", "boolean"
  std::string description;
  bool required = false;
};

struct RouteDoc {
  std::string summary;
  std::string tag;
  std::vector<ParameterDoc> query;  // path parameters are derived from the pattern
  std::string request_schema;       // a component name under #/components/schemas, or "" for no body
  std::string request_media = "application/json";
  std::string response_schema;  // for the success status; "" for no JSON body
  std::string response_media = "application/json";
  int success_status = 200;
  std::vector<int> error_statuses;  // besides 401/403 which follow from Access
};

struct Route {
  std::string method;
  std::string pattern;  // "/api/instances/{id}/forms/{form}"; {id}-like names ending in "id" are integers
  Gate gate = Gate::kSignedIn;
  RouteDoc doc;
  std::function<HttpResponse(RequestContext&)> handle;
};

class Router {
 public:
  void Add(Route route);

  struct Match {
    const Route* route = nullptr;               // null: no route for this method (see allowed)
    std::map<std::string, std::string> params;  // path parameters, decoded
    std::vector<std::string> allowed;           // methods the path has, when the method did not match
  };
  Match Find(const std::string& method, const std::string& path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::vector<std::string>> segments_;  // each route's pattern split at '/', made once
};

// True for a pattern parameter holding a whole number ("id", "instance_id", "version").
bool IsIntegerParameter(const std::string& name);

}  // namespace spegla::server
