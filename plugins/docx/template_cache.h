// Compiled templates by content: rendering many documents from one template parses it once. The key is a
// hash of the bytes, and a hit is confirmed by comparing them, so two templates can never be confused.
// Holds at most `capacity` templates, dropping the least recently used.
//
// Threads: Get may be called from any number of threads. A template is compiled outside the lock, so a
// slow compile does not hold up renders of other templates; two threads missing on the same new template
// may both compile it, and one result is kept.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string_view>
#include <unordered_map>

#include "docx_template.h"

namespace spegla::docx {

class TemplateCache {
 public:
  explicit TemplateCache(std::size_t capacity = 32, ZipLimits limits = {});

  std::shared_ptr<const DocxTemplate> Get(std::string_view bytes);

  std::size_t size() const;

 private:
  using Entry = std::pair<std::size_t, std::shared_ptr<const DocxTemplate>>;  // hash, template

  std::shared_ptr<const DocxTemplate> FindLocked(std::size_t hash, std::string_view bytes);

  const std::size_t capacity_;
  const ZipLimits limits_;
  mutable std::mutex mutex_;
  std::list<Entry> recent_;  // most recently used first
  std::unordered_multimap<std::size_t, std::list<Entry>::iterator> by_hash_;
};

}  // namespace spegla::docx
