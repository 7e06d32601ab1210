#include "zip_writer.h"

#include "zlib_codec.h"

namespace spegla::docx {
namespace {

constexpr std::uint16_t kVersion = 20;  // 2.0: deflate
constexpr std::uint16_t kUtf8NameFlag = 0x0800;

void Put16(std::string& out, std::uint16_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>(v >> 8));
}
void Put32(std::string& out, std::uint32_t v) {
  Put16(out, static_cast<std::uint16_t>(v & 0xFFFF));
  Put16(out, static_cast<std::uint16_t>(v >> 16));
}

}  // namespace

ZipWriter::ZipWriter(std::size_t expected_size) {
  out_.reserve(expected_size);
  central_.reserve(4096);
}

void ZipWriter::WriteLocalHeader(const Record& r) {
  Put32(out_, 0x04034b50);
  Put16(out_, kVersion);
  Put16(out_, r.flags);
  Put16(out_, r.method);
  Put16(out_, r.mod_time);
  Put16(out_, r.mod_date);
  Put32(out_, r.crc32);
  Put32(out_, r.compressed_size);
  Put32(out_, r.size);
  Put16(out_, static_cast<std::uint16_t>(r.name.size()));
  Put16(out_, 0);  // no extra field
  out_.append(r.name);

  Put32(central_, 0x02014b50);
  Put16(central_, kVersion);  // made by: MS-DOS attributes, version 2.0
  Put16(central_, kVersion);
  Put16(central_, r.flags);
  Put16(central_, r.method);
  Put16(central_, r.mod_time);
  Put16(central_, r.mod_date);
  Put32(central_, r.crc32);
  Put32(central_, r.compressed_size);
  Put32(central_, r.size);
  Put16(central_, static_cast<std::uint16_t>(r.name.size()));
  Put16(central_, 0);  // extra
  Put16(central_, 0);  // comment
  Put16(central_, 0);  // disk
  Put16(central_, 0);  // internal attributes
  Put32(central_, 0);  // external attributes
  Put32(central_, r.offset);
  central_.append(r.name);
  ++count_;
}

void ZipWriter::AddCopy(const ZipEntry& entry) {
  // Sizes and CRC are known here, so no data descriptor follows (bit 3 cleared).
  WriteLocalHeader({entry.name, static_cast<std::uint16_t>(entry.flags & kUtf8NameFlag), entry.method,
                    entry.mod_time, entry.mod_date, entry.crc32,
                    static_cast<std::uint32_t>(entry.compressed_size), static_cast<std::uint32_t>(entry.size),
                    static_cast<std::uint32_t>(out_.size())});
  out_.append(entry.data);
}

void ZipWriter::AddDeflated(const ZipEntry& like, std::string_view content) {
  const std::size_t header_at = out_.size();
  Record record{like.name,
                static_cast<std::uint16_t>(like.flags & kUtf8NameFlag),
                8,
                like.mod_time,
                like.mod_date,
                Crc32(content),
                0,
                static_cast<std::uint32_t>(content.size()),
                static_cast<std::uint32_t>(header_at)};
  WriteLocalHeader(record);
  const std::size_t data_at = out_.size();
  AppendDeflated(content, out_);
  const auto compressed = static_cast<std::uint32_t>(out_.size() - data_at);
  // Patch the compressed size now that it is known, in the local header and the central record.
  for (int i = 0; i < 4; ++i) {
    out_[header_at + 18 + i] = static_cast<char>((compressed >> (8 * i)) & 0xFF);
    central_[central_.size() - like.name.size() - 46 + 20 + i] =
        static_cast<char>((compressed >> (8 * i)) & 0xFF);
  }
}

std::string ZipWriter::Finish() {
  const auto directory_offset = static_cast<std::uint32_t>(out_.size());
  out_.append(central_);
  Put32(out_, 0x06054b50);
  Put16(out_, 0);  // this disk
  Put16(out_, 0);  // disk of the directory
  Put16(out_, count_);
  Put16(out_, count_);
  Put32(out_, static_cast<std::uint32_t>(central_.size()));
  Put32(out_, directory_offset);
  Put16(out_, 0);  // comment
  central_.clear();
  count_ = 0;
  return std::move(out_);
}

}  // namespace spegla::docx
