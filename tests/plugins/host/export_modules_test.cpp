// The export plugins in both their forms: built in from the generated list, and the same code loaded as
// shared libraries (spegla-xlsx.so, spegla-csv.so) by a host of its own. They must write the same files.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "../../engine/engine_test_support.h"
#include "../../support/external_programs.h"
#include "../export_test_support.h"
#include "spegla/builtin_plugins.h"
#include "spegla/plugin_host.h"

namespace spegla::test {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::vector<TestSheet> Table() {
  TestSheet sheet{SheetSpec{"Översikt", {{"Nr", CellType::kNumber}, {"Enhet"}, {"Start", CellType::kDate}}}};
  sheet.rows = {{Cell::Number(1), Cell::Text("=1+1"), Cell::Day(20415)},
                {Cell::Number(2.5), Cell::Text("Åby skola"), Cell{}}};
  return {sheet};
}

TEST(ExportModuleTest, LoadableAndBuiltinFormsWriteTheSameFiles) {
  ScratchDir dir("spegla-export-modules");
  fs::create_directory(dir.path() / "plugins");
  fs::copy_file(SPEGLA_XLSX_MODULE, dir.path() / "plugins/spegla-xlsx.so");
  fs::copy_file(SPEGLA_CSV_MODULE, dir.path() / "plugins/spegla-csv.so");

  PluginHost builtin, loaded;
  EXPECT_THAT(AddBuiltinPlugins(builtin), IsEmpty());
  EXPECT_THAT(loaded.LoadDirectory(dir.path() / "plugins"), IsEmpty());
  std::vector<std::string> kinds;
  for (const PluginInfo& info : loaded.List()) kinds.push_back(info.name + " " + info.kind);
  EXPECT_THAT(kinds, ElementsAre("csv export", "xlsx export"));
  EXPECT_EQ(loaded.Find("xlsx"), nullptr);  // not a document plugin

  WorkbookInfo info;
  info.title = "Uppföljning";
  info.created = 20415LL * 86400;
  for (const char* name : {"csv", "xlsx"}) {
    const ExportPlugin* a = builtin.FindExport(name);
    const ExportPlugin* b = loaded.FindExport(name);
    ASSERT_NE(a, nullptr) << name;
    ASSERT_NE(b, nullptr) << name;
    EXPECT_EQ(a->Version(), b->Version());
    EXPECT_EQ(a->Produces(), b->Produces());
    const std::string from_builtin = dir.File(std::string("builtin.") + name);
    const std::string from_module = dir.File(std::string("module.") + name);
    EXPECT_THAT(WriteTables(*a, from_builtin, Table(), info), IsEmpty());
    EXPECT_THAT(WriteTables(*b, from_module, Table(), info), IsEmpty());
    if (std::string(name) == "csv") {
      EXPECT_EQ(ReadBytes(from_module), ReadBytes(from_builtin));
    } else {  // the ZIP entries carry the time they were written: compare what openpyxl reads
      EXPECT_EQ(ReadTable(from_module), ReadTable(from_builtin));
    }
  }
}

}  // namespace
}  // namespace spegla::test
