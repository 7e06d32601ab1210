// Reads a ZIP archive held in memory: the central directory is checked against limits before anything is
// inflated, so that a hostile file (a ZIP bomb, millions of entries, lying sizes) is refused with a clear
// message and costs no more than its own size. Nothing is ever written to disk.
//
// Supports what Word, LibreOffice and python-docx write: stored and deflated entries, data descriptors;
// not ZIP64, encryption or archives split over several files (all refused).
// Threads: a ZipArchive is immutable after Open; its const functions may be used from any thread.
// Ownership: the archive holds views into the bytes given to Open, which must outlive it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spegla::docx {

struct ZipLimits {
  std::size_t max_entries = 2000;                 // a Word document has 10–60
  std::uint64_t max_total_size = 256ull << 20;    // declared uncompressed bytes, all entries together
  std::uint64_t max_ratio = 100;                  // uncompressed : compressed, per entry ...
  std::uint64_t ratio_applies_from = 1ull << 20;  // ... for entries larger than this when inflated
};

struct ZipEntry {
  std::string name;
  std::uint16_t flags = 0;   // general purpose bits as read; bit 11: the name is UTF-8
  std::uint16_t method = 0;  // 0 stored, 8 deflated
  std::uint16_t mod_time = 0;
  std::uint16_t mod_date = 0;
  std::uint32_t crc32 = 0;
  std::uint64_t compressed_size = 0;
  std::uint64_t size = 0;  // uncompressed
  std::string_view data;   // the compressed bytes, inside the archive
};

class ZipArchive {
 public:
  // Reads the directory of `bytes`. On failure returns nothing and sets `error` to a sentence for an
  // administrator, e.g. "not a ZIP file" or "the entry word/document.xml inflates 1000 times ...".
  static std::optional<ZipArchive> Open(std::string_view bytes, const ZipLimits& limits, std::string& error);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* Find(std::string_view name) const;

  // The uncompressed content of `entry`, checked against its declared size and CRC-32.
  static bool Extract(const ZipEntry& entry, std::string& out, std::string& error);

 private:
  std::vector<ZipEntry> entries_;
};

}  // namespace spegla::docx
