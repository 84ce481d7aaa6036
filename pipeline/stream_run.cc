#include "pipeline/stream_run.h"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <stdexcept>

#include "core/log.h"
#include "core/stream.h"

namespace lazystack {
using nlohmann::json;

namespace {

bool has_features(const Dataset& ds) {
  const int dim = ds.shape.feature_dim();
  return dim > 0 && !ds.test.x.empty() &&
         ds.test.x.size() == static_cast<size_t>(ds.test.num_samples) * dim &&
         ds.val.x.size() == static_cast<size_t>(ds.val.num_samples) * dim;
}

}  // namespace

void stream_online_method(OnlineMethod& method, const Dataset& ds, const LogitTable& val_cal,
                          const LogitTable& test, const StreamRunSpec& spec,
                          const EvalOptions& eval, double target_accuracy, MethodResult* r) {
  OnlineMethod& online = method;
  const auto t0 = std::chrono::steady_clock::now();
  const bool features = has_features(ds);
  const int dim = features ? ds.shape.feature_dim() : 0;

  // val_cal's rows of ds.val: the same seeded split the pipeline made.
  std::vector<int> fit_rows, cal_rows;
  split_val(ds.val.y, spec.val_cal_fraction, spec.seed, &fit_rows, &cal_rows);
  // Features must line up with val_cal's rows: same count and the same labels, row by row.
  bool aligned = static_cast<int>(cal_rows.size()) == val_cal.num_samples();
  for (size_t i = 0; aligned && i < cal_rows.size(); ++i)
    aligned = ds.val.y[cal_rows[i]] == val_cal.labels()[i];
  if (!aligned)
    throw std::logic_error("stream_online_method: val_cal does not match the dataset's val split");
  std::vector<float> val_cal_x;
  if (features) {
    val_cal_x.reserve(cal_rows.size() * dim);
    for (int row : cal_rows)
      val_cal_x.insert(val_cal_x.end(), ds.val.x.begin() + static_cast<size_t>(row) * dim,
                       ds.val.x.begin() + static_cast<size_t>(row + 1) * dim);
  }

  auto make_split = [&](const LogitTable& table, const float* x, uint64_t order_seed) {
    StreamSplit split;
    split.outputs = &table;
    split.features = features ? x : nullptr;
    split.feature_dim = dim;
    split.shift = online.shift();
    split.order = stream_order(table.labels(), online.shift_classes(table.num_classes()),
                               order_seed, &split.shift_start);
    return split;
  };
  const StreamSplit val_split = make_split(val_cal, val_cal_x.data(), spec.seed * 2 + 1);
  const StreamSplit test_split = make_split(test, ds.test.x.data(), spec.seed * 2 + 2);
  auto setup_for = [&](const StreamSplit& split) {
    StreamSetup setup;
    setup.num_samples = static_cast<int>(split.order.size());
    setup.feature_dim = dim;
    setup.num_classes = split.outputs->num_classes();
    setup.cost_unit = spec.cost_unit;
    setup.seed = spec.seed;
    return setup;
  };

  const std::vector<Knob> knobs = method.grid();
  if (knobs.empty()) throw std::runtime_error("the method's knob grid is empty");
  json val_records = json::array(), test_records = json::array();
  r->val_points.clear();
  for (const Knob& knob : knobs) {
    method.set_knob(knob);
    StreamRecord record;
    OperatingPoint p = stream_evaluate(online, val_split, setup_for(val_split), eval, &record);
    p.knob = knob;
    r->val_points.push_back(std::move(p));
    val_records.push_back(record.to_json());
  }
  r->headline_index = select_headline(r->val_points, target_accuracy);
  r->curve.clear();
  for (size_t k = 0; k < knobs.size(); ++k) {
    method.set_knob(knobs[k]);
    StreamRecord record;
    const bool headline = static_cast<int>(k) == r->headline_index;
    OperatingPoint p = stream_evaluate(online, test_split, setup_for(test_split), eval, &record,
                                       headline ? &r->headline_decisions : nullptr);
    p.knob = knobs[k];
    log_info(
        "[methods] {}: stream {} over test: accuracy {:.4f}, cost {:.4g}, {:.1f} s; answered "
        "in the last window: {}",
        r->name, knobs[k].to_string(), p.accuracy, p.mean_cost, record.seconds,
        record.to_json()["share_last_window"].dump());
    r->curve.push_back(std::move(p));
    test_records.push_back(record.to_json());
  }
  r->sweep_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r->diagnostics = method.diagnostics();
  r->diagnostics["stream"] = {
      {"evaluation",
       "each knob streamed from scratch over val_cal (headline choice) and test; the method "
       "sees features and paid-for zoo outputs, never a label"},
      {"shift", val_split.shift},
      {"shift_classes", online.shift_classes(test.num_classes())},
      {"seconds", r->sweep_seconds},
      {"headline_index", r->headline_index},
      {"val", val_records},
      {"test", test_records}};
}

void check_online_methods(const ExperimentConfig& cfg, const Registries& registries,
                          const Dataset& ds) {
  if (has_features(ds)) return;
  for (const MethodEntry& entry : cfg.methods) {
    const auto* reg = registries.methods.find(entry.method);
    if (!reg || reg->card.kind != MethodKind::kOnline) continue;
    if (!reg->card.make_online(entry.options)->needs_features()) continue;
    // Point at the method's learners (or the method) in the file, as config.cc does.
    YAML::Node node;
    try {
      const YAML::Node root = YAML::LoadFile(cfg.path);
      if (root["methods"] && root["methods"][entry.name]) {
        node.reset(root["methods"][entry.name]);
        if (node.IsMap() && node["learners"]) node.reset(node["learners"]);
      }
    } catch (const YAML::Exception&) {
    }
    throw config_error_at(
        cfg.path, node, "methods." + entry.name + ".learners",
        fmt::format(
            "its learners (logistic, mlp) need raw features, and dataset '{}' has none "
            "(labels and model outputs only): use a dataset with features or drop this method",
            cfg.dataset));
  }
}

}  // namespace lazystack
