// spegla render TEMPLATE DATA.json... -o OUT: one document per data file, by the plugin for the template's
// extension. All or nothing: every document is rendered to a temporary file beside its target, and only
// when all of them succeeded are they renamed into place; on any problem nothing is written.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "commands.h"
#include "json_input.h"
#include "json_output.h"
#include "spegla/atomic_file.h"

namespace spegla::cli {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> ReadFile(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = std::string("cannot read: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) {
    *error = "cannot read the whole file";
    return std::nullopt;
  }
  return std::move(bytes).str();
}

// Creates `path`, which must not exist yet, with `bytes`, and flushes it to disk. Returns the error.
std::optional<std::string> WriteNewFile(const fs::path& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return std::string("cannot create: ") + std::strerror(errno);
  const char* data = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string error = std::string("cannot write: ") + std::strerror(errno);
      ::close(fd);
      return error;
    }
    data += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return std::string("cannot write: ") + std::strerror(errno);
  return std::nullopt;
}

// Temporary files that are removed unless they were renamed into place.
class PendingFiles {
 public:
  ~PendingFiles() { Discard(); }
  void Discard() {
    std::error_code ec;
    for (const auto& [temporary, target] : files_) fs::remove(temporary, ec);
    files_.clear();
  }
  void Add(fs::path temporary, fs::path target) {
    files_.emplace_back(std::move(temporary), std::move(target));
  }
  // Renames every file into place; returns the problems (normally none).
  Problems Commit() {
    Problems problems;
    for (const auto& [temporary, target] : files_) {
      std::error_code ec;
      fs::rename(temporary, target, ec);
      if (ec) problems.push_back(Problem{{target.string(), 0, 0}, "cannot write: " + ec.message()});
    }
    files_.clear();
    return problems;
  }

 private:
  std::vector<std::pair<fs::path, fs::path>> files_;
};

// "[##########..........]  12/50" redrawn in place.
void DrawProgress(std::ostream& err, size_t done, size_t total) {
  constexpr size_t kWidth = 30;
  size_t filled = total ? done * kWidth / total : kWidth;
  err << "\r[" << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] " << done << "/"
      << total << (done == total ? "\n" : "") << std::flush;
}

// The plugin named by --plugin, else the one for the template's extension; null with *error set if none.
const DocumentPlugin* ChoosePlugin(const PluginHost& host, const std::string& template_path,
                                   const std::optional<std::string>& name, std::string* error) {
  auto loaded = [&] {
    std::string names;
    for (const PluginInfo& p : host.List())
      names += (names.empty() ? "" : ", ") + p.name + " (." + p.extension + ")";
    return names.empty() ? std::string("none") : names;
  };
  if (name) {
    const DocumentPlugin* plugin = host.Find(*name);
    if (!plugin) *error = "no plugin named '" + *name + "' (loaded: " + loaded() + ")";
    return plugin;
  }
  std::string extension = fs::path(template_path).extension().string();
  if (extension.size() < 2) {
    *error = "the template has no file extension to choose a plugin by; name one with --plugin";
    return nullptr;
  }
  std::vector<const DocumentPlugin*> plugins = host.ForExtension(extension.substr(1));
  if (plugins.empty()) {
    *error = "no plugin renders " + extension + " templates (loaded: " + loaded() + ")";
    return nullptr;
  }
  if (plugins.size() > 1) {
    std::string names;
    for (const DocumentPlugin* p : plugins) names += (names.empty() ? "" : ", ") + std::string(p->Name());
    *error = "several plugins render " + extension + " templates (" + names + "); choose one with --plugin";
    return nullptr;
  }
  return plugins.front();
}

bool SameFile(const fs::path& a, const fs::path& b) {
  std::error_code ec;
  return fs::exists(a, ec) && fs::exists(b, ec) && fs::equivalent(a, b, ec);
}

class Renderer {
 public:
  explicit Renderer(Context& c) : c_(c) {}

  int Run() {
    if (c_.args.Get("instance")) return RenderInstanceDocument(c_);
    std::optional<std::string> output = c_.args.Get("output");
    if (!output || output->empty()) return c_.Usage("render: -o OUT is required");
    const std::vector<std::string>& positional = c_.args.positional();
    if (positional.size() < 2) return c_.Usage("render: give a template and at least one data file");
    template_path_ = positional[0];
    data_files_.assign(positional.begin() + 1, positional.end());

    Problems load_problems;
    std::unique_ptr<PluginHost> host = LoadPlugins(c_, &load_problems);
    for (const Problem& p : load_problems) c_.err << "spegla: warning: " << p.Format() << "\n";

    std::string error;
    const DocumentPlugin* plugin = ChoosePlugin(*host, template_path_, c_.args.Get("plugin"), &error);
    if (!plugin) return Fail(template_path_, error);
    std::optional<std::string> template_bytes = ReadFile(template_path_, &error);
    if (!template_bytes) return Fail(template_path_, error);
    for (const TemplateProblem& p : plugin->Check(*template_bytes)) Add(template_path_, p.Format());
    if (!problems_.empty()) return Finish();

    if (int status = PlanTargets(*output, plugin->Extension()); status != kExitOk) return status;
    if (!problems_.empty()) return Finish();
    std::vector<TemplateData> data = ReadData();
    if (!problems_.empty()) return Finish();

    if (!new_directory_.empty()) {
      std::error_code ec;
      fs::create_directories(new_directory_, ec);
      if (ec) return Fail(new_directory_.string(), "cannot create the directory: " + ec.message());
    }
    RenderOptions options;
    options.missing_is_error = c_.args.Has("missing-is-error");
    bool progress = c_.env.progress && data.size() > 1;
    PendingFiles pending;
    for (size_t i = 0; i < data.size(); ++i) {
      RenderOutcome outcome = plugin->Render(*template_bytes, data[i], options);
      for (const TemplateProblem& p : outcome.problems) Add(data_files_[i], p.Format());
      if (outcome.problems.empty()) {
        fs::path temporary = TemporaryFor(targets_[i], i);
        // What an earlier render of the same files left when it was killed goes first (WriteNewFile
        // creates its file exclusively).
        RemoveStaleTemporaries(targets_[i]);
        std::error_code stale;
        fs::remove(temporary, stale);
        if (std::optional<std::string> failed = WriteNewFile(temporary, outcome.bytes)) {
          Add(targets_[i].string(), *failed);
        } else {
          pending.Add(temporary, targets_[i]);
        }
      }
      if (progress) DrawProgress(c_.err, i + 1, data.size());
    }
    if (problems_.empty()) {
      problems_ = pending.Commit();
    } else {
      pending.Discard();
    }
    return Finish();
  }

 private:
  void Add(const std::string& file, std::string message) {
    problems_.push_back(Problem{{file, 0, 0}, std::move(message)});
  }
  int Fail(const std::string& file, std::string message) {
    Add(file, std::move(message));
    return Finish();
  }

  // One target per data file: OUT itself for one data file (unless OUT is a directory), else
  // OUT/<data file's stem>.<extension>. Refuses names that collide or that would overwrite an input.
  int PlanTargets(const fs::path& out, std::string_view extension) {
    std::error_code ec;
    bool into_directory = data_files_.size() > 1 || fs::is_directory(out, ec);
    if (into_directory) {
      if (fs::exists(out, ec) && !fs::is_directory(out, ec)) {
        return c_.Usage("render: with several data files, -o names a directory, and " + out.string() +
                        " is a file");
      }
      if (!fs::exists(out, ec)) new_directory_ = out;
    }
    std::map<fs::path, std::string> claimed;
    for (const std::string& file : data_files_) {
      fs::path target =
          into_directory ? out / (fs::path(file).stem().string() + "." + std::string(extension)) : out;
      if (auto [it, fresh] = claimed.emplace(target.lexically_normal(), file); !fresh) {
        Add(file, "would be written to " + target.string() + ", like " + it->second + "; rename one of them");
      }
      for (const std::string& input : data_files_) {
        if (SameFile(target, input)) Add(file, "the document would overwrite the data file " + input);
      }
      if (SameFile(target, template_path_)) Add(file, "the document would overwrite the template");
      targets_.push_back(std::move(target));
    }
    return kExitOk;
  }

  // Every data file is parsed before anything is rendered, so that a typo in the last one costs nothing.
  std::vector<TemplateData> ReadData() {
    std::vector<TemplateData> data(data_files_.size());
    for (size_t i = 0; i < data_files_.size(); ++i) {
      std::string error;
      std::optional<std::string> text = ReadFile(data_files_[i], &error);
      if (!text) {
        Add(data_files_[i], error);
        continue;
      }
      for (Problem& p : ParseTemplateData(*text, data_files_[i], &data[i])) problems_.push_back(std::move(p));
    }
    return data;
  }

  static fs::path TemporaryFor(const fs::path& target, size_t index) {
    return TemporaryBeside(target, std::to_string(index));
  }

  int Finish() {
    std::vector<std::pair<std::string, std::string>> documents;
    if (problems_.empty()) {
      for (size_t i = 0; i < data_files_.size(); ++i)
        documents.emplace_back(data_files_[i], targets_[i].string());
    }
    if (!problems_.empty() && !new_directory_.empty()) {
      std::error_code ec;
      fs::remove(new_directory_, ec);  // only when empty, as it is when nothing was written
    }
    if (c_.json()) {
      c_.out << RenderJson(documents, problems_) << "\n";
    } else {
      for (const auto& [data, output] : documents) c_.out << output << "\n";
      for (const Problem& p : problems_) c_.err << p.Format() << "\n";
      if (!problems_.empty()) c_.err << "spegla render: nothing was written\n";
    }
    return problems_.empty() ? kExitOk : kExitFailure;
  }

  Context& c_;
  std::string template_path_;
  std::vector<std::string> data_files_;
  std::vector<fs::path> targets_;  // one per data file
  fs::path new_directory_;         // OUT, when it is a directory this command creates
  Problems problems_;
};

}  // namespace

void AddRenderCommands(std::vector<Command>& commands) {
  commands.push_back(
      Command{"render",
              "TEMPLATE DATA.json... -o OUT [--missing-is-error] [--plugin NAME] [--plugins DIR] | "
              "--instance ID --document NAME -o OUT",
              "render a template once per JSON data file (OUT: a file for one, a directory for several), or "
              "preview an instance's document from its current data",
              {"missing-is-error"},
              {"output", "plugin", "plugins", "instance", "document"},
              0,
              SIZE_MAX,
              [](Context& c) { return Renderer(c).Run(); }});
}

}  // namespace spegla::cli
