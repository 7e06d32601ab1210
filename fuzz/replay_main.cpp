// spegla_fuzz_replay TARGET PATH...: runs every file under the PATHs (a directory: each regular file in it,
// recursively, in name order; a file: itself) through one fuzz target's entry function, the way libFuzzer
// runs an input, but in an ordinary build without libFuzzer (ASan and UBSan in the debug preset). A crash,
// a sanitizer report or a broken invariant aborts; an exception escaping the target fails too. A PATH that
// does not exist is skipped, but some file must be found.
//
// The targets' sources are compiled for this with LLVMFuzzerTestOneInput renamed (fuzz/CMakeLists.txt).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int SpeglaFuzz_workflow_loader(const std::uint8_t* data, std::size_t size);
extern "C" int SpeglaFuzz_expression(const std::uint8_t* data, std::size_t size);
extern "C" int SpeglaFuzz_docx_template(const std::uint8_t* data, std::size_t size);
extern "C" int SpeglaFuzz_api_json(const std::uint8_t* data, std::size_t size);

namespace {

using Entry = int (*)(const std::uint8_t*, std::size_t);

struct Target {
  const char* name;
  Entry entry;
};

constexpr Target kTargets[] = {
    {"workflow_loader", &SpeglaFuzz_workflow_loader},
    {"expression", &SpeglaFuzz_expression},
    {"docx_template", &SpeglaFuzz_docx_template},
    {"api_json", &SpeglaFuzz_api_json},
};

std::vector<std::filesystem::path> Inputs(const std::vector<std::string>& paths) {
  std::vector<std::filesystem::path> files;
  for (const std::string& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
      files.emplace_back(path);
    } else if (std::filesystem::is_directory(path, ec)) {
      std::vector<std::filesystem::path> found;
      for (const auto& entry : std::filesystem::recursive_directory_iterator(path)) {
        if (entry.is_regular_file()) found.push_back(entry.path());
      }
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    }
  }
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: spegla_fuzz_replay TARGET PATH...\n";
    return 2;
  }
  const Target* target = nullptr;
  for (const Target& t : kTargets) {
    if (std::strcmp(t.name, argv[1]) == 0) target = &t;
  }
  if (target == nullptr) {
    std::cerr << "spegla_fuzz_replay: no fuzz target " << argv[1] << "\n";
    return 2;
  }
  const std::vector<std::filesystem::path> files = Inputs(std::vector<std::string>(argv + 2, argv + argc));
  if (files.empty()) {
    std::cerr << "spegla_fuzz_replay: no input files\n";
    return 1;
  }
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::cerr << "spegla_fuzz_replay: cannot read " << file << "\n";
      return 1;
    }
    try {
      target->entry(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    } catch (const std::exception& e) {
      std::cerr << "spegla_fuzz_replay: " << file << ": exception escaped the target: " << e.what() << "\n";
      return 1;
    } catch (...) {
      std::cerr << "spegla_fuzz_replay: " << file << ": exception escaped the target\n";
      return 1;
    }
  }
  std::cout << "replayed " << files.size() << " inputs through " << target->name << "\n";
  return 0;
}
