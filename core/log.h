// Logging and progress for long steps (stage, item, step/total, ETA) on stderr.
#pragma once

#include <fmt/core.h>

#include <chrono>
#include <string>

namespace lazystack {

enum class LogLevel { kQuiet = 0, kInfo = 1, kDebug = 2 };
/// Process-wide verbosity, set once by the CLI (the only global; it holds no data).
void set_log_level(LogLevel level);
LogLevel log_level();

void log_line(const std::string& line);

template <class... Args>
void log_info(fmt::format_string<Args...> f, Args&&... args) {
  if (log_level() >= LogLevel::kInfo) log_line(fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void log_debug(fmt::format_string<Args...> f, Args&&... args) {
  if (log_level() >= LogLevel::kDebug) log_line(fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void log_warn(fmt::format_string<Args...> f, Args&&... args) {
  log_line("warning: " + fmt::format(f, std::forward<Args>(args)...));
}

/// Progress of one long step: "[zoo] resnet-8 epoch 3/10 loss 0.41  1.2 s/it, ETA 8 s".
/// Prints at most every `interval_s` seconds (and always the last step).
class Progress {
 public:
  Progress(std::string stage, std::string item, long total, double interval_s = 2.0);
  /// Marks `done` of `total` steps complete; `detail` is appended (e.g. "loss 0.41").
  void update(long done, const std::string& detail = "");
  /// Elapsed seconds since construction.
  double elapsed_s() const;

 private:
  std::string stage_, item_;
  long total_;
  double interval_s_;
  std::chrono::steady_clock::time_point start_, last_print_;
  bool printed_ = false;
};

/// Seconds since `start` as a double.
double seconds_since(std::chrono::steady_clock::time_point start);

}  // namespace lazystack
