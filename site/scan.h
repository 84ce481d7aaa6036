// What a results folder holds, read off the file system alone (no summary is parsed here):
//   <root>/<experiment>/<run-id>/               a run (summary.json, or seed-*/summary.json)
//   <root>/<suite>/<experiment>/<run-id>/       a run of a suite (runs.json in <suite>/)
// and the `latest` link of each experiment. Anything else (bench/, stray files) is ignored.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lazystack::site {

/// One seed-<n>/ folder of a multi-seed run.
struct SeedFolder {
  long seed = -1;            ///< n; -1 when the name does not end in a number
  std::string name;          ///< "seed-0"
  bool has_summary = false;  ///< seed-<n>/summary.json exists
};

/// One run folder.
struct RunFolder {
  std::vector<std::string> segments;  ///< path from the site root: [suite,] experiment, run id
  std::string suite;                  ///< "" outside a suite
  std::string experiment;             ///< the experiment folder's name
  std::string run_id;                 ///< the run folder's name ("20261203T232212Z-9b012a")
  std::filesystem::path dir;          ///< root / segments
  bool has_summary = false;           ///< dir/summary.json: a single-seed run
  std::vector<SeedFolder> seeds;      ///< seed-*/ subfolders by seed: a multi-seed run
  /// `seeds` of the run's config.resolved.yaml (its own, else the first seed folder's);
  /// empty when unreadable. A seed in it without a summary is a missing seed.
  std::vector<long> expected_seeds;
  bool latest = false;  ///< the experiment's `latest` link points here

  bool multi_seed() const { return !has_summary && !seeds.empty(); }
  /// "paper/digits/2026...": the segments joined, for messages and cache keys.
  std::string key() const;
  /// "paper/digits" or "digits": the key without the run id (the index's section anchor).
  std::string experiment_key() const;
};

/// A suite folder: experiment folders of one suite, runs.json once the suite has finished.
struct SuiteFolder {
  std::string name;
  std::filesystem::path dir;
  std::vector<std::string> experiments;  ///< experiment folder names, sorted
};

struct ResultsTree {
  std::vector<RunFolder> runs;  ///< newest first (by run id, which starts with its UTC time)
  std::vector<SuiteFolder> suites;
};

/// Walks `root` two or three levels deep. Throws std::runtime_error when `root` is not a
/// folder. A folder is a run when it holds summary.json, config.resolved.yaml or seed-*/, or
/// its name has the shape of a run id (a run that died before writing anything is listed,
/// as partial). Symbolic links (`latest`) are not followed; hidden and _-prefixed names skipped.
ResultsTree scan_results(const std::string& root);

/// "2026-12-03 23:22 UTC" from a run id starting "20261203T232212Z"; "" when it does not.
std::string run_time_text(const std::string& run_id);

}  // namespace lazystack::site
