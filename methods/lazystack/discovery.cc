#include "methods/lazystack/discovery.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <istream>
#include <ostream>

#include "core/log.h"
#include "core/parallel.h"
#include "methods/lazystack/on_policy.h"

namespace lazystack {
namespace lazy {

DiscoveryOptions::DiscoveryOptions() {
  mdp.folds = EstimationDefaults::kFolds;
  mdp.estimation.success_prior = EstimationDefaults::kSuccessPrior;
  mdp.estimation.transition_prior = EstimationDefaults::kTransitionPrior;
  mdp.estimation.min_count = EstimationDefaults::kMinCount;
  mdp.class_groups = EstimationDefaults::kClassGroups;
  policy_iterations = EstimationDefaults::kPolicyIterations;
  policy_z = EstimationDefaults::kPolicyZ;
}

std::vector<OptionSpec> discovery_option_specs() {
  const DiscoveryOptions d;
  return {
      opt_int("folds", d.mdp.folds,
              "cross-fitting folds of val_fit: each fold's rollout (which picks the trajectories) "
              "follows the MDP estimated on the other folds; 0 or 1 = in-sample")
          .range(0, 50),
      opt_double("success_prior", d.mdp.estimation.success_prior,
                 "strength of the Beta prior on P(correct | E, h, k), centred on the (E, h) "
                 "estimate, itself shrunk towards (E) with the same strength")
          .range(0.0, 1e9),
      opt_double("transition_prior", d.mdp.estimation.transition_prior,
                 "strength of the Dirichlet prior on a state's transitions, centred on its bin's "
                 "pooled transitions (and those on the set's)")
          .range(0.0, 1e9),
      opt_int("min_count", d.mdp.estimation.min_count,
              "a state (or bin) seen by fewer val_fit samples takes its parent's estimates: "
              "(E, h, k) -> (E, h) -> (E)")
          .range(0, 1000000),
      opt_int("class_groups", d.mdp.class_groups,
              "class component of the MDP state: 0 = the argmax class, G = G groups of classes "
              "ranked by the aggregate's mean confidence, 1 = no class component")
          .range(0, 65535),
      opt_int("policy_iterations", d.policy_iterations,
              "rounds of Monte-Carlo policy improvement (on_policy.h): in every state the policy "
              "reaches, each action is played out on the real outputs of the samples it brings "
              "there (the state is not Markov: those are the harder ones); stops early when no "
              "action changes; 0 = the model-based policy")
          .range(0, 20),
      opt_double("policy_z", d.policy_z,
                 "an on-policy round switches a state's action only when the paired gain of the "
                 "alternative exceeds this many standard errors")
          .range(0.0, 10.0),
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
  d.mdp.folds = static_cast<int>(options.get_int("folds"));
  d.mdp.estimation.success_prior = options.get_double("success_prior");
  d.mdp.estimation.transition_prior = options.get_double("transition_prior");
  d.mdp.estimation.min_count = static_cast<uint32_t>(options.get_int("min_count"));
  d.mdp.class_groups = static_cast<int>(options.get_int("class_groups"));
  d.policy_iterations = static_cast<int>(options.get_int("policy_iterations"));
  d.policy_z = options.get_double("policy_z");
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
  j["estimation"] = {{"folds", mdp.num_folds},
                     {"success_prior", mdp.estimation.success_prior},
                     {"transition_prior", mdp.estimation.transition_prior},
                     {"min_count", mdp.estimation.min_count},
                     {"class_codes", mdp.num_groups}};
  // What the MDP promises for its policy: accuracy at STOP and mean cost. Cross-fitted when
  // folds are used: every val_fit sample followed the policy estimated without it, so the
  // promise is judged on data it was not fitted on; in-sample (the all-of-val_fit policy's own
  // value on val_fit) otherwise, and reported beside it either way.
  const double in_sample_accuracy = solution.accuracy.empty() ? 0.0 : solution.accuracy[0];
  const double in_sample_cost = solution.cost.empty() ? 0.0 : solution.cost[0];
  const double promised_accuracy = cross_fitted ? rollout.accuracy : in_sample_accuracy;
  const double promised_cost = cross_fitted ? rollout.mean_cost : in_sample_cost;
  const char* promise_kind = cross_fitted ? "cross-fitted" : "in-sample";
  j["promised"] = {{"accuracy", promised_accuracy},
                   {"mean_cost", promised_cost},
                   {"kind", promise_kind},
                   {"in_sample_accuracy", in_sample_accuracy},
                   {"in_sample_mean_cost", in_sample_cost}};
  j["on_policy"] = {{"iterations", policy_iterations},
                    {"converged", policy_converged},
                    {"promised_accuracy_by_iteration", promised_by_iteration}};
  j["policy"] = plan.policy.summary_json();
  auto sources = [](const RolloutResult& r) {
    int64_t total = 0;
    for (int64_t c : r.decisions_by_source) total += c;
    nlohmann::json out = {{"decisions", total}};
    const char* names[4] = {"solved", "backed_off", "bin_level", "fell_back"};
    for (int i = 0; i < 4; ++i)
      out[names[i]] = total ? static_cast<double>(r.decisions_by_source[i]) / total : 0.0;
    return out;
  };
  j["val_fit_rollout"] = {{"cross_fitted", cross_fitted},
                          {"accuracy", rollout.accuracy},
                          {"mean_cost", rollout.mean_cost},
                          {"mean_models", rollout.mean_models},
                          {"mean_reward", rollout.mean_reward},
                          {"promised_accuracy", rollout_promised_accuracy},
                          {"promised_mean_cost", rollout_promised_cost},
                          {"gap", rollout_promised_accuracy - rollout.accuracy},
                          {"fallback_decisions", rollout.num_fallback_decisions},
                          {"decision_sources", sources(rollout)}};
  if (has_val_cal)
    j["val_cal_rollout"] = {{"accuracy", val_cal_rollout.accuracy},
                            {"mean_cost", val_cal_rollout.mean_cost},
                            {"mean_models", val_cal_rollout.mean_models},
                            {"promised_accuracy", promised_accuracy},
                            {"promised_mean_cost", promised_cost},
                            {"promise_kind", promise_kind},
                            {"in_sample_promised_accuracy", in_sample_accuracy},
                            {"gap", promised_accuracy - val_cal_rollout.accuracy},
                            {"decision_sources", sources(val_cal_rollout)}};
  j["trajectories"] = trajectories.to_json(model_names);
  j["coverage_95_trajectories"] = trajectories.num_for_coverage(0.95);
  j["trie"] = plan.trie.to_json(model_names);
  return j;
}

Discovery discover_trajectories(const LogitTable& val_fit, const DiscoveryOptions& options,
                                const LogitTable* val_cal) {
  Discovery d;
  if (options.policy_iterations < 0)
    throw std::invalid_argument(fmt::format(
        "LazyStack discovery: policy_iterations must be >= 0, got {}", options.policy_iterations));
  const int threads = options.threads > 0 ? options.threads : worker_threads();
  MdpOptions build = options.mdp;
  build.keep_sample_states = build.keep_sample_states || options.policy_iterations > 0;
  build.threads = threads;
  d.mdp = build_trajectory_mdp(val_fit, build);
  // The estimates: all of val_fit (-1, the policy that runs online) and, when cross-fitting,
  // each leave-fold-out one. On-policy rounds re-solve each with the counts of the samples its
  // own current policy brings to each state (a fold's estimate follows its own samples only).
  std::vector<int> estimates = {-1};
  for (int f = 0; f < d.mdp.num_folds && d.mdp.num_folds >= 2; ++f) estimates.push_back(f);
  // The estimates are independent (each reads the shared MDP and writes its own solution): one
  // thread each, and the same results for any thread count.
  const int count = static_cast<int>(estimates.size());
  std::vector<MdpSolution> solutions(estimates.size());
  parallel_for(count, threads,
               [&](int i) { solutions[i] = solve_backward_induction(d.mdp, estimates[i]); });
  d.promised_by_iteration.push_back(solutions[0].accuracy[0]);
  if (options.policy_iterations > 0) {
    MdpWalker walker(d.mdp);
    d.policy_converged = false;
    for (int round = 0; round < options.policy_iterations && !d.policy_converged; ++round) {
      std::vector<uint8_t> changed_by(estimates.size(), 0);
      parallel_for(count, threads, [&](int i) {
        changed_by[i] =
            improve_on_policy(walker, d.mdp, solutions[i], estimates[i], options.policy_z) ? 1 : 0;
      });
      const bool changed = std::count(changed_by.begin(), changed_by.end(), 1) > 0;
      ++d.policy_iterations;
      d.promised_by_iteration.push_back(solutions[0].accuracy[0]);
      d.policy_converged = !changed;
    }
    log_debug("[lazystack] on-policy rounds: {}, {}", d.policy_iterations,
              d.policy_converged ? "converged" : "not converged");
  }
  d.mdp.sample_states = {};  // only the rounds read them
  d.mdp.set_base = {};
  d.mdp.set_width = {};
  d.solution = solutions[0];
  d.plan.policy = PolicyTable::from_solution(d.mdp, d.solution);
  const auto start = std::chrono::steady_clock::now();
  if (d.mdp.num_folds >= 2) {
    // Cross-fitting: fold f's samples follow the policy solved without fold f's counts.
    const int k = d.mdp.num_folds;
    std::vector<PolicyTable> policies;
    std::vector<double> fold_size(k, 0.0);
    for (uint8_t f : d.mdp.fold_of) fold_size[f] += 1.0;
    for (int f = 0; f < k; ++f) {
      const MdpSolution& sol = solutions[f + 1];
      policies.push_back(PolicyTable::from_solution(d.mdp, sol));
      d.rollout_promised_accuracy += sol.accuracy[0] * fold_size[f] / val_fit.num_samples();
      d.rollout_promised_cost += sol.cost[0] * fold_size[f] / val_fit.num_samples();
    }
    std::vector<const PolicyTable*> pointers;
    for (const PolicyTable& p : policies) pointers.push_back(&p);
    d.rollout = rollout_policies(val_fit, pointers, d.mdp.fold_of);
    d.cross_fitted = true;
  } else {
    d.rollout = rollout_policy(val_fit, d.plan.policy);
    d.rollout_promised_accuracy = d.solution.accuracy[0];
    d.rollout_promised_cost = d.solution.cost[0];
  }
  if (val_cal) {
    d.val_cal_rollout = rollout_policy(*val_cal, d.plan.policy);
    d.has_val_cal = true;
  }
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
