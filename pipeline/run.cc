#include "pipeline/run.h"

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <set>

#include "core/atomic_file.h"
#include "core/exit_status.h"
#include "core/json_numbers.h"
#include "core/log.h"
#include "core/pareto.h"
#include "core/partial_folder.h"
#include "core/provenance.h"
#include "core/random.h"
#include "pipeline/cards.h"
#include "pipeline/members.h"
#include "pipeline/method_run.h"
#include "pipeline/model_view.h"
#include "pipeline/results_files.h"
#include "pipeline/results_json.h"
#include "pipeline/run_folder.h"
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
  SeedContext s{cfg,
                registries,
                zoo,
                ds,
                all,
                base,
                derived,
                seed,
                cfg.cache_dir + "/methods/" + cfg.dataset,
                force,
                data.cache_key()};
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
  const double best_cost = base.test->mean_cost(best);

  json summary;
  summary["format_version"] = kFormatVersion;
  summary["experiment"] = cfg.experiment;
  summary["dataset"] = cfg.dataset;
  summary["domain"] = ds.domain;
  summary["run_id"] = run_id;
  summary["seed"] = seed;
  summary["seed_sampling"] = data.description();
  summary["cost_unit"] = to_string(cfg.cost);
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
                                              ? default_figure_methods(registries.methods)
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

void split_val(const std::vector<int32_t>& labels, double cal_fraction, uint64_t seed,
               std::vector<int>* fit, std::vector<int>* cal) {
  std::map<int32_t, std::vector<int>> by_class;
  for (int i = 0; i < static_cast<int>(labels.size()); ++i) by_class[labels[i]].push_back(i);
  std::mt19937_64 rng = seeded_stream(seed, 17);
  fit->clear();
  cal->clear();
  for (auto& kv : by_class) {
    auto& idx = kv.second;
    seeded_shuffle(idx, rng);
    const size_t n_cal = static_cast<size_t>(std::lround(cal_fraction * idx.size()));
    cal->insert(cal->end(), idx.begin(), idx.begin() + n_cal);
    fit->insert(fit->end(), idx.begin() + n_cal, idx.end());
  }
  std::sort(fit->begin(), fit->end());
  std::sort(cal->begin(), cal->end());
}

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
  Zoo zoo = build_zoo(*ds, cfg.zoo, zoo_options, registries.models);
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
