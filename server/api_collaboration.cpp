// Routes for working together (docs/collaboration.md): comments with mentions, Mina uppgifter's mentions
// and assignments, the history of a field with restore, and the live channel's address (the channel
// itself is a WebSocket upgrade, handled by LiveHub before requests reach the router).
#include "api.h"
#include "api_support.h"
#include "json_views.h"

namespace spegla::server {
namespace {

json::object CommentJson(const Comment& c) {
  json::object target;
  if (c.target.is_step()) {
    target = {{"step", c.target.step}};
  } else {
    target = {{"form", c.target.form}, {"occurrence", c.target.occurrence}, {"field", c.target.field}};
  }
  json::array mentions;
  for (const std::string& m : c.mentions) mentions.push_back(json::value(m));
  return {{"id", c.id},
          {"instance", c.instance_id},
          {"target", std::move(target)},
          {"body", c.body},
          {"author", c.author},
          {"author_name", c.author_name},
          {"created_at", FormatTimestamp(c.created_at)},
          {"mentions", std::move(mentions)},
          {"resolved", c.resolved_by.has_value()},
          {"resolved_by", c.resolved_by ? json::value(*c.resolved_by) : json::value(nullptr)},
          {"resolved_at", c.resolved_at ? json::value(FormatTimestamp(*c.resolved_at)) : json::value(nullptr)}};
}

HttpResponse Items(json::array items) { return JsonResponse(200, json::object{{"items", std::move(items)}}); }

const ParameterDoc kOccurrence{"occurrence", "query", "integer",
                               "Which occurrence of a repeating step's form (1, 2, …); 0 or absent otherwise",
                               false};

std::optional<int> OccurrenceOf(const RequestContext& c, json::array* errors) {
  std::optional<std::int64_t> n = QueryInt(c.request, "occurrence", errors);
  if (n && (*n < 0 || *n > 100000)) {
    errors->push_back({{"field", "occurrence"}, {"message", "Ska vara ett heltal från 0 till 100000."}});
    return std::nullopt;
  }
  return n ? static_cast<int>(*n) : 0;
}

}  // namespace

void Api::AddCollaborationRoutes() {
  router_.Add(Route{"GET", "/api/instances/{id}/live", Gate::kSignedIn,
                    RouteDoc{"The instance's live channel: a WebSocket (docs/collaboration.md). Query after=SEQ "
                             "resumes after the last event received. A request that is not an upgrade gets 426",
                             "collaboration",
                             {{"after", "query", "integer", "the seq of the last event received", false}},
                             "",
                             "application/json",
                             "",
                             "application/json",
                             101,
                             {400, 404, 426}},
                    [](RequestContext&) {
                      HttpResponse response = ProblemResponse(
                          426, "WebSocket krävs", "Livekanalen är en WebSocket: skicka Upgrade: websocket.");
                      response.headers.emplace_back("Upgrade", "websocket");
                      return response;
                    }});

  // --- comments ---
  router_.Add(Route{"GET", "/api/instances/{id}/comments", Gate::kSignedIn,
                    RouteDoc{"The comments I may see on the instance's fields and steps, oldest first",
                             "collaboration",
                             {},
                             "",
                             "application/json",
                             "CommentList",
                             "application/json",
                             200,
                             {404}},
                    [this](RequestContext& c) {
                      Result<std::vector<Comment>> comments = engine_.Comments(c.actor(), c.IntParam("id"));
                      if (!comments) return ErrorResponse(comments.error());
                      json::array items;
                      for (const Comment& comment : comments.value()) items.push_back(CommentJson(comment));
                      return Items(std::move(items));
                    }});
  router_.Add(Route{
      "POST", "/api/instances/{id}/comments", Gate::kSignedIn,
      RouteDoc{"Comment on a field or a step; @username mentions someone who may see it", "collaboration", {},
               "CommentInput", "application/json", "Comment", "application/json", 201, {400, 404, 415, 422}},
      [this](RequestContext& c) {
        BodyReader body(c.request);
        std::optional<std::string> text = body.String("body", true);
        std::optional<std::string> step = body.String("step", false);
        const json::value* field = body.Raw("field", false);
        CommentTarget target;
        if (step && field) body.AddError("field", "Ange field eller step, inte båda.");
        if (!step && !field) body.AddError("field", "Ange vad kommentaren gäller: field eller step.");
        if (step) target.step = *step;
        if (field) {
          const json::object* f = field->if_object();
          const json::value* form = f ? f->if_contains("form") : nullptr;
          const json::value* id = f ? f->if_contains("field") : nullptr;
          const json::value* occ = f ? f->if_contains("occurrence") : nullptr;
          if (!form || !form->is_string() || !id || !id->is_string() ||
              (occ && (!occ->is_int64() || occ->as_int64() < 0 || occ->as_int64() > 100000))) {
            body.AddError("field", "Ska vara {\"form\": text, \"field\": text, \"occurrence\": heltal ≥ 0}.");
          } else {
            target.form = std::string(form->as_string());
            target.field = std::string(id->as_string());
            target.occurrence = occ ? static_cast<int>(occ->as_int64()) : 0;
          }
        }
        if (!body.ok()) return body.Problem();
        Result<Comment> added = engine_.AddComment(c.actor(), c.IntParam("id"), target, *text);
        if (!added) return ErrorResponse(added.error());
        return JsonResponse(201, CommentJson(added.value()));
      }});
  for (bool resolve : {true, false}) {
    router_.Add(Route{"POST",
                      std::string("/api/instances/{id}/comments/{comment_id}/") + (resolve ? "resolve" : "reopen"),
                      Gate::kSignedIn,
                      RouteDoc{resolve ? "Mark a comment resolved" : "Open a resolved comment again",
                               "collaboration",
                               {},
                               "",
                               "application/json",
                               "Comment",
                               "application/json",
                               200,
                               {404}},
                      [this, resolve](RequestContext& c) {
                        Result<Comment> done = engine_.ResolveComment(c.actor(), c.IntParam("id"),
                                                                      c.IntParam("comment_id"), resolve);
                        if (!done) return ErrorResponse(done.error());
                        return JsonResponse(200, CommentJson(done.value()));
                      }});
  }

  // --- Mina uppgifter ---
  router_.Add(Route{"GET", "/api/me/mentions", Gate::kSignedIn,
                    RouteDoc{"Open comments that mention me, newest first", "collaboration", {}, "",
                             "application/json", "MentionList", "application/json", 200, {}},
                    [this](RequestContext& c) {
                      json::array items;
                      for (const Mention& m : engine_.Mentions(c.user().username)) {
                        json::object item = CommentJson(m.comment);
                        item["instance_title"] = m.instance_title;
                        item["unit"] = m.unit;
                        items.push_back(std::move(item));
                      }
                      return Items(std::move(items));
                    }});
  router_.Add(Route{"GET", "/api/me/assignments", Gate::kSignedIn,
                    RouteDoc{"The roles I hold in active processes (and organisation-wide)", "collaboration", {},
                             "", "application/json", "AssignmentList", "application/json", 200, {}},
                    [this](RequestContext& c) {
                      json::array items;
                      for (const Assignment& a : engine_.Assignments(c.user().username)) {
                        items.push_back(json::object{
                            {"instance", a.organisation_wide ? json::value(nullptr) : json::value(a.instance_id)},
                            {"instance_title", a.instance_title},
                            {"unit", a.unit},
                            {"role", a.role},
                            {"role_label", a.role_label},
                            {"organisation_wide", a.organisation_wide}});
                      }
                      return Items(std::move(items));
                    }});

  // --- history per field ---
  router_.Add(Route{"GET", "/api/instances/{id}/forms/{form}/fields/{field}/history", Gate::kSignedIn,
                    RouteDoc{"Every version of a field, newest first", "collaboration", {kOccurrence}, "",
                             "application/json", "FieldHistory", "application/json", 200, {400, 404}},
                    [this](RequestContext& c) {
                      json::array errors;
                      std::optional<int> occ = OccurrenceOf(c, &errors);
                      if (!errors.empty()) return QueryProblem(std::move(errors));
                      Result<std::vector<FieldVersion>> history = engine_.FieldHistory(
                          c.actor(), c.IntParam("id"), Param(c, "form"), *occ, Param(c, "field"));
                      if (!history) return ErrorResponse(history.error());
                      json::array items;
                      for (const FieldVersion& v : history.value()) {
                        items.push_back(json::object{
                            {"version", v.version},
                            {"value", json::parse(v.value_json)},
                            {"display", v.display},
                            {"author", v.author},
                            {"author_name", v.author_name},
                            {"at", FormatTimestamp(v.at)},
                            {"restored_from", v.restored_from ? json::value(*v.restored_from) : json::value(nullptr)}});
                      }
                      return Items(std::move(items));
                    }});
  router_.Add(Route{
      "POST", "/api/instances/{id}/forms/{form}/fields/{field}/restore", Gate::kSignedIn,
      RouteDoc{"Write an earlier version's value again as a new version (409 when the field has moved on from "
               "expected_version)",
               "collaboration", {kOccurrence}, "FieldRestore", "application/json", "Form", "application/json", 200,
               {400, 404, 409, 415, 422}},
      [this](RequestContext& c) {
        json::array errors;
        std::optional<int> occ = OccurrenceOf(c, &errors);
        if (!errors.empty()) return QueryProblem(std::move(errors));
        BodyReader body(c.request);
        std::optional<std::int64_t> version = body.Int("version", true);
        std::optional<std::int64_t> expected = body.Int("expected_version", true);
        if (version && (*version < 1 || *version > INT32_MAX)) body.AddError("version", "Ska vara ett heltal ≥ 1.");
        if (expected && (*expected < 0 || *expected > INT32_MAX)) {
          body.AddError("expected_version", "Ska vara ett heltal ≥ 0.");
        }
        if (!body.ok()) return body.Problem();
        const std::int64_t id = c.IntParam("id");
        Result<FormView> restored =
            engine_.RestoreField(c.actor(), id, Param(c, "form"), *occ, Param(c, "field"),
                                 static_cast<int>(*version), static_cast<int>(*expected));
        if (!restored) return ErrorResponse(restored.error());
        HttpResponse response = JsonResponse(200, FormJson(restored.value(), id));
        response.headers.emplace_back("ETag", restored.value().etag);
        return response;
      }});
}

}  // namespace spegla::server
