// Advisory locks (flock) on cache entries: of two processes that need the same entry, the
// second waits while the first computes it, then reuses it.
#pragma once

#include <string>

namespace lazystack {

/// Holds an exclusive flock on `<entry>.lock` (created beside the entry, removed on release)
/// for its lifetime. When another process holds it, logs that it waits (naming `what`) and blocks.
/// A lock file that cannot be made is logged and skipped: the entry is then computed unlocked.
class FileLock {
 public:
  FileLock(const std::string& entry_path, const std::string& what);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  /// True if the lock had to wait for another process.
  bool waited() const { return waited_; }

 private:
  std::string path_;
  int fd_ = -1;
  bool waited_ = false;
};

}  // namespace lazystack
