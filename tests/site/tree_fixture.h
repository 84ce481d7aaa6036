// A results folder built by hand for the site's tests: runs of every kind the site must show
// (complete, failed methods, multi-seed with a missing seed, older summary without metrics,
// unreadable summary, a suite, a stray folder), from tests/reports/fixtures' summaries.
#pragma once

#include <filesystem>
#include <string>

namespace lazystack::testing_site {

/// A method name that would run script if it were not escaped.
constexpr const char* kHostileMethod = "<script>window.__pwned=1</script>";
/// A zoo member name that would load an image and run its onerror if it were not escaped.
constexpr const char* kHostileMember = "<img src=x onerror=\"window.__pwned=2\">";

/// Writes under `root`:
///   fashion_mnist/20260101T000000Z-aaaaaa/  small_summary() with metrics; gatekeeper failed;
///                                           cost-cascade renamed kHostileMethod, softmax
///                                           renamed kHostileMember
///   fashion_mnist/20260102T000000Z-bbbbbb/  ablation_summary() with metrics (LazyStack-SUB
///                                           4.00x cheaper than cost-cascade); `latest`
///   multi/20260103T000000Z-cccccc/seed-0,1  ablation_summary(): seed 0 at 4x, seed 1 at 0.25x
///                                           (its headline cost raised to 8); the config's seeds
///                                           are [0, 1, 2]: seed 2 is missing
///   old/20250101T000000Z-dddddd/            ablation_summary() without metrics (older format)
///   broken/20260104T000000Z-eeeeee/         summary.json that is not JSON
///   paper/digits/20260105T000000Z-ffffff/   ablation_summary() with metrics; paper/runs.json
///   bench/bench.json                        not a run
void write_results_tree(const std::filesystem::path& root);

}  // namespace lazystack::testing_site
