#include "zlib_codec.h"

#include <zlib.h>

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace spegla::docx {
namespace {

constexpr int kRawWindowBits = -15;  // negative: raw DEFLATE, as stored in ZIP entries
constexpr int kDeflateLevel = Z_BEST_SPEED;
constexpr int kMemLevel = 8;

// zlib takes uInt lengths; feed it in slices so that parts above 4 GiB could never wrap (the limits keep
// them far smaller, but the codec should not depend on that).
constexpr std::size_t kSlice = std::numeric_limits<uInt>::max();

// One deflate state per thread, reset between documents: deflateInit2 allocates about 270 KiB, which
// would otherwise be paid again for every rendered part.
class Deflater {
 public:
  Deflater() {
    if (deflateInit2(&stream_, kDeflateLevel, Z_DEFLATED, kRawWindowBits, kMemLevel, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
      throw std::bad_alloc();
    }
  }
  ~Deflater() { deflateEnd(&stream_); }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  void Append(std::string_view data, std::string& out) {
    deflateReset(&stream_);
    const std::size_t start = out.size();
    std::size_t bound = deflateBound(&stream_, static_cast<uLong>(std::min(data.size(), kSlice)));
    out.resize(start + bound + 64);
    stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    std::size_t in_left = data.size();
    std::size_t written = start;
    int status = Z_OK;
    while (status != Z_STREAM_END) {
      const std::size_t in_now = std::min(in_left, kSlice);
      stream_.avail_in = static_cast<uInt>(in_now);
      if (out.size() - written < 64) out.resize(out.size() * 2);
      const std::size_t room = std::min(out.size() - written, kSlice);
      stream_.next_out = reinterpret_cast<Bytef*>(out.data() + written);
      stream_.avail_out = static_cast<uInt>(room);
      status = deflate(&stream_, in_now == in_left ? Z_FINISH : Z_NO_FLUSH);
      if (status == Z_STREAM_ERROR) throw std::runtime_error("deflate failed");
      written += room - stream_.avail_out;
      in_left -= in_now - stream_.avail_in;
    }
    out.resize(written);
  }

 private:
  z_stream stream_{};
};

}  // namespace

bool InflateRaw(std::string_view compressed, std::size_t expected_size, std::string& out,
                std::string& error) {
  z_stream stream{};
  if (inflateInit2(&stream, kRawWindowBits) != Z_OK) {
    error = "cannot start inflating";
    return false;
  }
  out.assign(expected_size, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  std::size_t in_left = compressed.size();
  std::size_t produced = 0;
  int status = Z_OK;
  // One spare byte of room beyond the declared size reveals a stream that wants to produce more.
  char spare = 0;
  while (status == Z_OK) {
    const std::size_t in_now = std::min(in_left, kSlice);
    stream.avail_in = static_cast<uInt>(in_now);
    const bool in_spare = produced == expected_size;
    const std::size_t room = in_spare ? 1 : std::min(expected_size - produced, kSlice);
    stream.next_out = reinterpret_cast<Bytef*>(in_spare ? &spare : out.data() + produced);
    stream.avail_out = static_cast<uInt>(room);
    status = inflate(&stream, Z_NO_FLUSH);
    const std::size_t made = room - stream.avail_out;
    in_left -= in_now - stream.avail_in;
    if (in_spare && made > 0) {
      inflateEnd(&stream);
      error = "the entry inflates to more than its declared size";
      return false;
    }
    produced += made;
    if (status == Z_BUF_ERROR && in_left == 0 && made == 0) break;  // input ended before the stream did
    if (status == Z_BUF_ERROR) status = Z_OK;                       // no progress this round, try again
  }
  inflateEnd(&stream);
  if (status != Z_STREAM_END) {
    error =
        status == Z_DATA_ERROR ? "the entry's compressed data is corrupt" : "the entry's data is truncated";
    return false;
  }
  if (produced != expected_size) {
    error = "the entry inflates to fewer bytes than its declared size";
    return false;
  }
  return true;
}

void AppendDeflated(std::string_view data, std::string& out) {
  thread_local Deflater deflater;
  deflater.Append(data, out);
}

std::uint32_t Crc32(std::string_view data) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (!data.empty()) {
    const std::size_t now = std::min(data.size(), kSlice);
    crc = crc32(crc, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(now));
    data.remove_prefix(now);
  }
  return static_cast<std::uint32_t>(crc);
}

}  // namespace spegla::docx
