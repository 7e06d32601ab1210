// The documents of an instance: list the stored versions, fetch one, make one now, or render a preview
// (`spegla render --instance`). Files are written to a temporary name and renamed, never half-written.
#include <unistd.h>

#include <filesystem>

#include "commands.h"
#include "spegla/atomic_file.h"

namespace spegla::cli {
namespace {

namespace fs = std::filesystem;

int Save(Context& c, const Result<Document>& doc) {
  if (!doc) return c.Fail(doc.error());
  std::optional<std::string> output = c.args.Get("output");
  if (!output || output->empty()) return c.Usage("-o FILE is required");
  fs::path target = *output;
  std::error_code ec;
  if (fs::is_directory(target, ec)) target /= doc.value().info.file_name;
  if (std::string failed = WriteWholeFile(target, doc.value().bytes); !failed.empty()) {
    return c.Fail(Error::Of(ErrorCode::kInternal, failed));
  }
  c.out << target.string() << "\n";
  return kExitOk;
}

int List(Context& c) {
  std::optional<std::int64_t> id = c.Id(c.args.positional()[0], "INSTANCE");
  if (!id) return kExitUsage;
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  Result<std::vector<DocumentInfo>> documents = engine->Documents(c.actor(), *id);
  if (!documents) return c.Fail(documents.error());
  if (documents.value().empty()) c.out << "(no documents yet)\n";
  for (const DocumentInfo& d : documents.value()) {
    c.out << d.document_id << " v" << d.version << "  " << d.label << "  " << d.file_name << "  " << d.size
          << " bytes  " << FormatTimestamp(d.created_at) << " by " << d.created_by << "  (data "
          << d.data_version << ")\n";
  }
  return kExitOk;
}

int Fetch(Context& c) {
  std::optional<std::int64_t> id = c.Id(c.args.positional()[0], "INSTANCE");
  if (!id) return kExitUsage;
  std::optional<int> version;
  if (std::optional<std::string> v = c.args.Get("version")) {
    std::optional<std::int64_t> parsed = c.Id(*v, "--version");
    if (!parsed) return kExitUsage;
    version = static_cast<int>(*parsed);
  }
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  return Save(c, engine->GetDocument(c.actor(), *id, c.args.positional()[1], version));
}

int Make(Context& c) {
  std::optional<std::int64_t> id = c.Id(c.args.positional()[0], "INSTANCE");
  if (!id) return kExitUsage;
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  Result<DocumentInfo> made = engine->GenerateDocument(c.actor(), *id, c.args.positional()[1]);
  if (!made) return c.Fail(made.error());
  c.out << made.value().document_id << " v" << made.value().version << " " << made.value().file_name << "\n";
  return kExitOk;
}

}  // namespace

int RenderInstanceDocument(Context& c) {
  std::optional<std::int64_t> id = c.Id(*c.args.Get("instance"), "--instance");
  if (!id) return kExitUsage;
  std::optional<std::string> document = c.args.Get("document");
  if (!document) return c.Usage("render --instance needs --document NAME");
  if (!c.args.positional().empty()) return c.Usage("render --instance takes no template or data files");
  std::unique_ptr<Engine> engine = c.OpenEngine();
  if (!engine) return kExitFailure;
  return Save(c, engine->RenderDocument(c.actor(), *id, *document));
}

void AddDocumentCommands(std::vector<Command>& commands) {
  commands.push_back(Command{"instance documents",
                             "INSTANCE",
                             "list the stored versions of the instance's documents",
                             {},
                             {},
                             1,
                             1,
                             List});
  commands.push_back(Command{"instance document",
                             "INSTANCE NAME -o FILE [--version N]",
                             "fetch a stored document (the latest version unless --version)",
                             {},
                             {"output", "version"},
                             2,
                             2,
                             Fetch});
  commands.push_back(Command{"instance make-document",
                             "INSTANCE NAME",
                             "render and store the next version of a document now",
                             {},
                             {},
                             2,
                             2,
                             Make});
}

}  // namespace spegla::cli
