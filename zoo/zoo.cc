// build_zoo: per entry, reuse a valid logit-cache file, or load (else train) the weights, compute
// val/test logits, profile the cost and write the cache. One failing member never stops the rest.
#include "zoo/zoo.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <set>
#include <stdexcept>

#include "core/atomic_file.h"
#include "core/file_lock.h"
#include "core/hash.h"
#include "core/log.h"
#include "core/provenance.h"
#include "zoo/input_view.h"
#include "zoo/profiler.h"
#include "zoo/threads.h"
#include "zoo/zoo_keys.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;

using zoo_detail::BuildContext;
using zoo_detail::find_arch;
using zoo_detail::logits_key;
using zoo_detail::parent_index;
using zoo_detail::weights_key;

double accuracy(const std::vector<float>& logits, const std::vector<int32_t>& labels, int c) {
  if (labels.empty()) return 0.0;
  long right = 0;
  for (size_t n = 0; n < labels.size(); ++n) right += argmax(logits.data() + n * c, c) == labels[n];
  return static_cast<double>(right) / labels.size();
}

// A cache file must describe this dataset's val and test splits exactly.
void check_against_dataset(const CachedLogits& e, const Dataset& ds) {
  if (e.num_classes != ds.num_classes)
    throw std::runtime_error(
        fmt::format("{} classes, the dataset has {}", e.num_classes, ds.num_classes));
  if (e.val_labels != ds.val.y || e.test_labels != ds.test.y)
    throw std::runtime_error("its labels differ from the dataset's val/test labels");
}

double pick_cost(const ZooMember& m, const ZooEntry& entry, CostUnit cost) {
  switch (cost) {
    case CostUnit::kLatencyMs:
      return m.latency_ms;
    case CostUnit::kMacs:
      if (!(m.macs > 0))
        throw std::invalid_argument(
            "cost: macs, but its MACs are unknown (0): give them (torchscript/onnx entries: "
            "`macs:`) or use another cost");
      return m.macs;
    case CostUnit::kParams:
      return m.params;
    case CostUnit::kGiven:
      return entry.given_cost;
  }
  throw std::logic_error("unknown cost unit");
}

std::string format_count(double x) {
  if (x >= 1e9) return fmt::format("{:.2f} G", x / 1e9);
  if (x >= 1e6) return fmt::format("{:.2f} M", x / 1e6);
  if (x >= 1e3) return fmt::format("{:.1f} k", x / 1e3);
  return fmt::format("{:.0f}", x);
}

// The setup time of a weights file sits beside it, so a member whose logits are recomputed
// from cached weights still knows what it cost to make.
std::string setup_file(const std::string& weights_path) { return weights_path + ".setup.json"; }

void save_setup_seconds(const std::string& weights_path, double seconds) {
  write_text_atomically(setup_file(weights_path),
                        nlohmann::json{{"setup_seconds", seconds}}.dump() + "\n");
}

double load_setup_seconds(const std::string& weights_path) {
  try {
    std::ifstream in(setup_file(weights_path));
    if (!in) return 0.0;
    const double s = nlohmann::json::parse(in).at("setup_seconds").get<double>();
    return s >= 0 ? s : 0.0;
  } catch (const std::exception&) {
    return 0.0;  // unknown
  }
}

// A model of entry i, untrained; a derived one already holds an (untrained) model of its parent,
// which checks early that the parent can serve.
std::unique_ptr<ZooModel> make_model(const BuildContext& ctx, size_t i) {
  const ZooEntry& entry = ctx.entries[i];
  // A `view` (zoo/input_view.h) wraps the architecture's model, built for the view's shape.
  std::unique_ptr<ZooModel> model =
      entry.options.has("view")
          ? make_viewed_model(input_view_from_options(Options(entry.options.json().at("view"))),
                              entry.options, ctx.ds, find_arch(ctx, entry))
          : find_arch(ctx, entry).make(entry.options, ctx.ds);
  if (!model) throw std::logic_error("the factory of '" + entry.arch + "' returned no model");
  model->set_name(entry.name);
  if (const int p = parent_index(ctx.entries, i); p >= 0) model->set_parent(make_model(ctx, p));
  return model;
}

std::string weights_path(const BuildContext& ctx, size_t i, const ZooModel& model) {
  return (fs::path(ctx.options.cache_dir) / "weights" / ctx.ds.name /
          (weights_key(ctx, i).file_stem() + model.weights_suffix()))
      .string();
}

// Entry i's trained model: its cached weights, else trained now (a derived entry from its
// parent's trained model, recursively) and cached. `train_seconds`: time in train() (0 when
// loaded); `setup_seconds`: that, or the recorded time of the cached weights.
std::unique_ptr<ZooModel> trained_model(const BuildContext& ctx, size_t i, double* train_seconds,
                                        double* setup_seconds) {
  const ZooEntry& entry = ctx.entries[i];
  std::unique_ptr<ZooModel> model = make_model(ctx, i);
  if (model->is_external()) {  // made elsewhere: load and check its file, cache nothing
    model->train(ctx.ds, ctx.options.seed);
    if (train_seconds) *train_seconds = 0;
    if (setup_seconds) *setup_seconds = 0;
    return model;
  }
  const std::string path = weights_path(ctx, i, *model);
  const FileLock lock(path, fmt::format("[zoo] {}: weights", entry.name));
  // Weights this build wrote are current even under `force` (a parent trained moments ago).
  const bool reuse = !ctx.options.force || ctx.fresh_weights.count(i);
  if (reuse && fs::exists(path)) {
    try {
      model->load(path);
      log_info("[zoo] {}: loaded weights {}", entry.name, path);
      if (train_seconds) *train_seconds = 0;
      if (setup_seconds) *setup_seconds = load_setup_seconds(path);
      return model;
    } catch (const std::exception& e) {
      log_warn("[zoo] {}: weights unusable, retraining: {}", entry.name, e.what());
      model = make_model(ctx, i);  // a failed load may have left partial state
    }
  }
  const int p = parent_index(ctx.entries, i);
  if (p >= 0) {
    log_info("[zoo] {}: {} from parent {} on {} samples", entry.name, entry.arch,
             ctx.entries[p].name, ctx.ds.train.num_samples);
    model->set_parent(trained_model(ctx, p, nullptr, nullptr));
  } else {
    log_info("[zoo] {}: training {} on {} samples", entry.name, entry.arch,
             ctx.ds.train.num_samples);
  }
  const auto t0 = std::chrono::steady_clock::now();
  model->train(ctx.ds, ctx.options.seed);
  const double seconds = seconds_since(t0);
  if (train_seconds) *train_seconds = seconds;
  if (setup_seconds) *setup_seconds = seconds;
  try {
    save_weights(*model, path);
    ctx.fresh_weights.insert(i);
    save_setup_seconds(path, seconds);
  } catch (const std::exception& e) {
    log_warn("[zoo] {}: cannot cache weights ({}); going on", entry.name, e.what());
  }
  return model;
}

// A cached entry written before the profiler's repeats were kept: profile member i again (its
// weights load from the cache) and add the repeats to the file. latency_ms stays as it was, so
// costs and every key that holds them do not move; seeds use the repeats' relative spread
// (pipeline/seed_sampling.h). Best effort: a model that cannot be loaded keeps no repeats.
void backfill_latency_repeats(const BuildContext& ctx, size_t i, const std::string& path,
                              CachedLogits& out) {
  const ZooEntry& entry = ctx.entries[i];
  try {
    const Dataset& ds = ctx.ds;
    // Never train just to time: without cached weights there is nothing to profile.
    const std::unique_ptr<ZooModel> probe = make_model(ctx, i);
    if (!probe->is_external() && !fs::exists(weights_path(ctx, i, *probe))) {
      log_warn("[zoo] {}: no latency repeats (its weights are not cached)", entry.name);
      return;
    }
    std::unique_ptr<ZooModel> model = trained_model(ctx, i, nullptr, nullptr);
    out.latency_repeats_ms = profile_latency_repeats_ms(
        *model, ds.val, ds.shape.feature_dim(), ds.num_classes, ctx.options.profile_repeats);
    out.checksum = logits_checksum(out);
    write_logit_cache(path, out);
    log_info(
        "[zoo] {}: added {} latency repeats to its cached logits (median now {:.4f} ms, "
        "kept {:.4f} ms)",
        entry.name, out.latency_repeats_ms.size(), median_ms(out.latency_repeats_ms),
        out.latency_ms);
  } catch (const std::exception& e) {
    out.latency_repeats_ms.clear();
    log_warn("[zoo] {}: no latency repeats (cannot profile it again: {})", entry.name, e.what());
  }
}

// Trains or loads member i and fills `m` and `out`; throws on failure.
void build_member(const BuildContext& ctx, size_t i, ZooMember& m, CachedLogits& out) {
  const ZooEntry& entry = ctx.entries[i];
  const Dataset& ds = ctx.ds;
  const ZooOptions& options = ctx.options;
  find_arch(ctx, entry);
  if (options.cost == CostUnit::kGiven && entry.given_cost < 0)
    throw std::invalid_argument("cost: given, but the entry has no cost");
  const int parent = parent_index(ctx.entries, i);
  if (parent >= 0) m.parent = ctx.entries[parent].name;
  const CacheKey wkey = weights_key(ctx, i);
  const CacheKey lkey = logits_key(wkey, options);
  const fs::path root = fs::path(options.cache_dir);
  m.logits_path = (root / "logits" / ds.name / (lkey.file_stem() + ".h5")).string();
  m.cache_key = lkey.file_stem();
  // Another process building the same member: wait for it, then reuse its file.
  const FileLock lock(m.logits_path, fmt::format("[zoo] {}: logits", entry.name));

  if (!options.force && fs::exists(m.logits_path)) {
    try {
      out = read_logit_cache(m.logits_path, lkey.fields);
      check_against_dataset(out, ds);
      m.from_cache = true;
      m.latency_ms = out.latency_ms;
      m.macs = out.macs;
      m.params = out.params;
      m.setup_seconds = out.setup_seconds;
      if (out.latency_repeats_ms.empty() && options.cost == CostUnit::kLatencyMs)
        backfill_latency_repeats(ctx, i, m.logits_path, out);
      m.latency_repeats_ms = out.latency_repeats_ms;
      m.logits_checksum = out.checksum;
      return;
    } catch (const CorruptCacheError& e) {
      log_warn("[zoo] {}: corrupt: recomputing {} ({})", entry.name, m.logits_path, e.what());
    } catch (const std::exception& e) {
      log_warn("[zoo] {}: cached logits unusable, recomputing: {}", entry.name, e.what());
    }
  }

  if (parent >= 0 && !ctx.built[parent].error.empty())
    throw std::runtime_error(
        fmt::format("its parent '{}' failed: {}", m.parent, ctx.built[parent].error));
  std::unique_ptr<ZooModel> model = trained_model(ctx, i, &m.train_seconds, &m.setup_seconds);
  out = CachedLogits{};
  out.num_classes = ds.num_classes;
  out.val_logits = model->logits(ds.val);
  out.test_logits = model->logits(ds.test);
  out.val_labels = ds.val.y;
  out.test_labels = ds.test.y;
  for (const auto* block : {&out.val_logits, &out.test_logits})
    for (float v : *block)
      if (!std::isfinite(v))
        throw std::runtime_error("non-finite logits (did training diverge? try a lower lr)");
  out.key = lkey.fields;
  out.latency_repeats_ms = profile_latency_repeats_ms(*model, ds.val, ds.shape.feature_dim(),
                                                      ds.num_classes, options.profile_repeats);
  out.latency_ms = median_ms(out.latency_repeats_ms);
  out.macs = model->macs();
  out.params = model->params();
  out.setup_seconds = m.setup_seconds;
  m.latency_ms = out.latency_ms;
  m.latency_repeats_ms = out.latency_repeats_ms;
  m.macs = out.macs;
  m.params = out.params;
  out.checksum = logits_checksum(out);
  m.logits_checksum = out.checksum;
  try {
    write_logit_cache(m.logits_path, out);
  } catch (const std::exception& e) {
    log_warn("[zoo] {}: cannot cache logits ({}); going on", entry.name, e.what());
  }
}

}  // namespace

Zoo build_zoo(const Dataset& ds, const std::vector<ZooEntry>& entries, const ZooOptions& options,
              const ModelRegistry& registry) {
  const ScopedComputeThreads threads(default_compute_threads());
  keep_large_allocations_on_heap();
  const auto t0 = std::chrono::steady_clock::now();
  Zoo zoo;
  std::vector<CachedLogits> outputs;
  std::vector<std::string> names;
  std::vector<double> costs;
  std::set<size_t> fresh_weights;
  const BuildContext ctx{ds, entries, options, registry, zoo.members, fresh_weights};
  std::vector<double> val_auroc(entries.size(), std::nan(""));
  for (size_t i = 0; i < entries.size(); ++i) {
    const ZooEntry& entry = entries[i];
    ZooMember m;
    m.name = entry.name;
    m.arch = entry.arch;
    CachedLogits out;
    const auto member_start = std::chrono::steady_clock::now();
    try {
      const auto* arch = registry.find(entry.arch);
      if (arch && arch->card.read_outputs) {  // outputs brought as a file (imported)
        arch->card.read_outputs(entry, ds, options, &m, &out);
      } else {
        build_member(ctx, i, m, out);
        // A derived member running its parent's very network (gatekeeper) costs what the
        // parent costs: a second profile of the same computation would only add timing noise
        // to comparisons between the two. Its own profile stays in its logits file.
        if (!m.parent.empty()) {
          const ZooMember& p = zoo.members[parent_index(entries, i)];
          if (p.error.empty() && p.macs == m.macs && p.params == m.params) {
            log_info(
                "[zoo] {}: latency {:.4f} ms of its parent {} (same network; own profile "
                "{:.4f} ms)",
                m.name, p.latency_ms, p.name, m.latency_ms);
            m.latency_ms = p.latency_ms;
            m.latency_repeats_ms = p.latency_repeats_ms;
          }
        }
        m.cost = pick_cost(m, entry, options.cost);
      }
      m.val_accuracy = accuracy(out.val_logits, out.val_labels, out.num_classes);
      m.test_accuracy = accuracy(out.test_logits, out.test_labels, out.num_classes);
      m.val_confidence_auroc = max_prob_auroc(out.val_logits, out.val_labels, out.num_classes);
      val_auroc[i] = m.val_confidence_auroc;
      log_info(
          "[zoo] {}/{} {}: {} ({:.1f} s): val {:.4f}, test {:.4f}, latency {:.3f} ms, "
          "MACs {}, params {}",
          i + 1, entries.size(), m.name,
          arch && arch->card.read_outputs ? "read from " + m.logits_path
          : m.from_cache                  ? "from cache"
                                          : (m.train_seconds > 0 ? "trained" : "loaded weights"),
          seconds_since(member_start), m.val_accuracy, m.test_accuracy, m.latency_ms,
          format_count(m.macs), format_count(m.params));
      if (!m.parent.empty()) {
        const int p = parent_index(entries, i);
        log_info(
            "[zoo] {}: setup (fine-tuning) {:.1f} s; val max-prob AUROC {:.4f}, parent {} "
            "{:.4f}; val accuracy {:+.4f} vs parent",
            m.name, m.setup_seconds, m.val_confidence_auroc, m.parent, val_auroc[p],
            m.val_accuracy - zoo.members[p].val_accuracy);
      }
      names.push_back(m.name);
      costs.push_back(m.cost);
      outputs.push_back(std::move(out));
    } catch (const std::exception& e) {
      m.error = e.what();
      log_warn("[zoo] {}/{} {} ({}) failed and is left out: {}", i + 1, entries.size(), m.name,
               m.arch, m.error);
    }
    zoo.members.push_back(std::move(m));
  }

  const int num_models = static_cast<int>(outputs.size());
  zoo.val = LogitTable(names, ds.val.num_samples, ds.num_classes);
  zoo.test = LogitTable(names, ds.test.num_samples, ds.num_classes);
  for (int k = 0; k < num_models; ++k) {
    zoo.val.set_logits(k, outputs[k].val_logits.data());
    zoo.test.set_logits(k, outputs[k].test_logits.data());
  }
  zoo.val.set_labels(ds.val.y);
  zoo.test.set_labels(ds.test.y);
  zoo.val.set_costs(costs);
  zoo.test.set_costs(costs);
  // Any member with per-sample costs (imported): the Meter charges per (model, sample), [m][n];
  // the members without them cost their one cost on every sample.
  const auto per_sample = [&](std::vector<double> CachedLogits::*given, int samples) {
    std::vector<double> mn;
    for (int k = 0; k < num_models; ++k) {
      const std::vector<double>& c = outputs[k].*given;
      if (c.empty())
        mn.insert(mn.end(), samples, costs[k]);
      else
        mn.insert(mn.end(), c.begin(), c.end());
    }
    return mn;
  };
  if (std::any_of(outputs.begin(), outputs.end(),
                  [](const CachedLogits& o) { return !o.val_sample_costs.empty(); })) {
    zoo.val.set_sample_costs(per_sample(&CachedLogits::val_sample_costs, ds.val.num_samples));
    zoo.test.set_sample_costs(per_sample(&CachedLogits::test_sample_costs, ds.test.num_samples));
  }
  log_info("[zoo] {} of {} models ready in {:.1f} s (cost: {})", num_models, entries.size(),
           seconds_since(t0), to_string(options.cost));
  return zoo;
}

}  // namespace lazystack
