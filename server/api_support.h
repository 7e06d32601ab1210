// What the route handlers share: JSON and problem responses, request-body reading that reports every
// problem at once, paging. Included only by the api*.cpp files (they are the ones that compile Boost.JSON).
#pragma once

#include <boost/json.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "api.h"
#include "http_message.h"
#include "spegla/outcome.h"

namespace spegla::server {

namespace json = boost::json;

HttpResponse JsonResponse(int status, const json::value& body);
// An application/problem+json response (RFC 9457). `errors` are the field-level details: each has at
// least "message" and, where it applies, "field" (or "line" and "column" for XML).
HttpResponse ProblemResponse(int status, const std::string& title, const std::string& detail,
                             json::array errors = {});
// The response for an engine error: not_found 404, forbidden 403, invalid 422, refused and conflict 409,
// unauthenticated 401, internal 500; each issue becomes an entry of "errors".
HttpResponse ErrorResponse(const Error& error);
int StatusOf(ErrorCode code);

// Reads a JSON object body field by field; collects every problem (missing, wrong type, unknown field).
class BodyReader {
 public:
  // Parses the body; a body that is not JSON, or not an object, or not sent as application/json, is a
  // problem reported by Problem() (415 for the media type, 400 for syntax, 422 for the rest).
  explicit BodyReader(const HttpRequest& request);

  std::optional<std::string> String(const std::string& name, bool required);
  std::optional<std::int64_t> Int(const std::string& name, bool required);
  std::optional<bool> Bool(const std::string& name, bool required);
  // The raw value of a field (any JSON type), for values typed by a form's definition.
  const json::value* Raw(const std::string& name, bool required);
  // True when the field is present with the value null.
  bool IsNull(const std::string& name) const;
  bool Has(const std::string& name) const;
  const json::object& object() const { return object_; }

  // Call after reading every field: reports fields the handler did not ask for.
  bool ok();
  HttpResponse Problem() const;
  void AddError(const std::string& field, const std::string& message);

 private:
  json::object object_;
  json::array errors_;
  std::vector<std::string> known_;
  int status_ = 422;
  bool unknown_checked_ = false;  // ok() has reported the fields nobody asked for
};

struct Paging {
  size_t limit = 50;
  size_t offset = 0;
};
// ?limit=N (1..500, default 50) and ?offset=N; a bad value is added to *errors.
Paging ReadPaging(const HttpRequest& request, json::array* errors);
// A query parameter as a whole number; a bad value is added to *errors.
std::optional<std::int64_t> QueryInt(const HttpRequest& request, const std::string& name,
                                     json::array* errors);
HttpResponse QueryProblem(json::array errors);
// ?occurrence=N (0 when absent, for a form that does not repeat); a bad value is added to *errors.
std::optional<int> Occurrence(const RequestContext& c, json::array* errors);
// A Content-Disposition header value that offers `file_name` for saving.
std::string AttachmentName(const std::string& file_name);

// {"items": [...], "total": n, "limit": l, "offset": o}
json::object Page(json::array items, size_t total, const Paging& paging);

// The path parameter, decoded.
const std::string& Param(const RequestContext& context, const std::string& name);

}  // namespace spegla::server
