#include "reports/gnuplot.h"

#include <fcntl.h>
#include <fmt/core.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <vector>

#include "core/atomic_file.h"
#include "core/log.h"
#include "reports/text_file.h"

namespace lazystack::reports {
namespace fs = std::filesystem;

std::string Gnuplot::locate() const {
  if (command_.empty()) return "";
  auto executable = [](const std::string& p) {
    return fs::is_regular_file(p) && ::access(p.c_str(), X_OK) == 0;
  };
  if (command_.find('/') != std::string::npos) return executable(command_) ? command_ : "";
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "";
  size_t start = 0;
  while (start <= dirs.size()) {
    const size_t end = std::min(dirs.find(':', start), dirs.size());
    const std::string dir = dirs.substr(start, end - start);
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + command_;
    if (executable(candidate)) return candidate;
    start = end + 1;
  }
  return "";
}

GnuplotRun Gnuplot::run(const std::string& dir, const std::string& script_name,
                        const std::string& first) const {
  GnuplotRun result;
  const std::string exe = locate();
  if (exe.empty()) {
    result.output = command_ + ": not found";
    return result;
  }
  // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
  std::vector<std::string> args = {exe};
  if (!first.empty()) args.insert(args.end(), {"-e", first});
  args.push_back(script_name);
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  int pipe_fds[2];
  if (::pipe(pipe_fds) != 0) {
    result.output = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  const int null_fd = ::open("/dev/null", O_RDONLY);
  const pid_t pid = ::fork();
  if (pid < 0) {
    result.output = std::string("fork: ") + std::strerror(errno);
    ::close(pipe_fds[0]);
    ::close(pipe_fds[1]);
    if (null_fd >= 0) ::close(null_fd);
    return result;
  }
  if (pid == 0) {
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    ::dup2(pipe_fds[1], STDERR_FILENO);
    ::close(pipe_fds[0]);
    ::setpgid(0, 0);  // its own process group, so a timeout kills everything it started
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    ::execv(exe.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  if (null_fd >= 0) ::close(null_fd);
  // Read until gnuplot closes its output or the deadline passes; then the whole process group
  // (gnuplot and anything it started) is killed, so a hung or hostile script cannot hold the run.
  const auto deadline = std::chrono::steady_clock::now() + timeout_;
  char buf[4096];
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      result.timed_out = true;
      break;
    }
    pollfd pfd{pipe_fds[0], POLLIN, 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(std::min<long long>(left.count(), 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) continue;
    const ssize_t n = ready > 0 ? ::read(pipe_fds[0], buf, sizeof buf) : -1;
    if (n > 0) {
      result.output.append(buf, static_cast<size_t>(n));
    } else if (n == 0 || errno != EINTR) {
      break;
    }
  }
  ::close(pipe_fds[0]);
  if (result.timed_out) ::kill(-pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.started = result.exit_code != 126 && result.exit_code != 127;
  if (result.exit_code == 126) result.output += "cannot enter " + dir;
  if (result.timed_out)
    result.output +=
        fmt::format("killed after {} s (the time limit of one figure)",
                    std::chrono::duration_cast<std::chrono::seconds>(timeout_).count());
  return result;
}

void FigureRenderer::warn(const std::string& message) {
  if (warned_) return;
  warned_ = true;
  log_warn("{}", message);
}

bool FigureRenderer::render(const std::string& dir, const std::string& stem, const std::string& csv,
                            const std::string& script) {
  write_text_file((fs::path(dir) / (stem + ".csv")).string(), csv);
  write_text_file((fs::path(dir) / (stem + ".gp")).string(), script);
  if (gnuplot_.command().empty()) return false;  // images turned off: data and script only
  if (!checked_) {
    checked_ = true;
    available_ = !gnuplot_.locate().empty();
    if (!available_)
      warn(
          fmt::format("gnuplot ('{}') is not on PATH: figures are left as data and scripts "
                      "(render them with `cd {} && gnuplot {}.gp`; install gnuplot-nox)",
                      gnuplot_.command(), dir, stem));
  }
  if (!available_) return false;

  // Stale images from an earlier render must not pass for this one's.
  static const char* const kFormats[] = {"png", "svg", "pdf"};
  for (const char* ext : kFormats) {
    std::error_code ec;
    fs::remove(fs::path(dir) / (stem + "." + ext), ec);
  }
  // gnuplot draws into temporaries beside the images ("<stem>.tmp-<pid>-<tag>.png": the
  // extension kept, the owner's pid in the name for the orphan sweep); each is renamed into
  // place only when gnuplot succeeded, so a killed or failing gnuplot never leaves a
  // half-written image at a final path.
  const std::string tmp_stem =
      fs::path(temporary_name((fs::path(dir) / stem).string())).filename().string();
  const GnuplotRun run =
      gnuplot_.run(dir, stem + ".gp", "output_stem = " + gnuplot_quote(tmp_stem));
  const bool succeeded = run.started && run.exit_code == 0 && !run.timed_out;
  std::string missing;
  bool renamed = false;
  for (const char* ext : kFormats) {
    const fs::path image = fs::path(dir) / (stem + "." + ext);
    const fs::path tmp = fs::path(dir) / (tmp_stem + "." + ext);
    std::error_code ec;
    const bool written = fs::exists(tmp, ec) && fs::file_size(tmp, ec) > 0;
    bool placed = false;
    if (succeeded && written) {
      try {
        fsync_path(tmp.string());
        placed = ::rename(tmp.c_str(), image.c_str()) == 0;
      } catch (const WriteError& e) {
        log_warn("{}", e.what());
      }
      renamed |= placed;
    }
    if (!placed) {
      fs::remove(tmp, ec);
      missing += (missing.empty() ? "" : ", ") + image.filename().string();
    }
  }
  if (renamed) {
    try {
      fsync_path(dir);
    } catch (const WriteError& e) {
      log_warn("{}", e.what());
    }
  }
  if (succeeded && missing.empty()) {
    if (!run.output.empty()) log_debug("gnuplot {}/{}.gp said: {}", dir, stem, run.output);
    return true;
  }
  std::string why =
      !run.started ? "could not be run" : fmt::format("exited with status {}", run.exit_code);
  if (run.timed_out) why = "timed out";
  if (run.started && run.exit_code == 0) why = "did not write " + missing;
  std::string output = run.output;
  if (output.size() > 800) output = output.substr(0, 800) + "...";
  while (!output.empty() && std::isspace(static_cast<unsigned char>(output.back())))
    output.pop_back();
  warn(fmt::format("gnuplot {} on {}/{}.gp; the CSV and script are kept{}{}", why, dir, stem,
                   output.empty() ? "" : ": ", output));
  return false;
}

}  // namespace lazystack::reports
