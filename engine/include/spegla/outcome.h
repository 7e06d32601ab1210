// Results of engine operations: a value, or an Error carrying every issue found. Issues name the field
// they concern (when there is one) and are worded for the person who acted (Swedish).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace spegla {

enum class ErrorCode {
  kUnauthenticated,  // no valid session, or a wrong user name or password
  kNotFound,   // no such instance, step, form, field, user, ...
  kForbidden,  // the actor's roles do not allow it
  kInvalid,    // the input itself is wrong: a value of the wrong type, a constraint broken
  kRefused,    // the input is fine but a process rule says no now: a step not ready, a limit reached
  kConflict,   // someone else changed it since the actor read it
  kInternal,   // the database failed; nothing was written
};

const char* ToString(ErrorCode code);  // "not_found", "forbidden", ...

struct Issue {
  std::string field;  // "form.field", "form.field#2" for an occurrence; empty when not about a field
  std::string message;
};

struct Error {
  ErrorCode code = ErrorCode::kInvalid;
  std::vector<Issue> issues;  // at least one

  static Error Of(ErrorCode code, std::string message, std::string field = {}) {
    return Error{code, {Issue{std::move(field), std::move(message)}}};
  }
  // All messages joined by newlines, each prefixed with its field.
  std::string Summary() const;
};

struct Ok {};

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design, like StatusOr
  Result(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

}  // namespace spegla
