#include "core/log.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <mutex>

namespace lazystack {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::mutex g_mutex;

std::string format_duration(double s) {
  if (s < 60) return fmt::format("{:.0f} s", s);
  if (s < 3600) return fmt::format("{:.0f} min {:02.0f} s", std::floor(s / 60), std::fmod(s, 60));
  return fmt::format("{:.1f} h", s / 3600);
}
}  // namespace

void set_log_level(LogLevel level) { g_level = static_cast<int>(level); }
LogLevel log_level() { return static_cast<LogLevel>(g_level.load()); }

void log_line(const std::string& line) {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fprintf(stderr, "%s\n", line.c_str());
  std::fflush(stderr);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Progress::Progress(std::string stage, std::string item, long total, double interval_s)
    : stage_(std::move(stage)),
      item_(std::move(item)),
      total_(total),
      interval_s_(interval_s),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

double Progress::elapsed_s() const { return seconds_since(start_); }

void Progress::update(long done, const std::string& detail) {
  const auto now = std::chrono::steady_clock::now();
  const bool last = done >= total_;
  if (!last && std::chrono::duration<double>(now - last_print_).count() < interval_s_) return;
  last_print_ = now;
  const double elapsed = elapsed_s();
  std::string eta;
  if (done > 0 && !last) eta = ", ETA " + format_duration(elapsed / done * (total_ - done));
  if (last) eta = ", took " + format_duration(elapsed);
  log_info("[{}] {} {}/{}{}{}", stage_, item_, done, total_, detail.empty() ? "" : " " + detail,
           eta);
  printed_ = true;
}

}  // namespace lazystack
