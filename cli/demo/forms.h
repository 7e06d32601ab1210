// Filling forms through the engine: who writes which field, writing with retries where the engine refuses a
// value, planning a step's forms into a Snapshot, and writing what the solver changed.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>

#include "demo/context.h"
#include "demo/snapshot.h"

namespace spegla::cli::demo {

// Fills the empty, visible fields of one form (one occurrence of it) that some participant may edit.
void FillForm(FillContext& ctx, const Form& form, int occurrence);
// Generates values for the visible, empty fields of one occurrence of a form into `values`: planned, not
// written yet, so that the solver can adjust them before anyone writes.
void PlanForm(FillContext& ctx, Snapshot& values, const Form& form, int occurrence);
// Plans every form (and occurrence) of the step.
void PlanStepForms(FillContext& ctx, Snapshot& values);
// Writes the planned values and the solver's changes. Returns the forms (and occurrences) to fill once
// more: where a write may have opened a field (visible-if) or a value was refused.
std::set<std::pair<std::string, int>> WriteChanges(FillContext& ctx, Snapshot& values);

// The team the demo wrote into an instance's title ("<workflow> – <unit>, <team>, <term>"), or "".
std::string TeamFromTitle(const std::string& title, const std::string& unit);
bool IsPreschool(const std::string& unit);
// "form.field" and "form.group.column" summed by a budget -> the budget's limit.
std::map<std::string, double> BudgetedFields(const WorkflowDefinition& definition);

}  // namespace spegla::cli::demo
