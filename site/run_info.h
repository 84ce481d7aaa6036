// What the index says about one run: when, which revision and dataset, its seeds, LazyStack vs
// the best baseline, and whether it is complete. Read from the run's summaries once and cached
// (_site/index-cache.json), so re-rendering the index after a run parses one new summary.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "reports/verdict.h"
#include "site/scan.h"

namespace lazystack::site {

struct RunInfo {
  enum class Status {
    kOk,          ///< every seed's summary read, nothing failed
    kFailures,    ///< complete, but zoo members or methods failed (exit code 3)
    kPartial,     ///< a seed (or the whole summary) is missing: the run stopped early
    kUnreadable,  ///< a summary.json could not be read (not JSON, incompatible version, ...)
  };
  Status status = Status::kOk;
  std::vector<std::string> problems;           ///< one line each: "method gatekeeper failed: ..."
  int failed_members = 0, failed_methods = 0;  ///< distinct names, over the seeds
  std::string dataset, created, revision, cost_unit;
  std::vector<long> seeds;  ///< seeds whose summary was read
  /// LazyStack-SUB against the best baseline, over the seeds whose summary was read.
  int compared = 0;           ///< seeds with a finite x_best_baseline
  int unmatched = 0;          ///< seeds where no baseline reaches LazyStack's accuracy
  double factor = 0;          ///< geometric mean of x_best_baseline over `compared` seeds (0: none)
  std::string best_baseline;  ///< the baseline; "varies" when the seeds disagree
  std::string verdict;   ///< reports::verdict_text / unmatched / "failed" / "not run"; "" unknown
  std::string headline;  ///< "92.50% at 0.31 ms"; several seeds: their mean, "(mean of 3)"
};

/// Reads the run's summaries (each through reports::load_summary) and sums them up. Never
/// throws: what cannot be read becomes a problem line.
RunInfo run_info(const RunFolder& run);

/// "ok", "failures", "partial", "unreadable".
std::string status_name(RunInfo::Status status);

nlohmann::json to_json(const RunInfo& info);
/// Throws nlohmann::json::exception on a malformed object (the cache is then rebuilt).
RunInfo run_info_from_json(const nlohmann::json& j);

/// Sizes and modification times of every file run_info() reads: equal stamps, equal info.
std::string run_stamp(const RunFolder& run);

}  // namespace lazystack::site
