// Runs a compiled part over the data: appends the part's XML to `out`. A name resolves in the innermost
// section's item first, then outwards, as in docxtemplater. A missing name renders as empty text, or, with
// RenderOptions::missing_is_error, adds a problem (once per name and paragraph); names of sections are
// never an error, since {^x} exists for a missing x.
//
// Truthiness follows docxtemplater's JSON: missing, false, "" and [] are false; anything else is true.
// A value that is a list prints like a JavaScript array ("a,b"), an object as "[object Object]".
// Threads: pure function over immutable inputs.
#pragma once

#include <string>
#include <vector>

#include "part_program.h"
#include "spegla/plugin.h"
#include "spegla/template_data.h"

namespace spegla::docx {

void RenderPart(const PartProgram& program, const TemplateData& data, const RenderOptions& options,
                std::string& out, std::vector<TemplateProblem>& problems);

}  // namespace spegla::docx
