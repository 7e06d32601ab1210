#include "zip_reader.h"

#include <algorithm>
#include <unordered_set>

#include "zlib_codec.h"

namespace spegla::docx {
namespace {

constexpr std::uint32_t kLocalHeader = 0x04034b50;
constexpr std::uint32_t kCentralHeader = 0x02014b50;
constexpr std::uint32_t kEndOfCentralDirectory = 0x06054b50;
constexpr std::size_t kEndRecordSize = 22;
constexpr std::size_t kCentralHeaderSize = 46;
constexpr std::size_t kLocalHeaderSize = 30;
constexpr std::size_t kMaxCommentSize = 0xFFFF;

std::uint16_t U16(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) | static_cast<unsigned char>(b[at + 1])
                                                                            << 8);
}
std::uint32_t U32(std::string_view b, std::size_t at) {
  return static_cast<std::uint32_t>(U16(b, at)) | static_cast<std::uint32_t>(U16(b, at + 2)) << 16;
}

// Where the end-of-central-directory record starts, searching back over a possible archive comment.
std::optional<std::size_t> FindEndRecord(std::string_view bytes) {
  if (bytes.size() < kEndRecordSize) return std::nullopt;
  const std::size_t last = bytes.size() - kEndRecordSize;
  const std::size_t first = last > kMaxCommentSize ? last - kMaxCommentSize : 0;
  for (std::size_t at = last + 1; at-- > first;) {
    if (U32(bytes, at) == kEndOfCentralDirectory &&
        at + kEndRecordSize + U16(bytes, at + 20) == bytes.size()) {
      return at;
    }
  }
  return std::nullopt;
}

// A part name as OPC allows it: relative, forward slashes, no "." or ".." segment, no control characters.
bool SafeEntryName(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string_view::npos ||
      (name.size() > 1 && name[1] == ':')) {
    return false;
  }
  for (char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view segment = name.substr(start, end - start);
    if (segment == ".." || segment == ".") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

std::optional<ZipArchive> ZipArchive::Open(std::string_view bytes, const ZipLimits& limits,
                                           std::string& error) {
  const std::optional<std::size_t> end = FindEndRecord(bytes);
  if (!end) {
    error = bytes.size() >= 4 && U32(bytes, 0) == kLocalHeader
                ? "the ZIP file is truncated: its central directory is missing"
                : "not a ZIP file (a .docx is a ZIP archive)";
    return std::nullopt;
  }
  const std::uint16_t disk = U16(bytes, *end + 4);
  const std::uint16_t directory_disk = U16(bytes, *end + 6);
  const std::uint16_t entries_here = U16(bytes, *end + 8);
  const std::uint16_t entry_count = U16(bytes, *end + 10);
  const std::uint32_t directory_size = U32(bytes, *end + 12);
  const std::uint32_t directory_offset = U32(bytes, *end + 16);
  if (entry_count == 0xFFFF || directory_size == 0xFFFFFFFF || directory_offset == 0xFFFFFFFF) {
    error = "ZIP64 archives are not supported (a document template is far smaller than 4 GiB)";
    return std::nullopt;
  }
  if (disk != 0 || directory_disk != 0 || entries_here != entry_count) {
    error = "ZIP archives split over several files are not supported";
    return std::nullopt;
  }
  if (entry_count > limits.max_entries) {
    error = "the ZIP file has " + std::to_string(entry_count) + " entries, more than the limit of " +
            std::to_string(limits.max_entries);
    return std::nullopt;
  }
  if (std::uint64_t{directory_offset} + directory_size > *end) {
    error = "the ZIP file is truncated or corrupt: its central directory lies outside the file";
    return std::nullopt;
  }

  ZipArchive archive;
  archive.entries_.reserve(entry_count);
  std::unordered_set<std::string_view> names;
  std::uint64_t total = 0;
  std::size_t at = directory_offset;
  for (std::size_t i = 0; i < entry_count; ++i) {
    if (at + kCentralHeaderSize > *end || U32(bytes, at) != kCentralHeader) {
      error = "the ZIP file is corrupt: its central directory ends early";
      return std::nullopt;
    }
    ZipEntry entry;
    entry.flags = U16(bytes, at + 8);
    entry.method = U16(bytes, at + 10);
    entry.mod_time = U16(bytes, at + 12);
    entry.mod_date = U16(bytes, at + 14);
    entry.crc32 = U32(bytes, at + 16);
    entry.compressed_size = U32(bytes, at + 20);
    entry.size = U32(bytes, at + 24);
    const std::size_t name_size = U16(bytes, at + 28);
    const std::size_t extra_size = U16(bytes, at + 30);
    const std::size_t comment_size = U16(bytes, at + 32);
    const std::uint32_t local_offset = U32(bytes, at + 42);
    const std::size_t next = at + kCentralHeaderSize + name_size + extra_size + comment_size;
    if (next > *end) {
      error = "the ZIP file is corrupt: its central directory ends early";
      return std::nullopt;
    }
    entry.name.assign(bytes.substr(at + kCentralHeaderSize, name_size));
    at = next;

    if (!SafeEntryName(entry.name)) {
      // A document's parts are never written to disk, but a copy of the template could be unpacked by
      // someone else's tool: names that climb out of the folder (zip slip) have no place in a document.
      error = "the ZIP file has an entry whose name is a path outside the document (zip slip): refused";
      return std::nullopt;
    }
    const std::string quoted = "the entry " + entry.name;
    if (entry.compressed_size == 0xFFFFFFFF || entry.size == 0xFFFFFFFF || local_offset == 0xFFFFFFFF) {
      error = "ZIP64 archives are not supported (" + quoted + " uses it)";
      return std::nullopt;
    }
    if (entry.flags & 0x1) {
      error = "encrypted ZIP entries are not supported (" + quoted + " is encrypted)";
      return std::nullopt;
    }
    if (entry.method != 0 && entry.method != 8) {
      error = quoted + " uses ZIP compression method " + std::to_string(entry.method) +
              "; only stored (0) and deflated (8) are supported";
      return std::nullopt;
    }
    if (entry.method == 0 && entry.compressed_size != entry.size) {
      error = "the ZIP file is corrupt: " + quoted + " is stored but its two sizes differ";
      return std::nullopt;
    }
    total += entry.size;
    if (total > limits.max_total_size) {
      error = "the ZIP file inflates to more than " + std::to_string(limits.max_total_size >> 20) +
              " MiB, the limit for a template";
      return std::nullopt;
    }
    if (entry.size > limits.ratio_applies_from && entry.size > entry.compressed_size * limits.max_ratio) {
      const std::uint64_t ratio =
          entry.compressed_size == 0 ? entry.size : entry.size / entry.compressed_size;
      error = quoted + " inflates " + std::to_string(ratio) + " times, more than the limit of " +
              std::to_string(limits.max_ratio) + ": refused as a possible ZIP bomb";
      return std::nullopt;
    }
    if (std::uint64_t{local_offset} + kLocalHeaderSize > directory_offset ||
        U32(bytes, local_offset) != kLocalHeader) {
      error = "the ZIP file is truncated or corrupt: " + quoted + " has no local header";
      return std::nullopt;
    }
    const std::uint64_t data_start = std::uint64_t{local_offset} + kLocalHeaderSize +
                                     U16(bytes, local_offset + 26) + U16(bytes, local_offset + 28);
    if (data_start + entry.compressed_size > directory_offset) {
      error = "the ZIP file is truncated or corrupt: " + quoted + " runs past the end of the data";
      return std::nullopt;
    }
    entry.data = bytes.substr(data_start, entry.compressed_size);
    archive.entries_.push_back(std::move(entry));
    if (!names.insert(archive.entries_.back().name).second) {
      error = "the ZIP file holds " + archive.entries_.back().name + " twice";
      return std::nullopt;
    }
  }
  return archive;
}

const ZipEntry* ZipArchive::Find(std::string_view name) const {
  for (const ZipEntry& entry : entries_) {
    if (entry.name == name) return &entry;
  }
  return nullptr;
}

bool ZipArchive::Extract(const ZipEntry& entry, std::string& out, std::string& error) {
  if (entry.method == 0) {
    out.assign(entry.data);
  } else if (!InflateRaw(entry.data, entry.size, out, error)) {
    return false;
  }
  if (Crc32(out) != entry.crc32) {
    error = "its CRC-32 does not match: the ZIP file is corrupt";
    return false;
  }
  return true;
}

}  // namespace spegla::docx
