// The workflow XML loader (engine/include/spegla/workflow_loader.h) on arbitrary bytes, as an uploaded
// definition arrives over the API: with the bundled templates' directory, so that template paths are
// checked against real files.
//
// Invariants besides "no crash, no sanitizer report, no exception":
//   - a result has a definition exactly when it has no problems, and every problem has a message;
//   - problems come sorted by line and column, as the header promises;
//   - a definition that loads loads again from its stored text the way the engine reads it back from
//     the database (stored, without the template check), with the same id and version; otherwise its
//     instances could not be run after a restart.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "fuzz_check.h"
#include "spegla/workflow_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view xml(reinterpret_cast<const char*>(data), size);

  spegla::LoadOptions options;
  options.template_dir = SPEGLA_SOURCE_DIR "/templates";
  const spegla::LoadResult loaded = spegla::LoadWorkflowFromText(xml, "fuzz.xml", options);

  SPEGLA_FUZZ_CHECK(loaded.ok() == (loaded.definition != nullptr), "a definition exactly when no problems");
  for (std::size_t i = 0; i < loaded.problems.size(); ++i) {
    const spegla::Problem& p = loaded.problems[i];
    SPEGLA_FUZZ_CHECK(!p.message.empty(), "every problem says what is wrong");
    SPEGLA_FUZZ_CHECK(p.where.line >= 0 && p.where.column >= 0, "locations are not negative");
    if (i > 0) {
      const spegla::Problem& q = loaded.problems[i - 1];
      SPEGLA_FUZZ_CHECK(std::tie(q.where.line, q.where.column) <= std::tie(p.where.line, p.where.column),
                        "problems sorted by line and column");
    }
  }
  if (!loaded.ok()) return 0;

  spegla::LoadOptions stored;
  stored.check_templates = false;
  stored.stored = true;
  const spegla::LoadResult again = spegla::LoadWorkflowFromText(loaded.definition->xml, "fuzz.xml", stored);
  SPEGLA_FUZZ_CHECK(again.ok(), "a loaded definition loads again from its stored text");
  SPEGLA_FUZZ_CHECK(again.definition->id == loaded.definition->id, "same id when loaded again");
  SPEGLA_FUZZ_CHECK(again.definition->version == loaded.definition->version,
                    "same version when loaded again");
  return 0;
}
