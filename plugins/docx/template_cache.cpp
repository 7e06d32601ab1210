#include "template_cache.h"

#include <functional>

namespace spegla::docx {

TemplateCache::TemplateCache(std::size_t capacity, ZipLimits limits)
    : capacity_(capacity == 0 ? 1 : capacity), limits_(limits) {}

std::shared_ptr<const DocxTemplate> TemplateCache::FindLocked(std::size_t hash, std::string_view bytes) {
  auto [first, last] = by_hash_.equal_range(hash);
  for (auto it = first; it != last; ++it) {
    if (it->second->second->bytes() == bytes) {
      recent_.splice(recent_.begin(), recent_, it->second);
      return it->second->second;
    }
  }
  return nullptr;
}

std::shared_ptr<const DocxTemplate> TemplateCache::Get(std::string_view bytes) {
  const std::size_t hash = std::hash<std::string_view>{}(bytes);
  {
    std::lock_guard lock(mutex_);
    if (auto found = FindLocked(hash, bytes)) return found;
  }
  std::shared_ptr<const DocxTemplate> compiled = DocxTemplate::Compile(std::string(bytes), limits_);
  std::lock_guard lock(mutex_);
  if (auto found = FindLocked(hash, bytes)) return found;  // another thread was quicker
  recent_.emplace_front(hash, compiled);
  by_hash_.emplace(hash, recent_.begin());
  while (recent_.size() > capacity_) {
    auto oldest = std::prev(recent_.end());
    auto [first, last] = by_hash_.equal_range(oldest->first);
    for (auto it = first; it != last; ++it) {
      if (it->second == oldest) {
        by_hash_.erase(it);
        break;
      }
    }
    recent_.pop_back();
  }
  return compiled;
}

std::size_t TemplateCache::size() const {
  std::lock_guard lock(mutex_);
  return recent_.size();
}

}  // namespace spegla::docx
