// Report test fixtures: summary.json documents built by hand (the schema pipeline/run.cc
// writes), and temporary folders.
#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lazystack {
namespace testing_reports {

/// 3 zoo models (softmax, cnn-s, resnet-8; latency_ms), and four methods: cost-cascade (five
/// swept points, one of them dominated), stacker (one point), oracle (a bound) and gatekeeper
/// (failed, with an error message).
nlohmann::json small_summary();

/// A fuller run for looking at the figure: six zoo models, eight methods (LazyStack SUB and
/// MASK, a cost cascade swept over a dense grid of 120 thresholds, committees, tiers, ensemble,
/// stacker, oracle) and one failed method.
nlohmann::json paper_summary();

/// A run for the ablation and equal-accuracy tables, with round numbers (full ensemble cost 10,
/// so speedup S = 10 / cost). cost-cascade: test curve (cost, accuracy) (0.5, .85), (1, .88),
/// (3, .91), (4, .905; dominated), (6, .92), headline (3, .91). LazyStack headlines as
/// (cost, accuracy, S):
///   lazystack-sub          MDP  + SUB    (0.5, .895, 20)
///   lazystack-no-mdp       cost + SUB    (2.5, .93,   4)
///   lazystack-no-sub       MDP  + last   (2,   .88,   5)
///   lazystack-neither      cost + last   (5,   .80,   2)   no diagnostics: preset defaults
///   lazystack-mask         MDP  + MASK   (2,   .92,   5)
///   lazystack-no-mdp-mask  cost + MASK   (2.5, .91,   4)   registry lazystack-no-mdp
/// plus a stacker (cost 10, .94). Order and aggregator are in each method's diagnostics.
nlohmann::json ablation_summary();

/// What the pipeline writes from a method's registry card and options (summary.json: kind,
/// early_exit, version, proposed, role, in_figure, report_order, options), here for the
/// registry names the fixtures use.
void add_card(nlohmann::json& m, const std::string& registry_name);

/// Writes `summary` as <dir>/summary.json (creating dir).
void write_summary(const std::filesystem::path& dir, const nlohmann::json& summary);

/// Reads a whole file.
std::string read_file(const std::filesystem::path& path);

/// Whether `gnuplot` is found on PATH.
bool gnuplot_on_path();

/// Whether the file begins with the bytes `magic` (an image format's signature).
bool file_starts_with(const std::filesystem::path& path, const std::string& magic);

/// Rows of a CSV file (RFC 4180) as maps from header name to field.
std::vector<std::map<std::string, std::string>> read_csv(const std::filesystem::path& path);

/// Cells of the Markdown table row whose first cell is `name` (trimmed); empty when absent.
std::vector<std::string> markdown_row(const std::string& md, const std::string& name);

/// A fresh folder under the system temp dir named after the running test; removed when the
/// object goes, unless LAZYSTACK_KEEP_TEST_OUTPUT is set (to look at the figures).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace testing_reports
}  // namespace lazystack
