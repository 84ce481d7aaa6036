#include "core/provenance.h"

#include <fmt/core.h>

#include <ctime>
#include <fstream>
#include <thread>

#ifndef LAZYSTACK_VERSION
#define LAZYSTACK_VERSION "0.0.0"
#endif
#if __has_include("git_revision.h")
#include "git_revision.h"  // generated at build time by cmake/git_revision.cmake
#endif
#ifndef LAZYSTACK_GIT_REV
#define LAZYSTACK_GIT_REV "unknown"
#endif

namespace lazystack {

std::string tool_version() { return LAZYSTACK_VERSION; }
std::string git_revision() { return LAZYSTACK_GIT_REV; }

std::string hardware_fingerprint() {
  std::string cpu = "unknown-cpu";
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto pos = line.find(':');
      if (pos != std::string::npos) cpu = line.substr(pos + 2);
      break;
    }
  }
  return fmt::format("x86_64 {} {}c", cpu, std::thread::hardware_concurrency());
}

namespace {
std::string utc_now(const char* format) {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}
}  // namespace

std::string utc_timestamp() { return utc_now("%Y-%m-%dT%H:%M:%SZ"); }
std::string utc_compact_timestamp() { return utc_now("%Y%m%dT%H%M%SZ"); }

nlohmann::json provenance_json() {
  return {{"tool_version", tool_version()},
          {"git_revision", git_revision()},
          {"hardware", hardware_fingerprint()},
          {"created", utc_timestamp()}};
}

}  // namespace lazystack
