// Renders one .docx template from one JSON file N times in one process, on one thread, through the docx
// plugin's public interface (as the engine calls it), and prints documents per second.
// Usage: spegla_docx_bench TEMPLATE.docx DATA.json N [OUT.docx]
#include <boost/json.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "docx_plugin.h"

namespace {

std::string ReadFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot read ") + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

spegla::TemplateData FromJson(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null:
      return {};
    case boost::json::kind::bool_:
      return v.get_bool();
    case boost::json::kind::int64:
      return std::to_string(v.get_int64());
    case boost::json::kind::uint64:
      return std::to_string(v.get_uint64());
    case boost::json::kind::double_: {
      char buffer[32];
      auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v.get_double());
      return std::string(buffer, end);
    }
    case boost::json::kind::string:
      return std::string(v.get_string());
    case boost::json::kind::array: {
      spegla::TemplateData::List list;
      for (const auto& item : v.get_array()) list.push_back(FromJson(item));
      return list;
    }
    case boost::json::kind::object: {
      spegla::TemplateData::Object object;
      for (const auto& [key, member] : v.get_object())
        object.emplace_back(std::string(key), FromJson(member));
      return object;
    }
  }
  return {};
}

struct Registrar : spegla::PluginRegistrar {
  std::unique_ptr<spegla::DocumentPlugin> plugin;
  void Add(std::unique_ptr<spegla::DocumentPlugin> p) override { plugin = std::move(p); }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: spegla_docx_bench TEMPLATE.docx DATA.json N [OUT.docx]\n";
    return 2;
  }
  try {
    const std::string template_bytes = ReadFile(argv[1]);
    const spegla::TemplateData data = FromJson(boost::json::parse(ReadFile(argv[2])));
    const long n = std::stol(argv[3]);
    Registrar registrar;
    spegla::RegisterDocxPlugin(registrar);
    const spegla::DocumentPlugin& plugin = *registrar.plugin;

    spegla::RenderOutcome outcome = plugin.Render(template_bytes, data, {});  // warm-up: compiles and caches
    for (const spegla::TemplateProblem& problem : outcome.problems) std::cerr << problem.Format() << "\n";
    if (!outcome.problems.empty()) return 1;

    const auto start = std::chrono::steady_clock::now();
    for (long i = 0; i < n; ++i) outcome = plugin.Render(template_bytes, data, {});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (argc > 4) std::ofstream(argv[4], std::ios::binary) << outcome.bytes;
    std::printf("spegla docs_per_s=%.1f bytes=%zu\n", static_cast<double>(n) / seconds, outcome.bytes.size());
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
