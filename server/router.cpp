#include "router.h"

#include <algorithm>

namespace spegla::server {
namespace {

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;  // paths begin with '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    out.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool IsWholeNumber(const std::string& s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Matches `path` against `pattern`, filling params; "" segments never match a parameter.
bool Matches(const std::vector<std::string>& want, const std::vector<std::string>& path,
             std::map<std::string, std::string>* params) {
  if (want.size() != path.size()) return false;
  for (size_t i = 0; i < want.size(); ++i) {
    const std::string& w = want[i];
    if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
      std::string name = w.substr(1, w.size() - 2);
      if (path[i].empty() || (IsIntegerParameter(name) && !IsWholeNumber(path[i]))) return false;
      (*params)[name] = path[i];
    } else if (w != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

bool IsIntegerParameter(const std::string& name) {
  return name == "id" || name == "version" || (name.size() > 3 && name.ends_with("_id"));
}

void Router::Add(Route route) {
  segments_.push_back(Segments(route.pattern));
  routes_.push_back(std::move(route));
}

Router::Match Router::Find(const std::string& method, const std::string& path) const {
  Match match;
  if (path.empty() || path.front() != '/') return match;
  std::vector<std::string> segments = Segments(path);
  const std::string& wanted = method == "HEAD" ? std::string("GET") : method;
  for (size_t i = 0; i < routes_.size(); ++i) {
    const Route& route = routes_[i];
    std::map<std::string, std::string> params;
    if (!Matches(segments_[i], segments, &params)) continue;
    if (route.method == wanted) {
      match.route = &route;
      match.params = std::move(params);
      match.allowed.clear();
      return match;
    }
    if (std::find(match.allowed.begin(), match.allowed.end(), route.method) == match.allowed.end()) {
      match.allowed.push_back(route.method);
    }
  }
  return match;
}

}  // namespace spegla::server
