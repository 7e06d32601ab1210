// Raw DEFLATE (the ZIP method 8 stream, no zlib header) and CRC-32, over zlib.
// Threads: every function may be called from any number of threads at once.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace spegla::docx {

// Inflates `compressed` into `out` (replacing its contents). Succeeds only when the stream is complete and
// yields exactly `expected_size` bytes: a stream that would produce more is stopped there, so a lying size
// in a hostile archive can never make it allocate more than it declared. On failure `error` says why.
bool InflateRaw(std::string_view compressed, std::size_t expected_size, std::string& out, std::string& error);

// Appends the raw DEFLATE stream of `data` to `out`, at zlib's fastest level: rendering many documents is
// the hot path, and on the benchmark's utvecklingsplan level 6 (zlib's default) halves the documents per
// second (28,000/s -> 12,500/s) for a document part only 8% smaller.
void AppendDeflated(std::string_view data, std::string& out);

std::uint32_t Crc32(std::string_view data);

}  // namespace spegla::docx
