#include "core/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/log.h"

namespace lazystack {

FileLock::FileLock(const std::string& entry_path, const std::string& what) {
  const std::string path = entry_path + ".lock";
  std::error_code ec;
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent, ec);
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    log_warn("cannot open lock file {} ({}); {} goes on unlocked", path, std::strerror(errno),
             what);
    return;
  }
  if (::flock(fd_, LOCK_EX | LOCK_NB) == 0) return;
  if (errno != EWOULDBLOCK) {
    log_warn("cannot lock {} ({}); {} goes on unlocked", path, std::strerror(errno), what);
    return;
  }
  waited_ = true;
  log_info("{}: another process is computing it; waiting for it ({})", what, path);
  int rc;
  while ((rc = ::flock(fd_, LOCK_EX)) != 0 && errno == EINTR) {
  }
  if (rc != 0)
    log_warn("cannot lock {} ({}); {} goes on unlocked", path, std::strerror(errno), what);
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the flock
}

}  // namespace lazystack
