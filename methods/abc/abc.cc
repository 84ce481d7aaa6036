#include "methods/abc/abc.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include "methods/common/method_kit.h"
#include "methods/common/model_outputs.h"

namespace lazystack {

namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

// "a + b, c" -> {a, b, c}: a tier's members separated by '+' or ','.
std::vector<std::string> split_tier(const std::string& tier) {
  std::vector<std::string> names;
  size_t start = 0;
  while (true) {
    const size_t end = tier.find_first_of("+,", start);
    names.push_back(trim(tier.substr(start, end == std::string::npos ? end : end - start)));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return names;
}

}  // namespace

std::vector<OptionSpec> Abc::option_specs() {
  return {
      opt_strings("tiers", {},
                  "tiers in cascade order, each a string of zoo model names joined by '+' (or "
                  "','), e.g. [softmax+mlp-s+lenet5, cnn-s+cnn-m, resnet]; the last tier always "
                  "answers. [] = automatic (tiers of at least tier_size models by cost, then the "
                  "best single model)"),
      opt_strings("members", {},
                  "automatic tiers: the zoo models to build them from; [] = every model"),
      opt_string("final_model", "",
                 "automatic tiers: the last tier's model; '' = the best by val_fit accuracy"),
      opt_int("tier_size", 2,
              "automatic tiers: the fewest models per non-final tier (the paper uses 2 to 5); "
              "the cheaper models are cut into as many tiers as this allows")
          .range(2, 64),
      opt_doubles("agreements", {},
                  "agreement thresholds to sweep, each in (0, 1] (fraction of the tier voting "
                  "for the majority); [] = every vote fraction of the tier sizes plus 2/3 and 1")
          .range(0, 1)
          .above(0),
  };
}

MethodRegistry::Entry Abc::registry_entry() {
  return method_entry<Abc>("abc",
                           "Agreement-Based Cascading (cascade of ensembles): tiers of models "
                           "run as one tier each; exit on the majority vote when its share of "
                           "the tier >= the agreement threshold (swept); the last tier answers",
                           MethodCard::swept("1")
                               .exits_early()
                               .shown_in_figure()
                               .names_models("members", ModelOption::kNames)
                               .names_models("tiers", ModelOption::kTiers)
                               .names_models("final_model", ModelOption::kName),
                           option_specs());
}

MethodRegistry::Entry Abc::coe_registry_entry() {
  MethodRegistry::Entry entry = registry_entry();
  entry.name = "coe";
  entry.description = "alias of abc (the paper's first name: Cascade of Ensembles)";
  return entry;
}

Abc::Abc(const Options& options)
    : member_names_(options.get_strings("members")),
      final_name_(options.get_string("final_model")),
      tier_size_(static_cast<int>(options.get_int("tier_size"))),
      given_agreements_(options.get_doubles("agreements")) {
  std::set<std::string> seen;
  for (const std::string& tier : options.get_strings("tiers")) {
    std::vector<std::string> names = split_tier(tier);
    for (const std::string& name : names) {
      if (name.empty())
        throw std::invalid_argument(fmt::format("abc: tiers: '{}' has an empty model name", tier));
      if (!seen.insert(name).second)
        throw std::invalid_argument(fmt::format(
            "abc: tiers: model '{}' is in more than one tier (tiers must not overlap)", name));
    }
    tier_names_.push_back(std::move(names));
  }
  if (!tier_names_.empty() && (!member_names_.empty() || !final_name_.empty()))
    throw std::invalid_argument(
        "abc: tiers cannot be combined with members or final_model (those build automatic "
        "tiers)");
}

int Abc::required_votes(int size, double theta) {
  return std::clamp(static_cast<int>(std::ceil(theta * size - 1e-9)), 1, size);
}

void Abc::fit(const FitContext& ctx) {
  const LogitTable& val_fit = ctx.val_fit;
  require_models(val_fit, "abc");
  model_names_ = val_fit.model_names();
  num_models_ = val_fit.num_models();
  num_classes_ = val_fit.num_classes();
  costs_ = val_fit.mean_costs();
  tiers_.clear();
  unused_.clear();
  final_accuracy_ = -1.0;

  if (!tier_names_.empty()) {
    for (const auto& names : tier_names_) {
      try {
        tiers_.push_back(resolve_models(val_fit, names));
      } catch (const std::invalid_argument& e) {
        throw std::runtime_error(std::string("abc: tiers: ") + e.what());
      }
    }
    std::vector<bool> used(num_models_, false);
    for (const auto& tier : tiers_)
      for (int m : tier) used[m] = true;
    for (int m = 0; m < num_models_; ++m)
      if (!used[m]) unused_.push_back(m);
  } else {
    std::vector<int> members = resolve_members(val_fit, member_names_, "abc");
    int final_model = -1;
    if (!final_name_.empty()) {
      final_model = val_fit.model_index(final_name_);
      if (final_model < 0)
        throw std::runtime_error(fmt::format("abc: final_model: unknown model '{}'", final_name_));
      if (std::find(members.begin(), members.end(), final_model) == members.end())
        members.push_back(final_model);
    } else {
      for (int m : members) {
        const double acc = val_fit.model_accuracy(m);
        if (final_model < 0 || acc > final_accuracy_ ||
            (acc == final_accuracy_ && costs_[m] < costs_[final_model])) {
          final_model = m;
          final_accuracy_ = acc;
        }
      }
    }
    if (final_accuracy_ < 0) final_accuracy_ = val_fit.model_accuracy(final_model);
    std::vector<int> cheaper;  // cheapest first; equal costs keep the zoo's order
    for (int m : ascending_cost_order(val_fit)) {
      if (m == final_model || std::find(members.begin(), members.end(), m) == members.end())
        continue;
      (costs_[m] < costs_[final_model] ? cheaper : unused_).push_back(m);
    }
    std::sort(unused_.begin(), unused_.end());
    const int r = static_cast<int>(cheaper.size());
    if (r < 2) {
      unused_.insert(unused_.end(), cheaper.begin(), cheaper.end());
      std::sort(unused_.begin(), unused_.end());
    } else {
      const int count = std::max(1, r / tier_size_);
      int next = 0;
      for (int t = 0; t < count; ++t) {
        const int size = r / count + (t < r % count ? 1 : 0);
        tiers_.emplace_back(cheaper.begin() + next, cheaper.begin() + next + size);
        next += size;
      }
    }
    tiers_.push_back({final_model});
  }

  agreements_ = given_agreements_;
  if (agreements_.empty()) {
    agreements_ = {2.0 / 3.0, 1.0};
    for (size_t t = 0; t + 1 < tiers_.size(); ++t) {
      const int n = static_cast<int>(tiers_[t].size());
      for (int k = 1; k <= n; ++k) agreements_.push_back(static_cast<double>(k) / n);
    }
  }
  std::sort(agreements_.begin(), agreements_.end());
  agreements_.erase(std::unique(agreements_.begin(), agreements_.end()), agreements_.end());
  agreement_ = agreements_.back();
  counts_.assign(num_classes_, 0);
  sums_.assign(num_classes_, 0.0f);
}

std::vector<Knob> Abc::grid() const {
  std::vector<Knob> knobs;
  for (double a : agreements_) knobs.push_back(Knob().set("agreement", a));
  return knobs;
}

void Abc::set_knob(const Knob& knob) {
  const double a = knob.get("agreement");
  if (!(a > 0.0 && a <= 1.0))
    throw std::invalid_argument(fmt::format("abc: agreement {} outside (0, 1]", a));
  agreement_ = a;
}

int Abc::vote(Meter& meter, const std::vector<int>& tier, int* votes) {
  meter.run_tier(tier);
  std::fill(counts_.begin(), counts_.end(), 0);
  std::fill(sums_.begin(), sums_.end(), 0.0f);
  for (int m : tier) {
    const ProbView p = meter.probs(m);
    ++counts_[argmax(p)];
    for (int c = 0; c < num_classes_; ++c) sums_[c] += p[c];
  }
  int best = 0;
  for (int c = 1; c < num_classes_; ++c)
    if (counts_[c] > counts_[best] || (counts_[c] == counts_[best] && sums_[c] > sums_[best]))
      best = c;
  *votes = counts_[best];
  return best;
}

int Abc::predict(Meter& meter) {
  require_fitted_shape(meter, num_models_, num_classes_, "abc");
  const size_t last = tiers_.size() - 1;
  for (size_t t = 0;; ++t) {
    int votes = 0;
    const int answer = vote(meter, tiers_[t], &votes);
    if (t == last || votes >= required_votes(static_cast<int>(tiers_[t].size()), agreement_))
      return answer;
  }
}

nlohmann::json Abc::diagnostics() const {
  nlohmann::json tiers = nlohmann::json::array();
  for (const auto& tier : tiers_) {
    double sum = 0.0, max = 0.0;
    nlohmann::json names = nlohmann::json::array();
    for (int m : tier) {
      names.push_back(model_names_[m]);
      sum += costs_[m];
      max = std::max(max, costs_[m]);
    }
    tiers.push_back({{"models", names},
                     {"parallel_cost", max},
                     {"sequential_cost", sum},
                     {"votes_to_exit", required_votes(static_cast<int>(tier.size()), agreement_)}});
  }
  nlohmann::json unused = nlohmann::json::array();
  for (int m : unused_) unused.push_back(model_names_[m]);
  nlohmann::json j = {{"tiers", tiers},
                      {"tiers_source", tier_names_.empty() ? "automatic" : "given"},
                      {"unused", unused},
                      {"agreement", agreement_},
                      {"agreements", agreements_}};
  if (tier_names_.empty()) {
    j["final_model"] = model_names_[tiers_.back().front()];
    j["final_model_val_fit_accuracy"] = final_accuracy_;
    j["tier_size"] = tier_size_;
  }
  return j;
}

}  // namespace lazystack
