// A run's folder: <results_dir>/<experiment>/<run-id>.partial while it is written, renamed to
// <run-id> when complete, and the `latest` link beside it.
#pragma once

#include <string>

#include "pipeline/config.h"

namespace lazystack {

/// The suffix of a run folder still being written.
constexpr const char* kPartialSuffix = ".partial";

/// A new run's folder, <exp_dir>/<run-id>.partial (the run id, <UTC time>-<config hash>-
/// <random>, returned in `run_id`), created here and by no other process. `owned`: this
/// process writes it, so it records its pid and host (a later run removes the folder if this
/// one is killed); a folder filled by other processes' tasks has no owner.
std::string make_partial_run_dir(const ExperimentConfig& cfg, const std::string& exp_dir,
                                 std::string* run_id, bool owned = true);

/// Points <exp_dir>/latest at run_id: a new link beside it renamed over the old one, so
/// `latest` always exists and never names a half-made run.
void point_latest_at(const std::string& exp_dir, const std::string& run_id);

}  // namespace lazystack
