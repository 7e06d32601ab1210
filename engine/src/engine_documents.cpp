// Documents of instances (docs/documents.md): templates are stored with their definition version when it
// is installed, and a document is rendered and stored, in the same transaction, when its trigger happens.

#include <Poco/DigestStream.h>
#include <Poco/SHA2Engine.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>

#include "document_data.h"
#include "engine_internal.h"
#include "spegla/plugin_host.h"
#include "text.h"

namespace spegla {
namespace {

// Templates and documents are stored as base64 text (RFC 4648, padded, on one line). Coded here directly:
// a stream-based codec costs more than rendering the document.
constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64(std::string_view bytes) {
  std::string out((bytes.size() + 2) / 3 * 4, '=');
  auto byte = [&](size_t at) { return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])); };
  size_t i = 0, o = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out[o++] = kBase64Alphabet[n >> 18 & 0x3F];
    out[o++] = kBase64Alphabet[n >> 12 & 0x3F];
    out[o++] = kBase64Alphabet[n >> 6 & 0x3F];
    out[o++] = kBase64Alphabet[n & 0x3F];
  }
  if (const size_t rest = bytes.size() - i; rest > 0) {  // the padding '=' is there already
    const std::uint32_t n = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
    out[o++] = kBase64Alphabet[n >> 18 & 0x3F];
    out[o++] = kBase64Alphabet[n >> 12 & 0x3F];
    if (rest == 2) out[o] = kBase64Alphabet[n >> 6 & 0x3F];
  }
  return out;
}

// Decodes what Base64 wrote; characters outside the alphabet (line breaks) are skipped, and decoding stops
// at the padding.
std::string FromBase64(std::string_view text) {
  static const std::array<signed char, 256> kValues = [] {
    std::array<signed char, 256> values{};
    values.fill(-1);
    for (size_t i = 0; i < kBase64Alphabet.size(); ++i) {
      values[static_cast<unsigned char>(kBase64Alphabet[i])] = static_cast<signed char>(i);
    }
    return values;
  }();
  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    const signed char value = kValues[static_cast<unsigned char>(c)];
    if (value < 0) continue;
    bits = bits << 6 | static_cast<std::uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>(bits >> count & 0xFF);
    }
  }
  return out;
}

std::string Sha256(const std::string& bytes) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(bytes.data(), static_cast<unsigned>(bytes.size()));
  return Poco::DigestEngine::digestToHex(engine.digest());
}

constexpr const char* kDocumentColumns =
    "document_id, version, data_version, file_name, media_type, size, created_at, created_by, "
    "template_sha256";

DocumentInfo InfoFromRow(const WorkflowDefinition& def, const Database::Row& r) {
  DocumentInfo info;
  info.document_id = r.Text(0);
  for (const DocumentRule& rule : def.documents) {
    if (rule.id == info.document_id) info.label = rule.label;
  }
  info.version = static_cast<int>(r.Int(1));
  info.data_version = r.Int(2);
  info.file_name = r.Text(3);
  info.media_type = r.Text(4);
  info.size = static_cast<size_t>(r.Int(5));
  info.created_at = ParseTimestamp(r.Text(6)).value_or(Timestamp{});
  info.created_by = r.Text(7);
  info.template_sha256 = r.Text(8);
  return info;
}

const DocumentRule* FindRule(const WorkflowDefinition& def, const std::string& id) {
  for (const DocumentRule& rule : def.documents) {
    if (rule.id == id) return &rule;
  }
  return nullptr;
}

int NextVersion(Database& db, std::int64_t instance, const std::string& document) {
  std::vector<Database::Row> last = db.Query(
      "SELECT MAX(version) FROM documents WHERE instance_id = ? AND document_id = ?", {instance, document});
  return last.empty() || last[0].IsNull(0) ? 1 : static_cast<int>(last[0].Int(0)) + 1;
}

Error NoSuchDocument(const std::string& id) {
  return Error::Of(ErrorCode::kNotFound, "Processen har inget dokument " + Quoted(id) + ".", "document");
}

}  // namespace

void Engine::SetPlugins(const PluginHost* plugins) { plugins_ = plugins; }

Problems Engine::ReadTemplates(const WorkflowDefinition& def,
                               std::map<std::string, std::string>* by_document) const {
  Problems problems;
  for (const DocumentRule& rule : def.documents) {
    std::ifstream in(rule.resolved_template, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (!in) {
      problems.push_back({rule.where, "cannot read the template " + Quoted(rule.template_path)});
      continue;
    }
    if (plugins_) {
      const DocumentPlugin* plugin = plugins_->Find(rule.plugin);
      if (!plugin) {
        problems.push_back({rule.where, "document '" + rule.id + "': no plugin named '" + rule.plugin +
                                            "' is loaded (see `spegla plugins`)"});
        continue;
      }
      for (const TemplateProblem& p : plugin->Check(bytes.str())) {
        problems.push_back({rule.where, "template " + rule.template_path + ": " + p.Format()});
      }
    }
    (*by_document)[rule.id] = bytes.str();
  }
  return problems;
}

void Engine::SaveTemplates(const Actor& actor, const WorkflowDefinition& def,
                           const std::map<std::string, std::string>& by_document) {
  for (const auto& [document, bytes] : by_document) {
    std::string sha = Sha256(bytes);
    std::vector<Database::Row> stored = db_->Query(
        "SELECT sha256 FROM document_templates WHERE workflow_id = ? AND version = ? AND document_id = ?",
        {def.id, std::int64_t{def.version}, document});
    if (!stored.empty() && stored[0].Text(0) == sha) continue;
    if (stored.empty()) {
      db_->Execute(
          "INSERT INTO document_templates (workflow_id, version, document_id, content, sha256, installed_at) "
          "VALUES (?, ?, ?, ?, ?, ?)",
          {def.id, std::int64_t{def.version}, document, Base64(bytes), sha, Now()});
    } else {
      db_->Execute(
          "UPDATE document_templates SET content = ?, sha256 = ?, installed_at = ? WHERE workflow_id = ? AND "
          "version = ? AND document_id = ?",
          {Base64(bytes), sha, Now(), def.id, std::int64_t{def.version}, document});
    }
    Audit(std::nullopt, actor, stored.empty() ? "template.install" : "template.update",
          def.id + " v" + std::to_string(def.version) + ": " + document, std::nullopt, sha);
  }
}

Result<const DocumentRule*> Engine::ReadableRule(const Loaded& inst, const Actor& viewer,
                                                 const std::string& document) const {
  const DocumentRule* rule = FindRule(*inst.def, document);
  if (!rule) return NoSuchDocument(document);
  if (!MayReadDocument(inst, viewer, *rule)) {
    return Error::Of(ErrorCode::kForbidden, "Du får inte läsa " + Quoted(rule->label) + ".");
  }
  return rule;
}

bool Engine::MayReadDocument(const Loaded& inst, const Actor& actor, const DocumentRule& rule) const {
  if (actor.is_operator) return true;
  std::vector<std::string> audience = inst.def->DocumentAudience(rule);
  for (const std::string& role : RolesOf(inst, actor)) {
    if (std::find(audience.begin(), audience.end(), role) != audience.end()) return true;
  }
  return false;
}

Result<Document> Engine::Render(const Loaded& inst, const DocumentRule& rule, int version) {
  if (!plugins_) return Error::Of(ErrorCode::kRefused, "Inga dokumentinsticksmoduler är laddade.");
  const DocumentPlugin* plugin = plugins_->Find(rule.plugin);
  if (!plugin) {
    return Error::Of(ErrorCode::kRefused, "Insticksmodulen " + Quoted(rule.plugin) + " är inte laddad.");
  }
  std::vector<Database::Row> tpl = db_->Query(
      "SELECT sha256 FROM document_templates WHERE workflow_id = ? AND version = ? AND document_id = ?",
      {inst.def->id, std::int64_t{inst.def->version}, rule.id});
  if (tpl.empty()) {
    return Error::Of(ErrorCode::kRefused,
                     "Mallen för " + Quoted(rule.label) + " är inte installerad; installera processen igen.");
  }
  const std::string sha = tpl[0].Text(0);
  std::shared_ptr<const std::string> template_bytes = caches_->templates.Find(sha);
  if (!template_bytes) {
    std::vector<Database::Row> content = db_->Query(
        "SELECT content FROM document_templates WHERE workflow_id = ? AND version = ? AND document_id = ?",
        {inst.def->id, std::int64_t{inst.def->version}, rule.id});
    template_bytes = caches_->templates.Add(sha, FromBase64(content.at(0).Text(0)));
  }
  std::vector<Database::Row> facts = db_->Query(
      "SELECT u.name, m.name, COALESCE(t.name, ''), (SELECT MAX(id) FROM audit_log WHERE instance_id = i.id) "
      "FROM instances i JOIN units u ON u.id = i.unit_id JOIN municipalities m ON m.id = u.municipality_id "
      "LEFT JOIN teams t ON t.id = i.team_id WHERE i.id = ?",
      {inst.id});
  DocumentFacts f{facts[0].Text(0), facts[0].Text(1), facts[0].Text(2), clock_.Today(), version};
  RenderOutcome out = plugin->Render(*template_bytes, BuildDocumentData(inst, rule, f), {});
  if (!out.problems.empty()) {
    Error error{ErrorCode::kInternal, {}};
    for (const TemplateProblem& p : out.problems) error.issues.push_back({"document:" + rule.id, p.Format()});
    return error;
  }
  Document doc;
  doc.info.document_id = rule.id;
  doc.info.label = rule.label;
  doc.info.version = version;
  doc.info.data_version = facts[0].IsNull(3) ? 0 : facts[0].Int(3);
  doc.info.file_name = rule.id + "-v" + std::to_string(version) + "." + std::string(plugin->Extension());
  doc.info.media_type = std::string(plugin->Produces());
  doc.info.size = out.bytes.size();
  doc.info.created_at = clock_.Now();
  doc.info.template_sha256 = sha;
  doc.bytes = std::move(out.bytes);
  return doc;
}

Result<DocumentInfo> Engine::Store(Loaded& inst, const Actor& actor, const DocumentRule& rule) {
  Result<Document> rendered = Render(inst, rule, NextVersion(*db_, inst.id, rule.id));
  if (!rendered) return rendered.error();
  Document& doc = rendered.value();
  doc.info.created_by = actor.username;
  const int version = doc.info.version;
  db_->Execute(
      "INSERT INTO documents (instance_id, document_id, version, data_version, template_sha256, file_name, "
      "media_type, content, size, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {inst.id, rule.id, std::int64_t{version}, doc.info.data_version, doc.info.template_sha256,
       doc.info.file_name, doc.info.media_type, Base64(doc.bytes),
       static_cast<std::int64_t>(doc.bytes.size()), Now(), actor.username});
  Audit(inst.id, actor, "document.create", "document:" + rule.id, std::nullopt,
        "version " + std::to_string(version), doc.info.file_name);
  return doc.info;
}

void Engine::ProduceDocuments(Loaded& inst, const Actor& actor, DocumentRule::Trigger trigger,
                              const std::string& target) {
  for (const DocumentRule& rule : inst.def->documents) {
    if (rule.trigger != trigger || rule.trigger_target != target) continue;
    if (!plugins_) continue;  // an engine without plugins (a tool, a test) makes no documents
    Result<DocumentInfo> stored = Store(inst, actor, rule);
    // The step is done whatever the template does; a failure is on record for the administrator.
    if (!stored) {
      Audit(inst.id, actor, "document.failed", "document:" + rule.id, std::nullopt, std::nullopt,
            stored.error().Summary());
    }
  }
}

Result<std::vector<DocumentInfo>> Engine::Documents(const Actor& viewer, std::int64_t instance) {
  return Read<std::vector<DocumentInfo>>([&]() -> Result<std::vector<DocumentInfo>> {
    Result<Loaded> inst = Load(instance);
    if (!inst) return inst.error();
    if (Result<Ok> may = MayViewInstance(*db_, inst.value(), viewer, nullptr); !may) return may.error();
    std::vector<DocumentInfo> out;
    for (const Database::Row& r :
         db_->Query(std::string("SELECT ") + kDocumentColumns +
                        " FROM documents WHERE instance_id = ? ORDER BY document_id, version",
                    {instance})) {
      DocumentInfo info = InfoFromRow(*inst.value().def, r);
      const DocumentRule* rule = FindRule(*inst.value().def, info.document_id);
      if (rule && MayReadDocument(inst.value(), viewer, *rule)) out.push_back(std::move(info));
    }
    return out;
  });
}

Result<Document> Engine::GetDocument(const Actor& viewer, std::int64_t instance, const std::string& document,
                                     std::optional<int> version) {
  return Read<Document>([&]() -> Result<Document> {
    Result<Loaded> inst = Load(instance);
    if (!inst) return inst.error();
    Result<const DocumentRule*> readable = ReadableRule(inst.value(), viewer, document);
    if (!readable) return readable.error();
    const DocumentRule* rule = readable.value();
    std::vector<Database::Row> rows =
        version
            ? db_->Query(
                  std::string("SELECT ") + kDocumentColumns +
                      ", content FROM documents WHERE instance_id = ? AND document_id = ? AND version = ?",
                  {instance, document, std::int64_t{*version}})
            : db_->Query(std::string("SELECT ") + kDocumentColumns +
                             ", content FROM documents WHERE instance_id = ? AND document_id = ? "
                             "ORDER BY version DESC LIMIT 1",
                         {instance, document});
    if (rows.empty()) {
      return Error::Of(ErrorCode::kNotFound, Quoted(rule->label) + " har inte skapats" +
                                                 (version ? " i version " + std::to_string(*version) : "") +
                                                 ".");
    }
    return Document{InfoFromRow(*inst.value().def, rows[0]), FromBase64(rows[0].Text(9))};
  });
}

Result<Document> Engine::RenderDocument(const Actor& viewer, std::int64_t instance,
                                        const std::string& document) {
  return Read<Document>([&]() -> Result<Document> {
    Result<Loaded> inst = Load(instance);
    if (!inst) return inst.error();
    Result<const DocumentRule*> readable = ReadableRule(inst.value(), viewer, document);
    if (!readable) return readable.error();
    const DocumentRule* rule = readable.value();
    Result<Document> doc = Render(inst.value(), *rule, NextVersion(*db_, instance, document));
    if (doc) doc.value().info.created_by = viewer.username;
    return doc;
  });
}

Result<DocumentInfo> Engine::GenerateDocument(const Actor& actor, std::int64_t instance,
                                              const std::string& document) {
  return Write<DocumentInfo>([&]() -> Result<DocumentInfo> {
    Result<Loaded> loaded = Load(instance);
    if (!loaded) return loaded.error();
    Loaded& inst = loaded.value();
    const DocumentRule* rule = FindRule(*inst.def, document);
    if (!rule) return NoSuchDocument(document);
    // Making a document is a write: only participants (or the operator) who may read all of it.
    if (!MayReadDocument(inst, actor, *rule)) {
      return Error::Of(ErrorCode::kForbidden, "Du får inte skapa " + Quoted(rule->label) + ".");
    }
    return Store(inst, actor, *rule);
  });
}

}  // namespace spegla
