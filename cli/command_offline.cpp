// Offline forms on the command line: `spegla form download` writes the fillable Word or Excel file of a
// form, `spegla import` reads a filled one back into its instance (docs/offline-forms.md).
#include <filesystem>
#include <fstream>
#include <iterator>

#include "commands.h"
#include "json_output.h"
#include "offline_import.h"
#include "spegla/atomic_file.h"

namespace spegla::cli {
namespace {

namespace fs = std::filesystem;

// Files larger than this are not forms Spegla made (a form with every field full is well under 10 MB).
constexpr std::uintmax_t kMaxUpload = 32u << 20;

int Download(Context& c) {
  std::optional<std::int64_t> id = c.Id(c.args.positional()[0], "INSTANCE");
  if (!id) return kExitUsage;
  const std::string format = c.args.GetOr("format", "docx");
  if (format != "docx" && format != "xlsx") return c.Usage("--format must be docx or xlsx");
  int occurrence = 0;
  if (std::optional<std::string> text = c.args.Get("occurrence")) {
    std::optional<std::int64_t> parsed = c.Id(*text, "--occurrence");
    if (!parsed) return kExitUsage;
    occurrence = static_cast<int>(*parsed);
  }
  std::optional<std::string> output = c.args.Get("output");
  if (!output || output->empty()) return c.Usage("-o FILE is required");
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  Result<offline::OfflineFile> file =
      offline::MakeOfflineForm(*engine, c.actor(), *id, c.args.positional()[1], occurrence,
                               format == "docx" ? offline::FileKind::kDocx : offline::FileKind::kXlsx);
  if (!file) return c.Fail(file.error());
  fs::path target = *output;
  std::error_code ec;
  if (fs::is_directory(target, ec)) target /= file.value().file_name;
  if (std::string failed = WriteWholeFile(target, file.value().bytes); !failed.empty()) {
    return c.Fail(Error::Of(ErrorCode::kInternal, failed));
  }
  c.out << target.string() << "\n";
  return kExitOk;
}

int Import(Context& c) {
  const fs::path path = c.args.positional()[0];
  offline::ImportTarget target;
  if (std::optional<std::string> text = c.args.Get("instance")) {
    target.instance = c.Id(*text, "--instance");
    if (!target.instance) return kExitUsage;
  }
  std::error_code ec;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) return c.Fail(Error::Of(ErrorCode::kInvalid, "cannot read " + path.string() + ": " + ec.message(), "file"));
  if (size > kMaxUpload) {
    return c.Fail(Error::Of(ErrorCode::kInvalid,
                            "Filen är för stor för ett formulär (högst " + std::to_string(kMaxUpload >> 20) +
                                " MB).",
                            "file"));
  }
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) return c.Fail(Error::Of(ErrorCode::kInvalid, "cannot read " + path.string(), "file"));
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  Result<offline::ImportOutcome> done = offline::ImportOfflineForm(*engine, c.actor(), bytes, target);
  if (!done) return c.Fail(done.error());
  const offline::ImportOutcome& o = done.value();
  if (c.json()) {
    c.out << ImportJson(o.instance, o.form, o.occurrence, o.changed, o.merged, o.missing) << "\n";
    return kExitOk;
  }
  auto join = [](const std::vector<std::string>& ids) {
    std::string out;
    for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
    return out;
  };
  c.out << "instance " << o.instance << ", form " << o.form
        << (o.occurrence > 0 ? " #" + std::to_string(o.occurrence) : std::string()) << ": ";
  if (o.changed.empty()) {
    c.out << "no answers changed\n";
  } else {
    c.out << o.changed.size() << " field" << (o.changed.size() == 1 ? "" : "s") << " written ("
          << join(o.changed) << ")\n";
  }
  if (!o.merged.empty()) c.out << "  merged with edits made since the download: " << join(o.merged) << "\n";
  if (!o.missing.empty()) c.out << "  not in the file, left as they were: " << join(o.missing) << "\n";
  return kExitOk;
}

}  // namespace

void AddOfflineFormCommands(std::vector<Command>& commands) {
  commands.push_back(Command{"form download",
                             "INSTANCE FORM -o FILE [--format docx|xlsx] [--occurrence N]",
                             "the fillable Word or Excel file of a form, to fill in offline",
                             {},
                             {"output", "format", "occurrence"},
                             2,
                             2,
                             Download});
  commands.push_back(Command{"import",
                             "FILE [--instance ID]",
                             "read a filled-in form file back into its instance; a field changed since is a "
                             "conflict",
                             {},
                             {"instance"},
                             1,
                             1,
                             Import});
}

}  // namespace spegla::cli
