// Report test fixtures: summary.json documents built by hand (the schema pipeline/run.cc
// writes), and temporary folders.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

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

/// Writes `summary` as <dir>/summary.json (creating dir).
void write_summary(const std::filesystem::path& dir, const nlohmann::json& summary);

/// Reads a whole file.
std::string read_file(const std::filesystem::path& path);

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
