#include "methods/lazystack/discovery.h"

#include <chrono>
#include <istream>
#include <ostream>

#include "core/log.h"

namespace lazystack {
namespace lazy {

std::vector<OptionSpec> discovery_option_specs() {
  const DiscoveryOptions d;
  return {
      opt_double("beta", d.mdp.beta,
                 "MDP accuracy/cost knob: STOP pays beta if the aggregate is right, EXEC(j) costs "
                 "cost_j / max cost (100: one point of accuracy is worth one run of the costliest "
                 "model)")
          .above(0.0),
      opt_int("entropy_bins", d.mdp.num_bins,
              "B: equal-width bins of the aggregate's normalised entropy H(p) / log C in the "
              "MDP state")
          .range(1, 255),
      opt_int("max_models", d.mdp.max_models,
              "longest trajectory the MDP considers (its horizon); 0 = all models")
          .range(0, 64),
      opt_bool(
          "prune", d.mdp.prune,
          "skip expanding MDP states where STOP provably wins (exact: same policy, less work)"),
      opt_double("min_share", d.min_share,
                 "keep trajectories taken by at least this share of val_fit samples")
          .above(0.0)
          .below(1.0),
  };
}

DiscoveryOptions discovery_options_from(const Options& options) {
  DiscoveryOptions d;
  d.mdp.beta = options.get_double("beta");
  d.mdp.num_bins = static_cast<int>(options.get_int("entropy_bins"));
  d.mdp.max_models = static_cast<int>(options.get_int("max_models"));
  d.mdp.prune = options.get_bool("prune");
  d.min_share = options.get_double("min_share");
  return d;
}

void DiscoveryPlan::write(std::ostream& out) const {
  policy.write(out);
  trie.write(out);
}

DiscoveryPlan DiscoveryPlan::read(std::istream& in) {
  DiscoveryPlan plan;
  plan.policy = PolicyTable::read(in);
  plan.trie = PrefixTrie::read(in);
  return plan;
}

nlohmann::json Discovery::to_json(const std::vector<std::string>& model_names) const {
  nlohmann::json j = mdp.stats_json();
  j["solve_seconds"] = solution.solve_seconds;
  j["rollout_seconds"] = rollout_seconds;
  j["start_value"] = solution.value.empty() ? 0.0 : solution.value[0];
  j["policy"] = plan.policy.summary_json();
  j["val_fit_rollout"] = {{"accuracy", rollout.accuracy},
                          {"mean_cost", rollout.mean_cost},
                          {"mean_models", rollout.mean_models},
                          {"mean_reward", rollout.mean_reward},
                          {"fallback_decisions", rollout.num_fallback_decisions}};
  j["trajectories"] = trajectories.to_json(model_names);
  j["coverage_95_trajectories"] = trajectories.num_for_coverage(0.95);
  j["trie"] = plan.trie.to_json(model_names);
  return j;
}

Discovery discover_trajectories(const LogitTable& val_fit, const DiscoveryOptions& options) {
  Discovery d;
  d.mdp = build_trajectory_mdp(val_fit, options.mdp);
  d.solution = solve_backward_induction(d.mdp);
  d.plan.policy = PolicyTable::from_solution(d.mdp, d.solution);
  const auto start = std::chrono::steady_clock::now();
  d.rollout = rollout_policy(val_fit, d.plan.policy);
  d.trajectories = summarize_trajectories(d.rollout.trajectories, options.min_share);
  d.plan.trie = PrefixTrie::from_report(d.trajectories);
  d.rollout_seconds = seconds_since(start);
  log_debug(
      "[lazystack] MDP: {} states over {} executed sets, built in {:.3f} s, solved in "
      "{:.3f} s; {} trajectories kept, coverage {:.3f}",
      d.mdp.states.size(), d.mdp.stats.num_visited_sets, d.mdp.stats.build_seconds,
      d.solution.solve_seconds, d.trajectories.num_kept, d.trajectories.kept_coverage);
  return d;
}

}  // namespace lazy
}  // namespace lazystack
