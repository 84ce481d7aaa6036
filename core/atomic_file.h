// Atomic, durable file writes: every file lazystack writes goes through here. A crash, kill or
// failed write (disk full, file-size limit) leaves either the old file or none at the final
// path, never a half-written one; the temporary is removed on every error path, and one left
// by a killed process is removed by the next run (remove_orphaned_temporaries).
#pragma once

#include <cstddef>
#include <functional>
#include <stdexcept>
#include <string>

namespace lazystack {

/// A file could not be written (the message names the file and the system's reason).
class WriteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A fresh temporary name beside `path` that keeps its whole extension (writers such as
/// xgboost and OpenCV choose their format by it): "dir/a.b.json" ->
/// "dir/a.tmp-<pid>-<rand>.b.json".
std::string temporary_name(const std::string& path);

/// The pid a temporary name made by temporary_name (or the older "<file>.tmp.<pid>" form)
/// carries, or -1 if `filename` (no folder) is not such a name.
long temporary_owner(const std::string& filename);

/// Writes `path` atomically: creates the parent folder, calls `write(tmp)` to fill a temporary
/// (any writer: HDF5, torch, xgboost, ...), then fsyncs it, renames it over `path` and fsyncs
/// the folder. On any failure the temporary is removed and the error rethrown (WriteError for
/// failures of the file system).
void write_file_atomically(const std::string& path,
                           const std::function<void(const std::string& tmp)>& write);

/// write_file_atomically with `bytes` as the content, every write checked.
void write_bytes_atomically(const std::string& path, const void* data, size_t size);
void write_text_atomically(const std::string& path, const std::string& text);

/// Writes `size` bytes to `path` (created or truncated), checking every write, fsync and
/// close; no rename. Throws WriteError. For filling a temporary.
void write_bytes_to(const std::string& path, const void* data, size_t size);

/// fsync of a file or folder by path. Throws WriteError.
void fsync_path(const std::string& path);

/// Removes, under `root` (recursively), temporaries whose process is gone; returns how many.
/// A missing root is no error.
int remove_orphaned_temporaries(const std::string& root);

/// Makes a failed write return an error instead of killing the process (SIGXFSZ under a
/// file-size limit). Called once at start-up by the program.
void ignore_file_size_signal();

}  // namespace lazystack
