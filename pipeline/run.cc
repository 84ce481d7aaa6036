#include "pipeline/run.h"

#include <fmt/core.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <set>

#include "core/atomic_file.h"
#include "core/exit_status.h"
#include "core/file_lock.h"
#include "core/hash.h"
#include "core/hdf5_io.h"
#include "core/json_numbers.h"
#include "core/log.h"
#include "core/pareto.h"
#include "core/partial_folder.h"
#include "core/provenance.h"
#include "pipeline/members.h"
#include "pipeline/results_json.h"
#include "pipeline/seed_sampling.h"
#include "pipeline/stream_run.h"
#include "reports/comparisons.h"
#include "reports/headline_set.h"
#include "reports/report.h"
#include "site/site.h"

namespace lazystack {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr int kFormatVersion = 1;
// The format of a method cache entry (bump when MethodResult's JSON changes incompatibly).
constexpr const char* kMethodCacheVersion = "method-result-v1";

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

void emit_yaml(YAML::Emitter& out, const json& j) {
  if (j.is_object()) {
    out << YAML::BeginMap;
    for (auto it = j.begin(); it != j.end(); ++it) {
      out << YAML::Key << it.key() << YAML::Value;
      emit_yaml(out, it.value());
    }
    out << YAML::EndMap;
  } else if (j.is_array()) {
    const bool flat =
        std::all_of(j.begin(), j.end(), [](const json& e) { return e.is_primitive(); });
    out << (flat ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
    for (const auto& e : j) emit_yaml(out, e);
    out << YAML::EndSeq;
  } else if (j.is_string()) {
    out << j.get<std::string>();
  } else if (j.is_boolean()) {
    out << (j.get<bool>() ? "true" : "false");
  } else if (j.is_number_integer()) {
    out << j.get<long>();
  } else if (j.is_number()) {
    out << fmt::format("{}", j.get<double>());
  } else {
    out << YAML::Null;
  }
}

std::string to_yaml(const json& j) {
  YAML::Emitter out;
  emit_yaml(out, j);
  return std::string(out.c_str()) + "\n";
}

// The zoo models one method sees (see pipeline/members.h), on every split it uses.
struct ModelView {
  std::vector<int> zoo_models;  ///< index in zoo.val / zoo.test of each model here
  LogitTable val_fit, val_cal;
  // The zoo's own tables when the view holds every model in zoo order (no copy: at ImageNet
  // scale each is gigabytes), else the view's selection, kept in own_val / own_test.
  const LogitTable* val = nullptr;
  const LogitTable* test = nullptr;
  std::shared_ptr<const LogitTable> own_val, own_test;
  json zoo_keys;       ///< the models' logit cache keys
  json zoo_checksums;  ///< the checksums of their logits' data (the content they are fit on)
};

ModelView make_model_view(const Zoo& zoo, std::vector<int> models, const std::vector<int>& fit_idx,
                          const std::vector<int>& cal_idx) {
  ModelView v;
  v.zoo_models = std::move(models);
  std::vector<int> every_model(zoo.val.num_models());
  std::iota(every_model.begin(), every_model.end(), 0);
  if (v.zoo_models == every_model) {
    v.val = &zoo.val;
    v.test = &zoo.test;
  } else {
    v.own_val = std::make_shared<const LogitTable>(zoo.val.select_models(v.zoo_models));
    v.own_test = std::make_shared<const LogitTable>(zoo.test.select_models(v.zoo_models));
    v.val = v.own_val.get();
    v.test = v.own_test.get();
  }
  v.val_fit = v.val->subset(fit_idx);
  v.val_cal = v.val->subset(cal_idx);
  v.zoo_keys = json::array();
  v.zoo_checksums = json::array();
  for (int m : v.zoo_models)
    for (const auto& member : zoo.members)
      if (member.error.empty() && member.name == zoo.val.model_names()[m]) {
        v.zoo_keys.push_back(member.cache_key);
        v.zoo_checksums.push_back(member.logits_checksum);
      }
  return v;
}

struct SeedContext {
  const ExperimentConfig& cfg;
  const Registries& registries;
  const Zoo& zoo;
  const Dataset& ds;
  const ModelView& all;   ///< every zoo model, derived ones included
  const ModelView& base;  ///< the zoo without derived models (same as `all` if there are none)
  std::set<std::string> derived;
  uint64_t seed;
  std::string method_cache_dir;
  bool force;
  json seed_data;  ///< SeedData::cache_key(): what this seed's data is drawn as

  // models_seen_by gives either the base models or all of them.
  const ModelView& view_of(const MethodEntry& entry) const {
    const auto seen = models_seen_by(registries.methods.find(entry.method)->card, entry.options,
                                     zoo.val.model_names(), derived);
    return seen.size() == base.zoo_models.size() ? base : all;
  }
};

// What a method's result depends on: the method (registry name, its card's version, its
// options), the content of the logits it reads (the checksums of its view of the zoo) and how
// it is evaluated (split, seed, costs, accounting, headline target). No build revision: a
// commit that leaves a method alone reuses its results, and a change to a method's code bumps
// its card's version, which refits that method only.
CacheKey method_key(const SeedContext& s, const ModelView& view, const MethodEntry& entry,
                    const MethodCard& card, double target_accuracy) {
  CacheKey key;
  key.prefix = entry.name;
  key.fields = {{"version", kMethodCacheVersion},
                {"method_version", card.version},
                {"dataset", s.cfg.dataset},
                {"dataset_fingerprint", s.ds.fingerprint()},
                {"zoo", view.zoo_keys},
                {"zoo_checksums", view.zoo_checksums},
                {"cost", s.cfg.cost},
                {"costs", view.test->costs()},
                {"cost_model", to_string(s.cfg.cost_model)},
                {"tier_delay", s.cfg.tier_delay},
                {"charge_overhead", s.cfg.charge_overhead},
                {"seed", s.seed},
                {"seed_data", s.seed_data},
                {"val_cal_fraction", s.cfg.val_cal_fraction},
                {"method", entry.method},
                {"options", entry.options.json()},
                {"target_accuracy", target_accuracy}};
  return key;
}

MethodResult run_method(const SeedContext& s, const MethodEntry& entry, double target_accuracy) {
  const auto* reg = s.registries.methods.find(entry.method);
  const ModelView& view = s.view_of(entry);
  const CacheKey key = method_key(s, view, entry, reg->card, target_accuracy);
  const std::string cache_path = s.method_cache_dir + "/" + key.file_stem() + ".json";
  // Another process fitting the same method on the same logits: wait, then reuse its result.
  const FileLock lock(cache_path, fmt::format("[methods] {}", entry.name));
  if (!s.force && fs::exists(cache_path)) {
    try {
      std::ifstream in(cache_path);
      json j = json::parse(in);
      decode_nonfinite(j);
      if (j.at("key") != key.fields) throw std::runtime_error("key mismatch");
      MethodResult r = MethodResult::from_json(j.at("result"));
      r.from_cache = true;
      r.card = reg->card.to_json();
      r.options = entry.options.json();
      log_info("[methods] {}: reused cached result ({})", entry.name, cache_path);
      return r;
    } catch (const std::exception& e) {
      log_warn("method cache entry {} is unusable ({}); recomputing", cache_path, e.what());
      fs::remove(cache_path);
    }
  }

  MethodResult r;
  r.name = entry.name;
  r.method = entry.method;
  r.description = reg->description;
  r.card = reg->card.to_json();
  r.options = entry.options.json();
  r.bound = reg->card.kind == MethodKind::kBound;
  EvalOptions eval;
  eval.cost_model = s.cfg.cost_model;
  eval.tier_delay = s.cfg.tier_delay;
  eval.charge_overhead = s.cfg.charge_overhead;
  eval.cost_per_ns = s.cfg.cost == "latency_ms" ? 1e-6 : 0.0;
  eval = with_method_accounting(eval, entry.options);
  r.accounting = accounting_json(eval);
  r.accounting["full_ensemble_cost"] = full_ensemble_cost_under(*s.base.test, eval);
  try {
    FitContext ctx{view.val_fit,
                   view.val_cal,
                   eval.cost_model,
                   s.seed,
                   s.cfg.cache_dir + "/methods/" + s.cfg.dataset,
                   s.ds.fingerprint()};
    if (reg->card.kind == MethodKind::kOnline) {  // learns while it serves: streamed, not swept
      auto method = reg->card.make_online(entry.options);
      const auto t0 = std::chrono::steady_clock::now();
      method->fit(ctx);
      r.fit_seconds = seconds_since(t0);
      stream_online_method(*method, s.ds, view.val_cal, *view.test,
                           {s.cfg.cost, s.seed, s.cfg.val_cal_fraction}, eval, target_accuracy, &r);
    } else {
      auto method = reg->make(entry.options);
      const auto t0 = std::chrono::steady_clock::now();
      method->fit(ctx);
      r.fit_seconds = seconds_since(t0);
      const auto t1 = std::chrono::steady_clock::now();
      r.val_points = sweep(*method, view.val_cal, eval);
      r.curve = sweep(*method, *view.test, eval);
      r.sweep_seconds = seconds_since(t1);
      if (r.val_points.empty()) throw std::runtime_error("the method's knob grid is empty");
      r.headline_index = select_headline(r.val_points, target_accuracy);
      method->set_knob(r.val_points[r.headline_index].knob);
      OperatingPoint point = evaluate(*method, *view.test, eval, &r.headline_decisions);
      point.knob = r.val_points[r.headline_index].knob;
      r.curve[r.headline_index] = point;  // same knob; keep the run that made the decisions
      r.diagnostics = method->diagnostics();
    }
    for (uint64_t& mask : r.headline_decisions.executed_mask)  // results.h5 indexes the zoo
      mask = widen_mask(mask, view.zoo_models);
    const OperatingPoint& headline = r.curve[r.headline_index];
    log_info(
        "[methods] {}: fit {:.2f} s, {} points swept on val_cal and test in {:.2f} s; "
        "headline {} -> test accuracy {:.4f}, cost {:.4g}, {:.2f} models",
        entry.name, r.fit_seconds, r.curve.size(), r.sweep_seconds, headline.knob.to_string(),
        headline.accuracy, headline.mean_cost, headline.mean_models);
  } catch (const std::exception& e) {
    r.error = e.what();
    r.val_points.clear();
    r.curve.clear();
    r.headline_index = -1;
    log_warn("method '{}' failed: {}", entry.name, e.what());
    return r;  // failures are not cached: the next run tries again
  }
  write_text_atomically(
      cache_path, dump_with_nonfinite(json{{"key", key.fields}, {"result", r.to_json(true)}}));
  return r;
}

void write_results_h5(const std::string& path, const LogitTable& test,
                      const std::vector<MethodResult>& results) {
  h5::write_atomically(path, [&](h5::File& f) {
    const uint64_t n = test.num_samples();
    f.write_i32("/labels", test.labels().data(), {n});
    f.set_attr("/", "models", json(test.model_names()).dump());
    for (const auto& r : results) {
      if (!r.error.empty()) continue;
      const std::string g = "/methods/" + r.name;
      const auto& d = r.headline_decisions;
      f.write_i32(g + "/prediction", d.prediction.data(), {n});
      f.write_f32(g + "/cost", d.cost.data(), {n});
      f.write_u64(g + "/executed_mask", d.executed_mask.data(), {n});
      f.write_i32(g + "/depth", d.depth.data(), {n});
      f.set_attr(g, "knob", r.val_points[r.headline_index].knob.to_string());
    }
  });
}

// <UTC time>-<config hash>-<random>: two runs of one config started in the same second get
// two folders (make_partial_run_dir creates the folder exclusively and draws again on a clash).
std::string make_run_id(const ExperimentConfig& cfg) {
  static std::mt19937 rng{std::random_device{}() ^ static_cast<unsigned>(getpid())};
  return fmt::format("{}-{}-{:04x}", utc_compact_timestamp(),
                     hash_hex(cfg.resolved.dump()).substr(0, 6), rng() & 0xffffu);
}

constexpr const char* kPartialSuffix = ".partial";

// A new run's folder, <exp_dir>/<run-id>.partial, created here and by no other process.
// `owned`: this process writes it, so it records its pid and host (a later run removes the
// folder if this one is killed); a folder filled by other processes' tasks has no owner.
std::string make_partial_run_dir(const ExperimentConfig& cfg, const std::string& exp_dir,
                                 std::string* run_id, bool owned = true) {
  fs::create_directories(exp_dir);
  for (int attempt = 0; attempt < 100; ++attempt) {
    *run_id = make_run_id(cfg);
    const std::string dir = exp_dir + "/" + *run_id + kPartialSuffix;
    if (fs::exists(exp_dir + "/" + *run_id)) continue;
    std::error_code ec;
    if (fs::create_directory(dir, ec)) {
      if (owned) claim_partial_folder(dir);
      return dir;
    }
    if (ec) throw WriteError(fmt::format("cannot create run folder '{}': {}", dir, ec.message()));
  }
  throw std::runtime_error("cannot find a free run id in " + exp_dir);
}

// Points <exp_dir>/latest at run_id: a new link beside it renamed over the old one, so
// `latest` always exists and never names a half-made run.
void point_latest_at(const std::string& exp_dir, const std::string& run_id) {
  const fs::path latest = fs::path(exp_dir) / "latest";
  const std::string tmp = temporary_name(latest.string());
  std::error_code ec;
  fs::create_directory_symlink(run_id, tmp, ec);
  if (!ec && ::rename(tmp.c_str(), latest.c_str()) != 0) {
    ec = std::error_code(errno, std::generic_category());
    std::error_code ignored;
    fs::remove(tmp, ignored);
  }
  if (ec) log_warn("cannot point {} at {}: {}", latest.string(), run_id, ec.message());
}

json run_seed(const ExperimentConfig& cfg, const Registries& registries, const SeedData& data,
              uint64_t seed, const std::string& run_id, const std::string& out_dir,
              const RunOptions& options) {
  const bool force = options.force;
  std::vector<std::string>* failures = options.failures;
  const Dataset& ds = data.dataset();
  const Zoo& zoo = data.zoo();
  std::vector<int> fit_idx, cal_idx;
  split_val(zoo.val.labels(), cfg.val_cal_fraction, seed, &fit_idx, &cal_idx);
  std::set<std::string> derived;
  for (const auto& m : zoo.members)
    if (m.error.empty() && !m.parent.empty()) derived.insert(m.name);
  std::vector<int> every_model(zoo.val.num_models());
  std::iota(every_model.begin(), every_model.end(), 0);
  const ModelView all = make_model_view(zoo, every_model, fit_idx, cal_idx);
  // Without derived models `base` is `all` itself, not a copy (val_fit and val_cal are
  // gigabytes at ImageNet scale).
  std::optional<ModelView> base_only;
  if (!derived.empty())
    base_only = make_model_view(
        zoo, models_seen_by(MethodCard(), Options(), zoo.val.model_names(), derived), fit_idx,
        cal_idx);
  const ModelView& base = base_only ? *base_only : all;
  SeedContext s{cfg,     registries, zoo,
                ds,      all,        base,
                derived, seed,       cfg.cache_dir + "/methods/" + cfg.dataset,
                force};
  s.seed_data = data.cache_key();
  log_info("[methods] seed {}: val_fit {} samples, val_cal {}, test {}", seed,
           all.val_fit.num_samples(), all.val_cal.num_samples(), zoo.test.num_samples());
  if (!derived.empty())
    log_info("[methods] {} derived zoo models; only methods naming one of them see them",
             derived.size());

  // The full stacker (the registry's reference card) sets the accuracy every headline point
  // must retain: the config's instance of it, else one with default options.
  const MethodRegistry::Entry* reference = nullptr;
  for (const auto* e : registries.methods.entries())
    if (e->card.reference && !reference) reference = e;
  if (!reference) throw std::logic_error("no method registered as the accuracy reference");
  MethodEntry stacker_entry{reference->name, reference->name, default_options(reference->options)};
  for (const auto& m : cfg.methods)
    if (m.method == reference->name) stacker_entry = m;
  MethodResult stacker = run_method(s, stacker_entry, 0.0);
  if (!stacker.error.empty())
    throw std::runtime_error("the full stacker, the reference of every headline, failed: " +
                             stacker.error);
  const double stacker_val = stacker.val_points[0].accuracy;
  const double stacker_test = stacker.curve[0].accuracy;
  const double target = cfg.target_retention * stacker_val;
  log_info(
      "[methods] full stacker: val_cal accuracy {:.4f}, test {:.4f}; headline target "
      "{:.4f} ({:g} retention)",
      stacker_val, stacker_test, target, cfg.target_retention);

  std::vector<MethodResult> results;
  for (const auto& entry : cfg.methods) {
    // The stacker has one operating point, so its headline does not depend on the target:
    // reuse the reference run instead of fitting it twice.
    if (entry.name == stacker_entry.name && stacker.val_points.size() == 1) {
      results.push_back(stacker);
      continue;
    }
    results.push_back(run_method(s, entry, target));
  }
  if (failures)
    for (const auto& r : results)
      if (!r.error.empty())
        failures->push_back(fmt::format("method '{}' (seed {}): {}", r.name, seed, r.error));
  if (options.stop_after == RunOptions::Stage::kMethods) return json();  // an executor task

  // Reference numbers, over the base models.
  std::vector<int> base_models(base.test->num_models());
  std::iota(base_models.begin(), base_models.end(), 0);
  const double full_cost = ensemble_cost(*base.test, base_models, cfg.cost_model, cfg.tier_delay);
  // The ensemble of the members on the single-model front (chosen on val): a full cost that a
  // dominated, expensive member cannot inflate.
  const std::vector<int> front_members = pareto_members(*base.val);
  const double front_cost =
      ensemble_cost(*base.test, front_members, cfg.cost_model, cfg.tier_delay);
  json front_names = json::array();
  for (int m : front_members) front_names.push_back(base.test->model_names()[m]);
  int best = 0;
  for (int m = 1; m < base.val->num_models(); ++m)
    if (base.val->model_accuracy(m) > base.val->model_accuracy(best)) best = m;
  double best_cost = 0.0;
  for (int n = 0; n < base.test->num_samples(); ++n) best_cost += base.test->cost(best, n);
  best_cost /= std::max(1, base.test->num_samples());

  json summary;
  summary["format_version"] = kFormatVersion;
  summary["experiment"] = cfg.experiment;
  summary["dataset"] = cfg.dataset;
  summary["domain"] = ds.domain;
  summary["run_id"] = run_id;
  summary["seed"] = seed;
  summary["seed_sampling"] = data.description();
  summary["cost_unit"] = cfg.cost;
  summary["cost_model"] = to_string(cfg.cost_model);
  summary["config"] = cfg.path;
  summary["num_classes"] = ds.num_classes;
  summary["splits"] = {{"train", ds.train.num_samples},
                       {"val_fit", all.val_fit.num_samples()},
                       {"val_cal", all.val_cal.num_samples()},
                       {"test", zoo.test.num_samples()}};
  summary["zoo"] = json::array();
  for (const auto& m : zoo.members) summary["zoo"].push_back(m.to_json());
  summary["reference"] = {{"full_stacker_accuracy", stacker_test},
                          {"full_stacker_val_accuracy", stacker_val},
                          {"target_retention", cfg.target_retention},
                          {"target_val_accuracy", target},
                          {"full_ensemble_cost", full_cost},
                          {"pareto_ensemble_cost", front_cost},
                          {"pareto_ensemble_members", front_names},
                          {"best_single",
                           {{"name", base.test->model_names()[best]},
                            {"accuracy", base.test->model_accuracy(best)},
                            {"val_accuracy", base.val->model_accuracy(best)},
                            {"cost", best_cost}}}};
  summary["methods"] = json::object();
  const SummaryReference ref{full_cost, best_cost, stacker_test, target};
  for (const auto& r : results) {
    SummaryReference own = ref;  // "× full" under the method's own accounting
    own.full_cost = r.accounting.value("full_ensemble_cost", full_cost);
    summary["methods"][r.name] = method_summary(r, own);
    summary["methods"][r.name]["accounting"] = r.accounting;
  }
  reports::add_comparison_metrics(summary);
  summary["report"] = {{"pareto_methods", cfg.figure_methods.empty()
                                              ? reports::default_headline_methods()
                                              : cfg.figure_methods}};
  summary["provenance"] = provenance_json();
  summary["provenance"].update(options.provenance);

  fs::create_directories(out_dir);
  write_text_atomically(out_dir + "/summary.json", dump_with_nonfinite(summary, 2) + "\n");
  write_text_atomically(out_dir + "/points.csv", points_csv(summary));
  write_text_atomically(out_dir + "/config.resolved.yaml", to_yaml(cfg.resolved));
  write_results_h5(out_dir + "/results.h5", zoo.test, results);
  return summary;
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

std::string create_partial_run_dir(const ExperimentConfig& cfg, std::string* run_id) {
  // Filled by tasks of other processes (the Slurm executor): no pid owns it, so no start-up
  // sweep may take it for a killed run's folder (one without an owner is only listed).
  return make_partial_run_dir(cfg, cfg.results_dir + "/" + cfg.experiment, run_id,
                              /*owned=*/false);
}

void split_val(const std::vector<int32_t>& labels, double cal_fraction, uint64_t seed,
               std::vector<int>* fit, std::vector<int>* cal) {
  std::map<int32_t, std::vector<int>> by_class;
  for (int i = 0; i < static_cast<int>(labels.size()); ++i) by_class[labels[i]].push_back(i);
  std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ull + 17);
  fit->clear();
  cal->clear();
  for (auto& kv : by_class) {
    auto& idx = kv.second;
    std::shuffle(idx.begin(), idx.end(), rng);
    const size_t n_cal = static_cast<size_t>(std::lround(cal_fraction * idx.size()));
    cal->insert(cal->end(), idx.begin(), idx.begin() + n_cal);
    fit->insert(fit->end(), idx.begin() + n_cal, idx.end());
  }
  std::sort(fit->begin(), fit->end());
  std::sort(cal->begin(), cal->end());
}

namespace {

// An imported zoo entry (source: import): the file `lazystack import` wrote. Its labels must be
// the dataset's val/test labels (same samples, same order). Cost: the entry's `cost` (which
// replaces per-sample costs too), else the cost stored in the file (whatever unit it was given
// in; with per-sample costs their val mean). Throws on any mismatch.
ZooMember load_imported_member(const ZooEntry& entry, const Dataset& ds, const std::string& cost,
                               CachedLogits* out) {
  ZooMember m;
  m.name = entry.name;
  m.arch = entry.arch;
  m.logits_path = entry.options.get_string("path");
  *out = read_logit_cache(m.logits_path, nullptr);
  const CachedLogits& e = *out;
  if (e.key.value("kind", "") != "imported-logits")
    throw std::runtime_error(
        fmt::format("'{}' was not written by `lazystack import`", m.logits_path));
  if (e.num_classes != ds.num_classes)
    throw std::runtime_error(fmt::format("'{}' has {} classes, dataset {} has {}", m.logits_path,
                                         e.num_classes, ds.name, ds.num_classes));
  if (e.val_labels != ds.val.y || e.test_labels != ds.test.y)
    throw std::runtime_error(fmt::format(
        "'{}': its val/test labels ({} / {} samples) differ from dataset {}'s ({} / {}): "
        "import outputs for exactly the dataset's val and test samples, in order",
        m.logits_path, e.val_labels.size(), e.test_labels.size(), ds.name, ds.val.y.size(),
        ds.test.y.size()));
  const std::string unit = e.key.value("cost_unit", "given");
  m.cost = entry.given_cost >= 0 ? entry.given_cost : e.key.value("cost", 0.0);
  if (entry.given_cost >= 0 && !e.val_sample_costs.empty()) {
    log_info("[zoo] {}: the entry's cost {} replaces the file's per-sample costs", m.name,
             entry.given_cost);
    out->val_sample_costs.clear();
    out->test_sample_costs.clear();
  }
  if (entry.given_cost < 0 && unit != cost && unit != "given")
    log_warn("[zoo] {}: imported cost {} is in {}, the experiment's cost is {}", m.name, m.cost,
             unit, cost);
  m.latency_ms = e.latency_ms;
  m.macs = e.macs;
  m.params = e.params;
  m.from_cache = true;
  CacheKey key;
  key.prefix = m.name;
  key.fields = {{"imported", e.key}, {"cost", m.cost}};
  m.cache_key = key.file_stem();
  m.logits_checksum = e.checksum;
  auto acc = [&](const std::vector<float>& l, const std::vector<int32_t>& y) {
    long right = 0;
    for (size_t n = 0; n < y.size(); ++n)
      right += argmax(l.data() + n * e.num_classes, e.num_classes) == y[n];
    return y.empty() ? 0.0 : static_cast<double>(right) / y.size();
  };
  m.val_accuracy = acc(e.val_logits, e.val_labels);
  m.test_accuracy = acc(e.test_logits, e.test_labels);
  m.val_confidence_auroc = max_prob_auroc(e.val_logits, e.val_labels, e.num_classes);
  return m;
}

// build_zoo for the trained / loaded entries, plus the imported ones, in config order.
Zoo build_zoo_with_imports(const Dataset& ds, const std::vector<ZooEntry>& entries,
                           const ZooOptions& options, const ModelRegistry& models) {
  std::vector<ZooEntry> built_entries;
  for (const auto& e : entries)
    if (!e.imported) built_entries.push_back(e);
  if (built_entries.size() == entries.size()) return build_zoo(ds, entries, options, models);
  Zoo built;
  if (!built_entries.empty()) built = build_zoo(ds, built_entries, options, models);
  Zoo zoo;
  std::vector<std::string> names;
  std::vector<double> costs;
  std::vector<std::vector<float>> val, test;  // per successful member: [N][C] logits
  // Per successful member: its per-sample costs, or empty (its one cost for every sample).
  std::vector<std::vector<double>> val_sample_costs, test_sample_costs;
  size_t next_built = 0;
  for (const auto& entry : entries) {
    if (!entry.imported) {
      ZooMember m = built.members[next_built++];
      if (m.error.empty()) {
        const int k = built.val.model_index(m.name);
        const size_t nv = static_cast<size_t>(ds.val.num_samples) * ds.num_classes;
        const size_t nt = static_cast<size_t>(ds.test.num_samples) * ds.num_classes;
        val.emplace_back(built.val.model_log_probs(k), built.val.model_log_probs(k) + nv);
        test.emplace_back(built.test.model_log_probs(k), built.test.model_log_probs(k) + nt);
        names.push_back(m.name);
        costs.push_back(m.cost);
        val_sample_costs.emplace_back();
        test_sample_costs.emplace_back();
      }
      zoo.members.push_back(std::move(m));
      continue;
    }
    CachedLogits e;
    ZooMember m;
    try {
      m = load_imported_member(entry, ds, options.cost, &e);
      log_info("[zoo] {}: imported from {}: val {:.4f}, test {:.4f}, cost {}", m.name,
               m.logits_path, m.val_accuracy, m.test_accuracy, m.cost);
      val.push_back(std::move(e.val_logits));
      test.push_back(std::move(e.test_logits));
      names.push_back(m.name);
      costs.push_back(m.cost);
      val_sample_costs.push_back(std::move(e.val_sample_costs));
      test_sample_costs.push_back(std::move(e.test_sample_costs));
    } catch (const std::exception& ex) {
      m.name = entry.name;
      m.arch = entry.arch;
      m.error = ex.what();
      log_warn("[zoo] {} (imported) failed and is left out: {}", m.name, m.error);
    }
    zoo.members.push_back(std::move(m));
  }
  zoo.val = LogitTable(names, ds.val.num_samples, ds.num_classes);
  zoo.test = LogitTable(names, ds.test.num_samples, ds.num_classes);
  for (size_t k = 0; k < names.size(); ++k) {
    zoo.val.set_logits(static_cast<int>(k), val[k].data());
    zoo.test.set_logits(static_cast<int>(k), test[k].data());
  }
  zoo.val.set_labels(ds.val.y);
  zoo.test.set_labels(ds.test.y);
  zoo.val.set_costs(costs);
  zoo.test.set_costs(costs);
  // Any member with per-sample costs: the Meter charges per (model, sample), [m][n]; the
  // members without them cost their one cost on every sample.
  const auto per_sample = [&](const std::vector<std::vector<double>>& given, int samples) {
    std::vector<double> mn;
    for (size_t k = 0; k < names.size(); ++k) {
      if (given[k].empty())
        mn.insert(mn.end(), samples, costs[k]);
      else
        mn.insert(mn.end(), given[k].begin(), given[k].end());
    }
    return mn;
  };
  if (std::any_of(val_sample_costs.begin(), val_sample_costs.end(),
                  [](const auto& c) { return !c.empty(); })) {
    zoo.val.set_sample_costs(per_sample(val_sample_costs, ds.val.num_samples));
    zoo.test.set_sample_costs(per_sample(test_sample_costs, ds.test.num_samples));
  }
  return zoo;
}

}  // namespace

std::string run_experiment(const ExperimentConfig& cfg, const Registries& registries,
                           const RunOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  log_info("[run] experiment '{}' ({}), cache {}", cfg.experiment, cfg.path, cfg.cache_dir);

  if (const int n = options.sweep_temporaries ? remove_orphaned_temporaries(cfg.cache_dir) : 0;
      n > 0)
    log_info("[run] removed {} temporary file(s) left in {} by stopped processes", n,
             cfg.cache_dir);
  if (options.sweep_temporaries)
    sweep_partial_folders(cfg.results_dir);  // <run-id>.partial folders of killed runs
  const auto* ds_entry = registries.datasets.find(cfg.dataset);
  log_info("[dataset] loading {}", cfg.dataset);
  std::unique_ptr<Dataset> ds;
  try {
    ds = ds_entry->make(cfg.dataset_options, cfg.zoo_seed);
  } catch (const ConfigError&) {
    throw;
  } catch (const InputError&) {
    throw;
  } catch (const std::runtime_error& e) {  // unreadable or malformed data files: bad input
    throw InputError(fmt::format("dataset '{}': {}", cfg.dataset, e.what()));
  } catch (const std::invalid_argument& e) {
    throw InputError(fmt::format("dataset '{}': {}", cfg.dataset, e.what()));
  }
  log_info("[dataset] {}: train {}, val {}, test {}, {} classes, fingerprint {} ({:.1f} s)",
           ds->name, ds->train.num_samples, ds->val.num_samples, ds->test.num_samples,
           ds->num_classes, ds->fingerprint(), seconds_since(t0));
  check_online_methods(cfg, registries, *ds);  // e.g. ocl's learners on a dataset without features
  check_zoo_views(cfg, *ds);                   // zoo members' input views fit the inputs

  ZooOptions zoo_options;
  zoo_options.cache_dir = cfg.cache_dir;
  zoo_options.seed = cfg.zoo_seed;
  zoo_options.cost = cfg.cost;
  zoo_options.profile_repeats = cfg.profile_repeats;
  zoo_options.force = options.force;
  zoo_options.measured_on = options.measured_on;
  Zoo zoo = build_zoo_with_imports(*ds, cfg.zoo, zoo_options, registries.models);
  if (options.members) *options.members = zoo.members;
  if (zoo.val.num_models() == 0)
    throw std::runtime_error("every zoo model failed; nothing to run the methods on");
  if (options.failures)
    for (const auto& m : zoo.members)
      if (!m.error.empty())
        options.failures->push_back(fmt::format("zoo member '{}': {}", m.name, m.error));

  // The run is written into <run-id>.partial/ and renamed when every seed is in: a run
  // stopped half-way never passes for a complete one (report and suites refuse .partial).
  if (options.stop_after == RunOptions::Stage::kZoo) return "";  // an executor task
  std::string run_id = options.run_id;
  const std::string exp_dir = cfg.results_dir + "/" + cfg.experiment;
  const std::string partial_dir = options.stop_after != RunOptions::Stage::kAll ? ""
                                  : run_id.empty() ? make_partial_run_dir(cfg, exp_dir, &run_id)
                                                   : exp_dir + "/" + run_id + kPartialSuffix;
  if (!partial_dir.empty() && !fs::is_directory(partial_dir))
    throw std::runtime_error("no run folder " + partial_dir + " to complete");
  const std::string run_dir = exp_dir + "/" + run_id;
  for (size_t i = 0; i < cfg.seeds.size(); ++i) {
    const std::string out =
        cfg.seeds.size() == 1 ? partial_dir : partial_dir + fmt::format("/seed-{}", cfg.seeds[i]);
    const SeedData data =
        draw_seed_data(*ds, zoo, cfg.seeds[i], parse_seed_draws(cfg.seed_draws), cfg.cost);
    json summary = run_seed(cfg, registries, data, cfg.seeds[i], run_id, out, options);
    if (options.stop_after == RunOptions::Stage::kMethods) continue;  // an executor task
    fmt::print("\n{} (seed {}): {}\n\n{}\n", cfg.experiment, cfg.seeds[i],
               cfg.seeds.size() == 1 ? run_dir : run_dir + fmt::format("/seed-{}", cfg.seeds[i]),
               headline_markdown(summary));
  }
  if (options.stop_after == RunOptions::Stage::kMethods) return "";
  if (::rename(partial_dir.c_str(), run_dir.c_str()) != 0)
    throw WriteError(
        fmt::format("cannot rename '{}' to '{}': {}", partial_dir, run_dir, std::strerror(errno)));
  fsync_path(exp_dir);
  release_partial_folder(run_dir);
  // One call renders a single-seed folder, or every seed-*/ folder plus the across-seed tables.
  try {
    render_report(run_dir);
  } catch (const std::exception& e) {
    log_warn("report rendering failed for {}: {}", run_dir, e.what());
  }
  // latest -> the newest run (relative link, so the results folder can move).
  point_latest_at(exp_dir, run_id);
  site::refresh_site_after_run(options.site_root.empty() ? cfg.results_dir : options.site_root,
                               run_dir);
  log_info("[run] done in {:.1f} s: {}", seconds_since(t0), run_dir);
  return run_dir;
}

}  // namespace lazystack
