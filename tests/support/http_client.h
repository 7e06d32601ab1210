// A small synchronous HTTP/1.1 client for tests against a server on 127.0.0.1: keeps its connection
// alive between requests and keeps cookies like a browser would (name=value only, no paths or domains).
// Beast stays inside http_client.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace spegla::test {

struct TestResponse {
  int status = 0;
  // Names in lower case. A repeated header's values are joined with ", ", except Set-Cookie, which holds
  // the last one: all of them are in set_cookies, in order.
  std::map<std::string, std::string> headers;
  std::vector<std::string> set_cookies;
  std::string body;

  const std::string& Header(const std::string& lower_case_name) const;  // "" when absent
};

class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads its response (connecting first when needed). Adds Host, Content-Length
  // (when there is a body) and Cookie (from the jar, unless `headers` has one); stores the Set-Cookie
  // values of the response (a cookie with Max-Age=0 or an empty value is removed). A connection the server
  // had closed while idle is opened again once. Fails the test (ADD_FAILURE) and returns status 0 when
  // there is no response within the timeout.
  TestResponse Request(const std::string& method, const std::string& target, const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});

  // Waits until the server closes the connection: true when it did, false when data came instead or the
  // timeout passed first. True at once when no connection is open.
  bool WaitForClose();

  bool connected() const;
  int connections_opened() const;  // TCP connections made so far (to see keep-alive at work)
  std::map<std::string, std::string>& cookies();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Connects, writes `bytes` as they are, then reads until the server closes the connection or `timeout`
// passes; returns everything read. `closed_by_server` (when given) tells which of the two ended it.
std::string SendRaw(std::uint16_t port, const std::string& bytes,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10),
                    bool* closed_by_server = nullptr);

}  // namespace spegla::test
