// Budgets: LazyStack's MDP build + exact solve on 30k val_fit samples, M = 8 <= 1 s and
// M = 12 <= 10 s (DESIGN.md section 12); 4 to 14 models show the growth. Synthetic zoo of 10
// classes, default options (beta 100, 10 entropy bins, pruning on).
#include <benchmark/benchmark.h>

#include "core/synthetic.h"
#include "methods/lazystack/discovery.h"
#include "methods/lazystack/mdp_build.h"
#include "methods/lazystack/mdp_solve.h"

namespace lazystack {
namespace {

void BM_MdpBuildSolve(benchmark::State& state) {
  const int models = static_cast<int>(state.range(0));
  const int samples = static_cast<int>(state.range(1));
  const LogitTable val_fit = synthetic_logit_table(models, samples, 10, 11);
  lazy::MdpOptions options;
  size_t states = 0;
  for (auto _ : state) {
    lazy::TrajectoryMdp mdp = lazy::build_trajectory_mdp(val_fit, options);
    lazy::MdpSolution solution = lazy::solve_backward_induction(mdp);
    states = solution.value.size();
    benchmark::DoNotOptimize(solution.value.data());
  }
  state.counters["states"] = static_cast<double>(states);
}
BENCHMARK(BM_MdpBuildSolve)
    ->ArgNames({"models", "samples"})
    ->Args({4, 30000})
    ->Args({6, 30000})
    ->Args({8, 30000})
    ->Args({10, 30000})
    ->Args({12, 30000})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);
// What a LazyStack method does per beta since issue 12 (its default DiscoveryOptions): build
// with per-fold counts (5 folds), smoothing, back-off and class groups (default 1), then solve
// the full estimate and the 5 leave-one-fold-out estimates (6 solves).
void BM_MdpBuildSolveCrossFitted(benchmark::State& state) {
  const int models = static_cast<int>(state.range(0));
  const int samples = static_cast<int>(state.range(1));
  const LogitTable val_fit = synthetic_logit_table(models, samples, 10, 11);
  lazy::DiscoveryOptions defaults;
  lazy::MdpOptions options = defaults.mdp;
  options.beta = 100.0;
  size_t states = 0;
  for (auto _ : state) {
    lazy::TrajectoryMdp mdp = lazy::build_trajectory_mdp(val_fit, options);
    for (int f = -1; f < mdp.num_folds; ++f) {
      lazy::MdpSolution solution = lazy::solve_backward_induction(mdp, f);
      states = solution.value.size();
      benchmark::DoNotOptimize(solution.value.data());
    }
  }
  state.counters["states"] = static_cast<double>(states);
}
BENCHMARK(BM_MdpBuildSolveCrossFitted)
    ->ArgNames({"models", "samples"})
    ->Args({8, 30000})
    ->Args({12, 30000})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3);

// All of Offline 1 per beta with LazyStack's defaults since the on-policy rounds: the build and
// 6 solves above, then up to 3 rounds of Monte-Carlo policy improvement of each of the 6
// estimates (methods/lazystack/on_policy.h), the cross-fitted rollout and the trie. The
// estimates run on `threads` threads (the same result for any count): wall time (UseRealTime)
// is the budget's measure; the CPU column counts the calling thread only.
void BM_MdpDiscoveryWithOnPolicyRounds(benchmark::State& state) {
  const int models = static_cast<int>(state.range(0));
  const int samples = static_cast<int>(state.range(1));
  const LogitTable val_fit = synthetic_logit_table(models, samples, 10, 11);
  lazy::DiscoveryOptions options;
  options.mdp.beta = 100.0;
  options.threads = static_cast<int>(state.range(2));
  int rounds = 0;
  for (auto _ : state) {
    lazy::Discovery d = lazy::discover_trajectories(val_fit, options);
    rounds = d.policy_iterations;
    benchmark::DoNotOptimize(d.plan.trie.num_nodes());
  }
  state.counters["rounds"] = rounds;
}
BENCHMARK(BM_MdpDiscoveryWithOnPolicyRounds)
    ->ArgNames({"models", "samples", "threads"})
    ->Args({8, 30000, 1})
    ->Args({8, 30000, 2})
    ->Args({12, 30000, 1})
    ->Args({12, 30000, 2})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(1);

// 14 models: 2^14 executed sets; once is enough (tens of seconds, about a gigabyte).
BENCHMARK(BM_MdpBuildSolve)
    ->ArgNames({"models", "samples"})
    ->Args({14, 30000})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

}  // namespace
}  // namespace lazystack
