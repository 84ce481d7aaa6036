#include "pipeline/method_run.h"

#include <fmt/core.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "core/atomic_file.h"
#include "core/file_lock.h"
#include "core/hash.h"
#include "core/json_numbers.h"
#include "core/log.h"
#include "pipeline/stream_run.h"

namespace lazystack {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The format of a method cache entry (bump when MethodResult's JSON changes incompatibly, or
// when what every method is fit on changes: v2, the val_fit / val_cal split and the stacker's
// folds drawn through core/random.h instead of std::shuffle).
constexpr const char* kMethodCacheVersion = "method-result-v2";

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
                {"cost", to_string(s.cfg.cost)},
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

}  // namespace

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
  eval.cost_per_ns = s.cfg.cost == CostUnit::kLatencyMs ? 1e-6 : 0.0;
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

}  // namespace lazystack
