// Files written whole or not at all: a file is written under a temporary name beside its target, flushed to
// the disk and renamed into place, so that a failure, a kill or a power cut at any moment leaves either the
// old file or the new one, never a half-written one. A process killed before its rename leaves its
// temporary behind; the next write of the same target removes it (RemoveStaleTemporaries).
//
// A temporary is named ".<target's name>.tmp-<pid>" (or ".tmp-<pid>-<tag>"): hidden, beside the target so
// that the rename stays on one file system, and tied to the process that writes it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace spegla {

// The temporary for `target` written by this process; `tag` tells apart several of one process.
std::filesystem::path TemporaryBeside(const std::filesystem::path& target, std::string_view tag = "");

// Removes the temporaries of `target` (and SQLite's -journal, -wal and -shm beside them) left by processes
// that no longer run; those of running processes stay. Returns how many files were removed.
int RemoveStaleTemporaries(const std::filesystem::path& target);

// Flushes a written file's contents to the disk; "" or why not.
std::string SyncFile(const std::filesystem::path& path);

// Flushes `temporary` and renames it to `target` (replacing it), then flushes the directory so that the
// rename itself survives a power cut. Returns "" or why it failed; on failure `temporary` is removed.
std::string CommitTemporary(const std::filesystem::path& temporary, const std::filesystem::path& target);

// Writes `bytes` as the whole of `target` through a temporary (removing stale ones first); "" or why not.
std::string WriteWholeFile(const std::filesystem::path& target, std::string_view bytes);

}  // namespace spegla
