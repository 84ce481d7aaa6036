#include "core/atomic_file.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>

namespace lazystack {
namespace fs = std::filesystem;

namespace {

[[noreturn]] void fail_errno(const std::string& what, const std::string& path, int err) {
  throw WriteError(fmt::format("cannot {} '{}': {}", what, path, std::strerror(err)));
}

uint32_t random_tag() {
  static std::mutex mutex;
  static std::mt19937 rng{std::random_device{}()};
  std::lock_guard<std::mutex> lock(mutex);
  return static_cast<uint32_t>(rng());
}

bool process_alive(long pid) {
  if (pid <= 0) return false;
  if (pid == static_cast<long>(getpid())) return true;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

// Position in a file name where the extension chain starts (the first '.' after the first
// character), or npos.
size_t extension_start(const std::string& name) {
  return name.size() > 1 ? name.find('.', 1) : std::string::npos;
}

}  // namespace

std::string temporary_name(const std::string& path) {
  const fs::path p(path);
  const std::string name = p.filename().string();
  const size_t dot = extension_start(name);
  const std::string stem = dot == std::string::npos ? name : name.substr(0, dot);
  const std::string ext = dot == std::string::npos ? "" : name.substr(dot);
  const std::string tmp =
      fmt::format("{}.tmp-{}-{:08x}{}", stem, static_cast<long>(getpid()), random_tag(), ext);
  return (p.parent_path() / tmp).string();
}

long temporary_owner(const std::string& filename) {
  // New form: "<stem>.tmp-<pid>-<8 hex>[.<ext>]".
  for (size_t at = filename.find(".tmp-"); at != std::string::npos;
       at = filename.find(".tmp-", at + 1)) {
    size_t i = at + 5, digits = 0;
    long pid = 0;
    while (i < filename.size() && std::isdigit(static_cast<unsigned char>(filename[i])) &&
           digits < 10)
      pid = pid * 10 + (filename[i++] - '0'), ++digits;
    if (digits == 0 || i >= filename.size() || filename[i] != '-') continue;
    size_t hex = 0;
    ++i;
    while (i < filename.size() && std::isxdigit(static_cast<unsigned char>(filename[i])))
      ++i, ++hex;
    if (hex == 8 && (i == filename.size() || filename[i] == '.')) return pid;
  }
  // Older form: "<file>.tmp.<pid>" at the end.
  const size_t at = filename.rfind(".tmp.");
  if (at != std::string::npos && at + 5 < filename.size()) {
    long pid = 0;
    for (size_t i = at + 5; i < filename.size(); ++i) {
      if (!std::isdigit(static_cast<unsigned char>(filename[i])) || i - at > 14) return -1;
      pid = pid * 10 + (filename[i] - '0');
    }
    return pid;
  }
  return -1;
}

void write_bytes_to(const std::string& path, const void* data, size_t size) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail_errno("create", path, errno);
  const char* p = static_cast<const char*>(data);
  size_t left = size;
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = n < 0 ? errno : ENOSPC;
      ::close(fd);
      fail_errno("write", path, err);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    fail_errno("sync", path, err);
  }
  if (::close(fd) != 0) fail_errno("close", path, errno);
}

void fsync_path(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) fail_errno("open", path, errno);
  if (::fsync(fd) != 0) {
    const int err = errno;
    ::close(fd);
    // Some file systems cannot sync a folder; that is no reason to fail a write.
    if (err == EINVAL || err == EROFS) return;
    fail_errno("sync", path, err);
  }
  if (::close(fd) != 0) fail_errno("close", path, errno);
}

void write_file_atomically(const std::string& path,
                           const std::function<void(const std::string& tmp)>& write) {
  const fs::path target(path);
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(folder, ec);
  if (ec)
    throw WriteError(fmt::format("cannot create folder '{}': {}", folder.string(), ec.message()));
  const std::string tmp = temporary_name(path);
  try {
    write(tmp);
    if (!fs::exists(tmp)) throw WriteError(fmt::format("the writer of '{}' wrote no file", path));
    fsync_path(tmp);
    if (::rename(tmp.c_str(), path.c_str()) != 0)
      throw WriteError(
          fmt::format("cannot rename '{}' to '{}': {}", tmp, path, std::strerror(errno)));
  } catch (const WriteError& e) {
    fs::remove(tmp, ec);
    throw WriteError(fmt::format("writing '{}' failed: {}", path, e.what()));
  } catch (...) {
    fs::remove(tmp, ec);
    throw;
  }
  fsync_path(folder.string());
}

void write_bytes_atomically(const std::string& path, const void* data, size_t size) {
  write_file_atomically(path, [&](const std::string& tmp) { write_bytes_to(tmp, data, size); });
}

void write_text_atomically(const std::string& path, const std::string& text) {
  write_bytes_atomically(path, text.data(), text.size());
}

int remove_orphaned_temporaries(const std::string& root) {
  std::error_code ec;
  if (root.empty() || !fs::is_directory(root, ec)) return 0;
  int removed = 0;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code e2;
    if (!it->is_regular_file(e2)) continue;
    const long pid = temporary_owner(it->path().filename().string());
    if (pid < 0 || process_alive(pid)) continue;
    if (fs::remove(it->path(), e2)) ++removed;
  }
  return removed;
}

void ignore_file_size_signal() { ::signal(SIGXFSZ, SIG_IGN); }

}  // namespace lazystack
