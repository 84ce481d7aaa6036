#include "core/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/log.h"

namespace lazystack {

FileLock::FileLock(const std::string& entry_path, const std::string& what)
    : path_(entry_path + ".lock") {
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path_).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  // The holder removes the lock file when done, so a waiter may end up holding a lock on a
  // file that is gone (or replaced): it then tries again on the file now at the path.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd_ < 0) {
      log_warn("cannot open lock file {} ({}); {} goes on unlocked", path_, std::strerror(errno),
               what);
      return;
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      if (errno != EWOULDBLOCK) break;
      if (!waited_)
        log_info("{}: another process is computing it; waiting for it ({})", what, path_);
      waited_ = true;
      int rc;
      while ((rc = ::flock(fd_, LOCK_EX)) != 0 && errno == EINTR) {
      }
      if (rc != 0) break;
    }
    struct stat held, now;
    if (::fstat(fd_, &held) == 0 && ::stat(path_.c_str(), &now) == 0 && held.st_dev == now.st_dev &&
        held.st_ino == now.st_ino)
      return;  // locked, and still the file at the path
    ::close(fd_);
    fd_ = -1;
  }
  log_warn("cannot lock {} ({}); {} goes on unlocked", path_, std::strerror(errno), what);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

FileLock::~FileLock() {
  if (fd_ < 0) return;
  ::unlink(path_.c_str());  // while still holding it: see the constructor
  ::close(fd_);             // releases the flock
}

}  // namespace lazystack
