#include "pipeline/run_folder.h"

#include <fmt/core.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <random>
#include <system_error>

#include "core/atomic_file.h"
#include "core/exit_status.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/partial_folder.h"
#include "core/provenance.h"
#include "pipeline/run.h"

namespace lazystack {
namespace fs = std::filesystem;

namespace {

// <UTC time>-<config hash>-<random>: two runs of one config started in the same second get
// two folders (make_partial_run_dir creates the folder exclusively and draws again on a clash).
std::string make_run_id(const ExperimentConfig& cfg) {
  static std::mt19937 rng{std::random_device{}() ^ static_cast<unsigned>(getpid())};
  return fmt::format("{}-{}-{:04x}", utc_compact_timestamp(),
                     hash_hex(cfg.resolved.dump()).substr(0, 6), rng() & 0xffffu);
}

}  // namespace

// A new run's folder, <exp_dir>/<run-id>.partial, created here and by no other process.
// `owned`: this process writes it, so it records its pid and host (a later run removes the
// folder if this one is killed); a folder filled by other processes' tasks has no owner.
std::string make_partial_run_dir(const ExperimentConfig& cfg, const std::string& exp_dir,
                                 std::string* run_id, bool owned) {
  fs::create_directories(exp_dir);
  for (int attempt = 0; attempt < 100; ++attempt) {
    *run_id = make_run_id(cfg);
    const std::string dir = exp_dir + "/" + *run_id + kPartialSuffix;
    if (fs::exists(exp_dir + "/" + *run_id)) continue;
    std::error_code ec;
    if (fs::create_directory(dir, ec)) {
      if (owned) claim_partial_folder(dir);
      return dir;
    }
    if (ec) throw WriteError(fmt::format("cannot create run folder '{}': {}", dir, ec.message()));
  }
  throw std::runtime_error("cannot find a free run id in " + exp_dir);
}

// Points <exp_dir>/latest at run_id: a new link beside it renamed over the old one, so
// `latest` always exists and never names a half-made run.
void point_latest_at(const std::string& exp_dir, const std::string& run_id) {
  const fs::path latest = fs::path(exp_dir) / "latest";
  const std::string tmp = temporary_name(latest.string());
  std::error_code ec;
  fs::create_directory_symlink(run_id, tmp, ec);
  if (!ec && ::rename(tmp.c_str(), latest.c_str()) != 0) {
    ec = std::error_code(errno, std::generic_category());
    std::error_code ignored;
    fs::remove(tmp, ignored);
  }
  if (ec) log_warn("cannot point {} at {}: {}", latest.string(), run_id, ec.message());
}

std::string create_partial_run_dir(const ExperimentConfig& cfg, std::string* run_id) {
  // Filled by tasks of other processes (the Slurm executor): no pid owns it, so no start-up
  // sweep may take it for a killed run's folder (one without an owner is only listed).
  return make_partial_run_dir(cfg, cfg.results_dir + "/" + cfg.experiment, run_id,
                              /*owned=*/false);
}

}  // namespace lazystack
