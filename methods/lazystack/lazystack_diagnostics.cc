// LazyStackMethod::diagnostics(): what a fit and its sweeps recorded (methods/lazystack/README
// "Diagnostics").
#include <fmt/core.h>

#include <algorithm>

#include "methods/lazystack/lazystack_method.h"

namespace lazystack {
namespace lazy {

nlohmann::json LazyStackMethod::diagnostics() const {
  nlohmann::json j;
  j["aggregator"] = to_string(aggregator_kind_);
  j["order"] = to_string(order_);
  if (!bundle_.artifacts.empty()) j["walk"] = to_string(bundle_.artifacts.front().walk);
  j["notes"] = notes_;
  if (bundle_.artifacts.empty()) return j;
  const LazyStackArtifact& selected = artifact();
  const bool mdp = selected.order == ExecutionOrder::kMdp;
  const std::vector<std::string>& names = selected.model_names;
  j["models"] = names;
  j["betas"] = nlohmann::json::array();
  j["selected"] = {{"beta", mdp ? nlohmann::json(selected.beta) : nlohmann::json(nullptr)},
                   {"theta", theta_}};
  nlohmann::json per_beta = nlohmann::json::array();
  nlohmann::json bytes = nlohmann::json::array(), seconds = nlohmann::json::array(),
                 starts = nlohmann::json::array();
  double total_seconds = 0.0;
  size_t num_knobs = 0;
  for (size_t i = 0; i < bundle_.artifacts.size(); ++i) {
    const LazyStackArtifact& a = bundle_.artifacts[i];
    const FitRecord& r = records_[i];
    nlohmann::json d;
    d["beta"] = mdp ? nlohmann::json(a.beta) : nlohmann::json(nullptr);
    const int start =
        mdp ? a.policy.decide(0, 0, 0).action : a.trie.step(PrefixTrie::kRoot, -1).model;
    d["start_model"] = start >= 0 && start < static_cast<int>(names.size()) ? names[start] : "";
    d["fit_seconds"] = r.fit_seconds;
    if (!r.discovery.is_null()) d["discovery"] = r.discovery;
    d["trie"] = a.trie.to_json(names);
    d["num_substackers"] = a.substackers.kind == AggregatorKind::kSub    ? trie_sets(a.trie).size()
                           : a.substackers.kind == AggregatorKind::kMask ? 1
                                                                         : 0;
    d["substacker_parameters"] = a.substackers.num_parameters();
    d["nodes_answering_with_mean"] =
        std::count(a.substackers.use_mean.begin(), a.substackers.use_mean.end(), 1);
    d["substacker_training"] = a.substackers.training;
    if (r.substackers_from >= 0)
      d["same_prefixes_as_beta"] = bundle_.artifacts[r.substackers_from].beta;
    d["artifact_bytes"] = a.size_bytes();
    d["num_thetas"] = a.thetas.size();
    d["notes"] = a.notes;
    if (mdp) j["betas"].push_back(a.beta);
    bytes.push_back(d["artifact_bytes"]);
    seconds.push_back(r.fit_seconds);
    starts.push_back(d["start_model"]);
    total_seconds += r.fit_seconds;
    num_knobs += a.thetas.size();
    per_beta.push_back(std::move(d));
  }
  j["num_knobs"] = num_knobs;
  // Per beta: what the MDP promises (accuracy at STOP, cost; cross-fitted, and in-sample
  // beside it) vs what its policy achieves on val_cal with the same (mean) aggregate and no
  // confidence exit.
  nlohmann::json promise = nlohmann::json::array();
  for (size_t i = 0; i < records_.size(); ++i) {
    const nlohmann::json& d = records_[i].discovery;
    if (d.is_null() || !d.contains("val_cal_rollout")) continue;
    const nlohmann::json& v = d["val_cal_rollout"];
    nlohmann::json row = {{"beta", bundle_.artifacts[i].beta},
                          {"promised_accuracy", v["promised_accuracy"]},
                          {"promised_mean_cost", v["promised_mean_cost"]},
                          {"promise_kind", v["promise_kind"]},
                          {"in_sample_promised_accuracy", v["in_sample_promised_accuracy"]},
                          {"val_cal_accuracy", v["accuracy"]},
                          {"val_cal_mean_cost", v["mean_cost"]},
                          {"gap", v["gap"]},
                          {"val_fit_cross_fitted_accuracy", d["val_fit_rollout"]["accuracy"]},
                          {"val_fit_promised_accuracy", d["val_fit_rollout"]["promised_accuracy"]}};
    // The cross-fitted promise is pessimistic by construction (each fold's policy is fitted on
    // (K-1)/K of val_fit) and the in-sample one optimistic; the range between them, and how far
    // val_cal falls outside it (0 inside), is reported beside the point gap.
    if (v["promise_kind"] == "cross-fitted") {
      const double a = v["promised_accuracy"].get<double>();
      const double b = v["in_sample_promised_accuracy"].get<double>();
      const double achieved = v["accuracy"].get<double>();
      const double lo = std::min(a, b), hi = std::max(a, b);
      row["range_gap"] = achieved < lo ? lo - achieved : achieved > hi ? hi - achieved : 0.0;
    }
    if (i == selected_) j["selected"]["mdp_promise"] = row;
    promise.push_back(std::move(row));
  }
  if (!promise.empty()) j["mdp_promise_vs_val_cal"] = std::move(promise);
  // Online decisions by source, per sweep (pipeline order: val_cal, then test): at the selected
  // knob and over every knob swept.
  if (mdp) {
    const char* sweep_names[2] = {"val_cal", "test"};
    nlohmann::json sources;
    for (size_t w = 0; w < decision_sources_.size(); ++w) {
      auto shares = [](const SourceCounts& c) {
        const int64_t total = c[0] + c[1] + c[2] + c[3];
        auto share = [&](int64_t x) { return total ? static_cast<double>(x) / total : 0.0; };
        return nlohmann::json{{"decisions", total},
                              {"solved", share(c[0])},
                              {"backed_off", share(c[1] + c[2])},
                              {"backed_off_state", share(c[1])},
                              {"bin_level", share(c[2])},
                              {"fell_back", share(c[3] + c[4])},
                              {"unseen_set", share(c[3])},
                              {"trie_detour", share(c[4])}};
      };
      SourceCounts all{};
      for (const SourceCounts& c : decision_sources_[w])
        for (int i = 0; i < kSourceKinds; ++i) all[i] += c[i];
      const std::string name = w < 2 ? sweep_names[w] : fmt::format("sweep{}", w);
      sources[name] = {{"selected_knob", shares(decision_sources_[w][knob_index_])},
                       {"all_knobs", shares(all)}};
    }
    j["decision_sources"] = std::move(sources);
  }
  j["artifact_bytes"] = bundle_.size_bytes();  // the one file holding every beta's artifact
  j["artifact_bytes_per_beta"] = bytes;
  j["fit_seconds_per_beta"] = seconds;
  // MASK's one training serves every beta: counted once, beside the per-beta seconds.
  if (aggregator_kind_ == AggregatorKind::kMask)
    j["shared_substacker_seconds"] = shared_substacker_seconds_;
  j["fit_seconds_total"] = total_seconds + shared_substacker_seconds_;
  j["start_model_per_beta"] = starts;
  j["per_beta"] = std::move(per_beta);
  return j;
}

}  // namespace lazy
}  // namespace lazystack
