#include "docx_plugin.h"

#include <exception>
#include <memory>

#include "template_cache.h"

namespace spegla {
namespace {

class DocxPlugin final : public DocumentPlugin {
 public:
  std::string_view Name() const override { return "docx"; }
  std::string_view Version() const override { return "1.0.0"; }
  std::string_view Produces() const override {
    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
  }
  std::string_view Extension() const override { return "docx"; }

  std::vector<TemplateProblem> Check(std::string_view template_bytes) const override {
    try {
      return cache_.Get(template_bytes)->problems();
    } catch (const std::exception& e) {
      return {Internal(e)};
    }
  }

  RenderOutcome Render(std::string_view template_bytes, const TemplateData& data,
                       const RenderOptions& options) const override {
    try {
      return cache_.Get(template_bytes)->Render(data, options);
    } catch (const std::exception& e) {  // out of memory, mostly: nothing a template should cause
      RenderOutcome outcome;
      outcome.problems.push_back(Internal(e));
      return outcome;
    }
  }

 private:
  static TemplateProblem Internal(const std::exception& e) {
    return {"", "", std::string("the docx plugin failed: ") + e.what()};
  }

  mutable docx::TemplateCache cache_;
};

}  // namespace

void RegisterDocxPlugin(PluginRegistrar& registrar) { registrar.Add(std::make_unique<DocxPlugin>()); }

}  // namespace spegla
