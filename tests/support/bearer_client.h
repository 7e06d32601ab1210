// A client of a `spegla serve` process the test started itself (and may kill): it signs in with a
// password for a bearer token, then sends JSON over RawHttp. An unexpected status is a test failure, never
// an exception, so a test can go on to check what a dead server left behind.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdint>
#include <string>
#include <utility>

#include "raw_http.h"

namespace spegla::test {

class BearerClient {
 public:
  BearerClient(std::uint16_t port, std::string token) : http_(port), token_(std::move(token)) {}

  // POST /api/session; the session's bearer token, or "" (and a test failure) when it was not 201.
  static std::string SignIn(std::uint16_t port, const std::string& username, const std::string& password) {
    RawHttp http(port);
    RawReply reply = http.Send(
        "POST", "/api/session",
        boost::json::serialize(boost::json::object{{"username", username}, {"password", password}}),
        {{"Content-Type", "application/json"}});
    EXPECT_EQ(reply.status, 201) << reply.error << reply.body;
    if (reply.status != 201) return "";
    return std::string(boost::json::parse(reply.body).at("token").as_string());
  }

  // A request with a JSON body (none when null), as it was answered.
  RawReply Send(const std::string& method, const std::string& target, const boost::json::value& body = nullptr) {
    return http_.Send(method, target, body.is_null() ? "" : boost::json::serialize(body),
                      {{"Authorization", "Bearer " + token_}, {"Content-Type", "application/json"}});
  }

  // The answer's JSON when it came with `expected`; otherwise null and a test failure.
  boost::json::value Call(const std::string& method, const std::string& target,
                          const boost::json::value& body = nullptr, int expected = 200) {
    RawReply reply = Send(method, target, body);
    EXPECT_EQ(reply.status, expected) << method << " " << target << ": " << reply.error << reply.body;
    return reply.status == expected ? boost::json::parse(reply.body) : boost::json::value();
  }

  // A GET whose answer is not JSON (a file).
  RawReply Get(const std::string& target) {
    return http_.Send("GET", target, "", {{"Authorization", "Bearer " + token_}});
  }

 private:
  RawHttp http_;
  std::string token_;
};

}  // namespace spegla::test
