// Renders one .docx template from one JSON file N times in one process, on one thread, through the docx
// plugin's public interface (as the engine calls it), and prints documents per second.
// Usage: spegla_docx_bench TEMPLATE.docx DATA.json N [OUT.docx]
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "docx_plugin.h"
#include "json_input.h"

namespace {

std::string ReadFile(const char* path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(std::string("cannot read ") + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

struct Registrar : spegla::PluginRegistrar {
  std::unique_ptr<spegla::DocumentPlugin> plugin;
  void Add(std::unique_ptr<spegla::DocumentPlugin> p) override { plugin = std::move(p); }
  void AddExport(std::unique_ptr<spegla::ExportPlugin>) override {}
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: spegla_docx_bench TEMPLATE.docx DATA.json N [OUT.docx]\n";
    return 2;
  }
  try {
    const std::string template_bytes = ReadFile(argv[1]);
    spegla::TemplateData data;
    for (const spegla::Problem& p : spegla::cli::ParseTemplateData(ReadFile(argv[2]), argv[2], &data)) {
      throw std::runtime_error(p.Format());
    }
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
