#include "methods/lazystack/trajectories.h"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <stdexcept>

#include "methods/lazystack/state.h"

namespace lazystack {
namespace lazy {

nlohmann::json model_list_json(const std::vector<int>& models,
                               const std::vector<std::string>& model_names) {
  nlohmann::json out = nlohmann::json::array();
  for (int m : models) {
    if (m >= 0 && m < static_cast<int>(model_names.size()))
      out.push_back(model_names[m]);
    else
      out.push_back(m);
  }
  return out;
}

std::vector<Trajectory> TrajectoryReport::kept() const {
  return {trajectories.begin(), trajectories.begin() + static_cast<std::ptrdiff_t>(num_kept)};
}

size_t TrajectoryReport::num_for_coverage(double coverage) const {
  for (size_t i = 0; i < cumulative_share.size(); ++i)
    if (cumulative_share[i] >= coverage - 1e-12) return i + 1;
  return trajectories.size();
}

nlohmann::json TrajectoryReport::to_json(const std::vector<std::string>& model_names) const {
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < trajectories.size(); ++i) {
    const Trajectory& t = trajectories[i];
    list.push_back({{"models", model_list_json(t.models, model_names)},
                    {"count", t.count},
                    {"share", t.share},
                    {"cumulative_share", cumulative_share[i]},
                    {"kept", i < num_kept}});
  }
  return {{"num_samples", num_samples},
          {"min_share", min_share},
          {"num_kept", num_kept},
          {"kept_coverage", kept_coverage},
          {"trajectories", list}};
}

TrajectoryReport summarize_trajectories(const std::vector<std::vector<int>>& per_sample,
                                        double min_share) {
  if (!(min_share >= 0.0 && min_share <= 1.0))
    throw std::invalid_argument(
        fmt::format("LazyStack trajectories: min_share must be in [0, 1], got {}", min_share));
  std::map<std::vector<int>, uint32_t> counts;
  for (const auto& t : per_sample) ++counts[t];
  TrajectoryReport report;
  report.num_samples = static_cast<int>(per_sample.size());
  report.min_share = min_share;
  for (const auto& kv : counts) {
    Trajectory t;
    t.models = kv.first;
    t.count = kv.second;
    t.share = static_cast<double>(kv.second) / static_cast<double>(per_sample.size());
    report.trajectories.push_back(std::move(t));
  }
  // The map iterates lexicographically, so a stable sort by count keeps ties in that order.
  std::stable_sort(report.trajectories.begin(), report.trajectories.end(),
                   [](const Trajectory& a, const Trajectory& b) { return a.count > b.count; });
  uint64_t running = 0;
  for (const Trajectory& t : report.trajectories) {
    running += t.count;
    report.cumulative_share.push_back(static_cast<double>(running) /
                                      static_cast<double>(per_sample.size()));
    // Compare counts, not rounded shares: share >= min_share <=> count >= min_share * N.
    if (static_cast<double>(t.count) >= min_share * static_cast<double>(per_sample.size()) - 1e-9 &&
        report.num_kept + 1 == report.cumulative_share.size())
      ++report.num_kept;
  }
  report.kept_coverage = report.num_kept ? report.cumulative_share[report.num_kept - 1] : 0.0;
  return report;
}

RolloutResult rollout_policy(const LogitTable& table, const PolicyTable& policy) {
  return rollout_policies(table, {&policy}, {});
}

RolloutResult rollout_policies(const LogitTable& table,
                               const std::vector<const PolicyTable*>& policies,
                               const std::vector<uint8_t>& policy_of) {
  const int n_samples = table.num_samples();
  const int n_classes = table.num_classes();
  if (policies.empty()) throw std::invalid_argument("LazyStack rollout: no policy");
  for (const PolicyTable* p : policies)
    if (table.num_models() != p->num_models() || n_classes != p->num_classes() ||
        p->num_bins() != policies[0]->num_bins())
      throw std::invalid_argument(
          fmt::format("LazyStack rollout: policy for {} models x {} classes, table has {} x {}",
                      p->num_models(), p->num_classes(), table.num_models(), n_classes));
  if (!policy_of.empty() && static_cast<int>(policy_of.size()) != n_samples)
    throw std::invalid_argument("LazyStack rollout: one policy index per sample needed");
  for (uint8_t i : policy_of)
    if (i >= policies.size()) throw std::invalid_argument("LazyStack rollout: bad policy index");
  if (static_cast<int>(table.labels().size()) != n_samples)
    throw std::invalid_argument("LazyStack rollout: the table has no labels");
  RolloutResult out;
  out.trajectories.resize(n_samples);
  std::vector<float> sum(n_classes);
  double total_cost = 0.0, total_models = 0.0, total_reward = 0.0;
  int correct = 0;
  for (int n = 0; n < n_samples; ++n) {
    const PolicyTable& policy = *policies[policy_of.empty() ? 0 : policy_of[n]];
    uint64_t executed = 0;
    BinClass bc{0, 0};
    std::vector<int>& path = out.trajectories[n];
    while (true) {
      const PolicyDecision d = policy.decide(executed, bc.bin, bc.cls);
      if (d.source != PolicySource::kExact) ++out.num_fallback_decisions;
      if (executed != 0) ++out.decisions_by_source[static_cast<int>(d.source)];
      if (d.action == kStop || (executed >> d.action) & 1u) break;
      path.push_back(d.action);
      executed |= 1ull << d.action;
      total_cost += table.cost(d.action, n);
      total_reward -= policy.norm_costs()[d.action];
      // Same summation order as the MDP build (ascending model index), hence the same state.
      std::fill(sum.begin(), sum.end(), 0.0f);
      for (int m = 0; m < table.num_models(); ++m) {
        if (!((executed >> m) & 1u)) continue;
        const float* p = table.probs(m, n).data;
        for (int c = 0; c < n_classes; ++c) sum[c] += p[c];
      }
      bc = mean_bin_class(sum.data(), static_cast<int>(path.size()), n_classes, policy.num_bins());
    }
    const bool right = bc.cls == table.labels()[n];
    correct += right ? 1 : 0;
    total_reward += right ? policy.beta() : 0.0;
    total_models += static_cast<double>(path.size());
  }
  out.accuracy = static_cast<double>(correct) / n_samples;
  out.mean_cost = total_cost / n_samples;
  out.mean_models = total_models / n_samples;
  out.mean_reward = total_reward / n_samples;
  return out;
}

}  // namespace lazy
}  // namespace lazystack
