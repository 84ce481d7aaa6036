// A suite's experiments run side by side, each in its own `lazystack run SUITE --only NAME`
// process (`lazystack run SUITE --jobs N`). Processes, not threads: an experiment's memory,
// its torch thread pool and its failures stay its own, and each child is the same command a
// user can run by hand to redo one experiment.
#pragma once

#include <string>
#include <vector>

#include "pipeline/run.h"
#include "pipeline/suite.h"

namespace lazystack {

struct SuiteProcesses {
  int jobs = 2;                        ///< experiments at once (>= 2; 1 is run_suite)
  std::string executable;              ///< this program (/proc/self/exe)
  std::vector<std::string> overrides;  ///< the command line's --set, passed on unchanged
  bool force = false;                  ///< --force, passed on
};

/// The order in which the experiments start: the largest first (val + test samples x classes
/// x zoo size, known from a synthetic dataset's options), then suite order, so that the longest
/// ones do not start last. Returns indices into suite.experiments.
std::vector<size_t> suite_start_order(const SuiteConfig& suite);

/// Runs every experiment of the suite in its own process, at most `p.jobs` at once, each with
/// LAZYSTACK_THREADS = CPUs / jobs (at least 1) unless the environment sets it. A child's
/// output goes to <suite results>/logs/<experiment>.log; progress and failures (with the
/// log's last lines) are logged here. Then finish_suite, as run_suite. An experiment that
/// fails is recorded in options.failures (exit 3) and the others go on. Returns the run
/// folders in suite order.
std::vector<std::string> run_suite_in_processes(const SuiteConfig& suite, const RunOptions& options,
                                                const SuiteProcesses& p);

}  // namespace lazystack
