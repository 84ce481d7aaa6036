#include "pipeline/method_result.h"

#include <stdexcept>

namespace lazystack {
using nlohmann::json;

namespace {

json point_to_json(const OperatingPoint& p) { return p.to_json(); }

OperatingPoint point_from_json(const json& j) {
  OperatingPoint p;
  for (auto it = j.at("knob").begin(); it != j.at("knob").end(); ++it)
    p.knob.values.emplace_back(it.key(), it.value().get<double>());
  p.knob.label = j.value("label", "");
  p.num_samples = j.at("num_samples").get<int>();
  p.accuracy = j.at("accuracy").get<double>();
  p.mean_cost = j.at("mean_cost").get<double>();
  p.std_cost = j.at("std_cost").get<double>();
  p.mean_models = j.at("mean_models").get<double>();
  p.overhead_ns = j.at("overhead_ns").get<double>();
  p.depth_histogram = j.at("depth_histogram").get<std::vector<int64_t>>();
  p.models_histogram = j.at("models_histogram").get<std::vector<int64_t>>();
  return p;
}

}  // namespace

json MethodResult::to_json(bool with_decisions) const {
  json j = {{"name", name},
            {"method", method},
            {"description", description},
            {"bound", bound},
            {"fit_seconds", fit_seconds},
            {"sweep_seconds", sweep_seconds},
            {"error", error},
            {"headline_index", headline_index},
            {"diagnostics", diagnostics},
            {"accounting", accounting}};
  j["val_points"] = json::array();
  for (const auto& p : val_points) j["val_points"].push_back(point_to_json(p));
  j["curve"] = json::array();
  for (const auto& p : curve) j["curve"].push_back(point_to_json(p));
  if (with_decisions) {
    j["decisions"] = {{"prediction", headline_decisions.prediction},
                      {"cost", headline_decisions.cost},
                      {"executed_mask", headline_decisions.executed_mask},
                      {"depth", headline_decisions.depth}};
  }
  return j;
}

MethodResult MethodResult::from_json(const json& j) {
  MethodResult r;
  r.name = j.at("name");
  r.method = j.at("method");
  r.description = j.at("description");
  r.bound = j.at("bound");
  r.fit_seconds = j.at("fit_seconds");
  r.sweep_seconds = j.value("sweep_seconds", 0.0);
  r.error = j.at("error");
  r.headline_index = j.at("headline_index");
  r.diagnostics = j.at("diagnostics");
  r.accounting = j.value("accounting", json::object());
  for (const auto& p : j.at("val_points")) r.val_points.push_back(point_from_json(p));
  for (const auto& p : j.at("curve")) r.curve.push_back(point_from_json(p));
  if (j.contains("decisions")) {
    const auto& d = j["decisions"];
    r.headline_decisions.prediction = d.at("prediction").get<std::vector<int32_t>>();
    r.headline_decisions.cost = d.at("cost").get<std::vector<float>>();
    r.headline_decisions.executed_mask = d.at("executed_mask").get<std::vector<uint64_t>>();
    r.headline_decisions.depth = d.at("depth").get<std::vector<int32_t>>();
  }
  if (r.error.empty() && (r.headline_index < 0 || r.headline_index >= (int)r.curve.size() ||
                          r.val_points.size() != r.curve.size()))
    throw std::runtime_error("inconsistent cached method result");
  return r;
}

}  // namespace lazystack
