#include "core/partial_folder.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/atomic_file.h"
#include "core/log.h"

namespace lazystack {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

// The start time of process `pid` in clock ticks after boot (field 22 of /proc/<pid>/stat),
// or -1 when unknown. Tells a live writer from a later process that reuses its pid.
long long start_ticks(long pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (!std::getline(in, stat)) return -1;
  // The command name (field 2) is in parentheses and may hold spaces: count from its end.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream fields(stat.substr(close + 1));
  std::string field;
  for (int i = 3; i <= 22; ++i)
    if (!(fields >> field)) return -1;
  try {
    return std::stoll(field);
  } catch (const std::exception&) {
    return -1;
  }
}

bool process_exists(long pid) {
  return pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM);
}

}  // namespace

void claim_partial_folder(const std::string& dir) {
  const long pid = static_cast<long>(::getpid());
  const json owner = {{"pid", pid},
                      {"host", host_name()},
                      {"boot_id", boot_id()},
                      {"start_ticks", start_ticks(pid)}};
  write_text_atomically((fs::path(dir) / kPartialOwnerFile).string(), owner.dump() + "\n");
}

void release_partial_folder(const std::string& dir) {
  std::error_code ec;
  fs::remove(fs::path(dir) / kPartialOwnerFile, ec);
}

bool partial_owner_gone(const std::string& owner_json) {
  json owner;
  try {
    owner = json::parse(owner_json);
    if (!owner.is_object() || !owner.contains("pid") || !owner["pid"].is_number_integer() ||
        !owner.contains("host") || !owner["host"].is_string())
      return false;
  } catch (const json::exception&) {
    return false;
  }
  if (owner["host"].get<std::string>() != host_name()) return false;
  const long pid = owner["pid"].get<long>();
  if (pid == static_cast<long>(::getpid())) return false;
  if (!process_exists(pid)) return true;
  // The pid lives: the writer itself, or a later process that reuses its pid (after a reboot,
  // or after pids wrapped around).
  const auto recorded_boot = owner.value("boot_id", std::string());
  if (!recorded_boot.empty() && !boot_id().empty() && recorded_boot != boot_id()) return true;
  const long long recorded = owner.value("start_ticks", -1LL);
  const long long now = start_ticks(pid);
  return recorded >= 0 && now >= 0 && recorded != now;
}

PartialSweep sweep_partial_folders(const std::string& root, int max_depth) {
  PartialSweep sweep;
  std::error_code ec;
  if (root.empty() || !fs::is_directory(root, ec)) return sweep;
  const std::string suffix = ".partial";
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::error_code e2;
    if (it->is_symlink(e2) || !it->is_directory(e2)) continue;
    const std::string name = it->path().filename().string();
    const bool partial = name.size() > suffix.size() &&
                         name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    if (!partial) {
      if (it.depth() + 1 >= max_depth) it.disable_recursion_pending();
      continue;
    }
    it.disable_recursion_pending();  // never inside a run folder
    const std::string dir = it->path().string();
    std::ifstream in(it->path() / kPartialOwnerFile);
    std::stringstream text;
    text << in.rdbuf();
    if (!in) {
      sweep.unknown.push_back(dir);
    } else if (partial_owner_gone(text.str())) {
      fs::remove_all(it->path(), e2);
      if (e2)
        log_warn("cannot remove the stopped run's folder {}: {}", dir, e2.message());
      else
        sweep.removed.push_back(dir);
    } else {
      json owner;
      try {
        owner = json::parse(text.str());
      } catch (const json::exception&) {
      }
      const bool here = owner.is_object() && owner.value("host", std::string()) == host_name();
      (here ? sweep.live : sweep.unknown).push_back(dir);
    }
  }
  for (const auto& dir : sweep.removed)
    log_info("[run] removed {}: its run was stopped (its process is gone)", dir);
  for (const auto& dir : sweep.unknown)
    log_warn(
        "[run] {} is an incomplete run whose writer is unknown or on another host; remove it "
        "with `rm -r` once no run writes it",
        dir);
  return sweep;
}

}  // namespace lazystack
