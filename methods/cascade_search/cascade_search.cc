#include "methods/cascade_search/cascade_search.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "methods/common/method_kit.h"
#include "methods/common/model_outputs.h"

namespace lazystack {

namespace {

const char* const kThresholdRule =
    "pairs: every cut between distinct val_fit confidences of the first model (sorted "
    "cumulative sums); triples: grid_size val_fit quantiles of the first model's confidence for "
    "t1, and for each an exact sweep of t2 on the samples the first model forwards";

const char* const kBaselineRule =
    "single-model Pareto front of the whole zoo on val_cal, linearly interpolated between the "
    "two front models bracketing the accuracy (running one of them at random); below the "
    "cheapest model's accuracy its cost";

nlohmann::json finite_or_null(double v) {
  return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr);
}

const char* const kKnobModels[3] = {"m1", "m2", "m3"};
const char* const kKnobThresholds[2] = {"t1", "t2"};

}  // namespace

std::vector<OptionSpec> CascadeSearch::option_specs() {
  return {
      opt_string("confidence", "max-prob",
                 "exit signal: max-prob, margin (top-1 minus top-2 probability), entropy "
                 "(1 - H/log C) or logit-margin (top-1 minus top-2 log-probability)")
          .one_of(confidence_metric_names()),
      opt_int("max_models", 3, "longest cascades searched: 2 (pairs) or 3 (pairs and triples)")
          .range(2, 3),
      opt_int("grid_size", 20,
              "3-model cascades: first thresholds per cascade, val_fit quantiles of the first "
              "model's confidence (the second threshold is swept exactly)")
          .range(1, 10000),
      opt_strings("members", {},
                  "zoo models searched (each cascade runs them cheapest first); [] = every model"),
      opt_int("max_front", 60,
              "most knobs kept from the val_fit Pareto front, evenly spaced in log cost")
          .range(2, 100000),
      opt_int("bands", 5,
              "diagnostics: equal accuracy bands between the cheapest and the most accurate "
              "single model for the improvement factor")
          .range(1, 100),
  };
}

MethodRegistry::Entry CascadeSearch::registry_entry() {
  return method_entry<CascadeSearch>(
      "cascade-search",
      "exhaustive search over every 2- and 3-model confidence cascade of the zoo on val_fit; "
      "the Pareto front of (cascade, thresholds) points is the grid",
      MethodCard::swept("1")
          .exits_early()
          .has_role(MethodRole::kSearchedCascade)
          .names_models("members", ModelOption::kNames),
      option_specs());
}

CascadeSearch::CascadeSearch(const Options& options)
    : metric_(parse_confidence_metric(options.get_string("confidence"))),
      max_models_(static_cast<int>(options.get_int("max_models"))),
      grid_size_(static_cast<int>(options.get_int("grid_size"))),
      member_names_(options.get_strings("members")),
      max_front_(static_cast<int>(options.get_int("max_front"))),
      bands_(static_cast<int>(options.get_int("bands"))) {}

void CascadeSearch::fit(const FitContext& ctx) {
  const LogitTable& val_fit = ctx.val_fit;
  require_models(val_fit, "cascade-search");
  const std::vector<int> chosen = resolve_members(val_fit, member_names_, "cascade-search");
  if (chosen.size() < 2)
    throw std::runtime_error(
        fmt::format("cascade-search: needs at least 2 models to cascade, got {}", chosen.size()));
  model_names_ = val_fit.model_names();
  num_models_ = val_fit.num_models();
  num_classes_ = val_fit.num_classes();
  const std::vector<int> members = in_cost_order(val_fit, chosen);

  const CascadeData data = cascade_data(val_fit, metric_);
  const SearchResult search = search_cascades(data, members, max_models_, grid_size_);
  full_front_size_ = static_cast<int>(search.front.size());
  std::vector<CostAccuracy> pts;
  for (const auto& c : search.front) pts.push_back(c.val_fit);
  front_.clear();
  for (int i : thin_evenly_in_log_cost(pts, max_front_)) front_.push_back(search.front[i]);
  current_ = front_.front().cascade;

  int pairs = 0, triples = 0;
  for (const auto& cf : search.cascades) {
    pairs += cf.models.size() == 2;
    triples += cf.models.size() == 3;
  }
  nlohmann::json member_list = nlohmann::json::array();
  for (int m : members)
    member_list.push_back({{"name", model_names_[m]},
                           {"mean_cost", data.mean_cost[m]},
                           {"val_fit_accuracy", data.accuracy[m]}});
  diagnostics_ = {
      {"confidence", to_string(metric_)},
      {"max_models", max_models_},
      {"grid_size", grid_size_},
      {"members", member_list},
      {"search",
       {{"pairs", pairs},
        {"triples", triples},
        {"points_evaluated", search.points_evaluated},
        {"val_fit_front_size", full_front_size_},
        {"knobs", front_.size()},
        {"thinning", fmt::format("at most {} front points, evenly spaced in log cost", max_front_)},
        {"thresholds", kThresholdRule}}},
  };
  diagnostics_["improvement"] = improvement_diagnostics(ctx.val_cal, search);
}

nlohmann::json CascadeSearch::improvement_diagnostics(const LogitTable& val_cal,
                                                      const SearchResult& search) const {
  const CascadeData cal = cascade_data(val_cal, metric_);
  std::vector<CostAccuracy> singles;
  for (int m = 0; m < num_models_; ++m) singles.push_back({cal.mean_cost[m], cal.accuracy[m]});
  const std::vector<int> single_idx = pareto_front(singles);
  std::vector<CostAccuracy> single_front;
  nlohmann::json single_json = nlohmann::json::array();
  for (int m : single_idx) {
    single_front.push_back(singles[m]);
    single_json.push_back({{"name", model_names_[m]},
                           {"accuracy", singles[m].accuracy},
                           {"mean_cost", singles[m].cost}});
  }
  const double lo = single_front.front().accuracy, hi = single_front.back().accuracy;

  // A cascade setting with its val_fit and val_cal points, as JSON.
  auto describe = [&](const SearchCandidate& c, const CostAccuracy& at_cal) {
    nlohmann::json names = nlohmann::json::array();
    for (int m : c.cascade.models) names.push_back(model_names_[m]);
    const double base = front_cost_at(single_front, at_cal.accuracy);
    return nlohmann::json{
        {"label", cascade_label(c.cascade, model_names_)},
        {"models", names},
        {"thresholds", c.cascade.thresholds},
        {"val_fit_accuracy", c.val_fit.accuracy},
        {"val_fit_cost", c.val_fit.cost},
        {"val_cal_accuracy", at_cal.accuracy},
        {"val_cal_cost", at_cal.cost},
        {"baseline_cost", finite_or_null(base)},
        {"improvement", finite_or_null(improvement_factor(single_front, at_cal))}};
  };

  // The grid's knobs on val_cal.
  std::vector<CostAccuracy> front_cal;
  nlohmann::json front_json = nlohmann::json::array();
  nlohmann::json beyond = nlohmann::json::array();
  for (const auto& c : front_) {
    front_cal.push_back(evaluate_cascade(cal, c.cascade));
    front_json.push_back(describe(c, front_cal.back()));
    if (front_cal.back().accuracy > hi) beyond.push_back(front_json.back()["label"]);
  }

  // Every pair's and triple's own val_fit front (thinned), on val_cal, by cascade length.
  std::vector<const SearchCandidate*> by_len[2];
  std::vector<CostAccuracy> cal_by_len[2];
  for (const auto& cf : search.cascades) {
    if (cf.models.size() < 2) continue;
    const int len = static_cast<int>(cf.models.size()) - 2;
    std::vector<CostAccuracy> pts;
    for (const auto& c : cf.front) pts.push_back(c.val_fit);
    for (int i : thin_evenly_in_log_cost(pts, max_front_)) {
      by_len[len].push_back(&cf.front[i]);
      cal_by_len[len].push_back(evaluate_cascade(cal, cf.front[i].cascade));
    }
  }
  auto best_of = [&](int len, const std::vector<int>& among) -> nlohmann::json {
    int best = -1;
    double best_factor = -1.0;
    for (int i : among) {
      const CostAccuracy& p = cal_by_len[len][i];
      if (!(p.accuracy >= lo && p.accuracy <= hi)) continue;
      const double f = improvement_factor(single_front, p);
      if (f > best_factor) {
        best_factor = f;
        best = i;
      }
    }
    if (best < 0) return nullptr;
    return describe(*by_len[len][best], cal_by_len[len][best]);
  };
  auto all_of = [&](int len) {
    std::vector<int> idx(cal_by_len[len].size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int>(i);
    return idx;
  };

  const auto bands = improvement_bands(single_front, front_cal, bands_);
  const auto bands2 = improvement_bands(single_front, cal_by_len[0], bands_);
  const auto bands3 = improvement_bands(single_front, cal_by_len[1], bands_);
  nlohmann::json bands_json = nlohmann::json::array();
  for (size_t b = 0; b < bands.size(); ++b) {
    nlohmann::json band = {{"accuracy_lo", bands[b].accuracy_lo},
                           {"accuracy_hi", bands[b].accuracy_hi},
                           {"front_points", bands[b].points.size()}};
    band["max_improvement"] =
        bands[b].points.empty() ? nlohmann::json(nullptr) : finite_or_null(bands[b].max_factor);
    band["median_improvement"] =
        bands[b].points.empty() ? nlohmann::json(nullptr) : finite_or_null(bands[b].median_factor);
    band["best_front_point"] = bands[b].best < 0
                                   ? nlohmann::json(nullptr)
                                   : nlohmann::json(front_json[bands[b].best]["label"]);
    band["best_2_model"] = b < bands2.size() ? best_of(0, bands2[b].points) : nullptr;
    band["best_3_model"] = b < bands3.size() ? best_of(1, bands3[b].points) : nullptr;
    bands_json.push_back(band);
  }

  return {{"split", "val_cal"},
          {"baseline", kBaselineRule},
          {"single_front", single_json},
          {"bands", bands_json},
          {"front", front_json},
          {"front_beyond_best_single", beyond},
          {"best_2_model", best_of(0, all_of(0))},
          {"best_3_model", best_of(1, all_of(1))},
          {"per_cascade_settings",
           fmt::format("each pair's and triple's own val_fit front, at most {} settings each",
                       max_front_)}};
}

std::vector<Knob> CascadeSearch::grid() const {
  std::vector<Knob> knobs;
  for (const auto& c : front_) {
    Knob k;
    const auto& ms = c.cascade.models;
    for (size_t j = 0; j < ms.size(); ++j) k.set(kKnobModels[j], ms[j]);
    for (size_t j = 0; j < c.cascade.thresholds.size(); ++j)
      k.set(kKnobThresholds[j], c.cascade.thresholds[j]);
    k.label = cascade_label(c.cascade, model_names_);
    knobs.push_back(k);
  }
  return knobs;
}

void CascadeSearch::set_knob(const Knob& knob) {
  Cascade c;
  for (int j = 0; j < 3; ++j) {
    if (!knob.has(kKnobModels[j])) break;
    const double m = knob.get(kKnobModels[j]);
    if (m != std::floor(m) || m < 0 || m >= num_models_)
      throw std::invalid_argument(
          fmt::format("cascade-search: knob {}={} is not a model index in [0, {})", kKnobModels[j],
                      m, num_models_));
    if (std::find(c.models.begin(), c.models.end(), static_cast<int>(m)) != c.models.end())
      throw std::invalid_argument(
          fmt::format("cascade-search: knob {} repeats model {}", knob.to_string(), m));
    c.models.push_back(static_cast<int>(m));
    if (j > 0) {
      if (!knob.has(kKnobThresholds[j - 1]))
        throw std::invalid_argument(fmt::format("cascade-search: knob {} has {} but no {}",
                                                knob.to_string(), kKnobModels[j],
                                                kKnobThresholds[j - 1]));
      const double t = knob.get(kKnobThresholds[j - 1]);
      if (std::isnan(t)) throw std::invalid_argument("cascade-search: knob threshold is NaN");
      c.thresholds.push_back(t);
    }
  }
  if (c.models.empty())
    throw std::invalid_argument("cascade-search: knob has no m1 (" + knob.to_string() + ")");
  current_ = c;
}

int CascadeSearch::predict(Meter& meter) {
  require_fitted_shape(meter, num_models_, num_classes_, "cascade-search");
  const size_t steps = current_.models.size();
  for (size_t j = 0;; ++j) {
    const int m = current_.models[j];
    const ProbView p = meter.run(m);
    if (j + 1 == steps) return argmax(p);
    const float* log_probs =
        metric_ == ConfidenceMetric::kLogitMargin ? meter.log_probs(m).data : nullptr;
    const float conf = confidence(metric_, p.data, log_probs, num_classes_);
    if (static_cast<double>(conf) >= current_.thresholds[j]) return argmax(p);
  }
}

nlohmann::json CascadeSearch::diagnostics() const { return diagnostics_; }

}  // namespace lazystack
