// Writes a ZIP archive into memory. Entries taken over from a template are copied as their compressed
// bytes, without inflating or deflating them again; only the parts that changed are deflated. That is most
// of why rendering is fast: a document's styles, fonts, images and untouched parts cost a memcpy.
// Threads: one writer per thread. Not for archives of 4 GiB or more (templates are limited far below).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "zip_reader.h"

namespace spegla::docx {

class ZipWriter {
 public:
  explicit ZipWriter(std::size_t expected_size);

  // Copies an entry of another archive as it is: compressed bytes, CRC and sizes.
  void AddCopy(const ZipEntry& entry);
  // Adds `content` deflated, under the name and modification time of `like`.
  void AddDeflated(const ZipEntry& like, std::string_view content);

  // Writes the central directory and returns the archive; the writer is empty afterwards.
  std::string Finish();

 private:
  struct Record {
    std::string_view name;
    std::uint16_t flags, method, mod_time, mod_date;
    std::uint32_t crc32, compressed_size, size, offset;
  };
  void WriteLocalHeader(const Record& record);

  std::string out_;
  std::string central_;
  std::uint16_t count_ = 0;
};

}  // namespace spegla::docx
