// build_zoo: per entry, reuse a valid logit-cache file, or load (else train) the weights, compute
// val/test logits, profile the cost and write the cache. One failing member never stops the rest.
#include "zoo/zoo.h"

#include <fmt/core.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "core/hash.h"
#include "core/log.h"
#include "core/provenance.h"
#include "zoo/profiler.h"
#include "zoo/threads.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;

// Bump when training or inference code changes what a cached file holds.
constexpr int kZooCacheVersion = 1;

CacheKey weights_key(const Dataset& ds, const ZooEntry& entry, uint64_t seed) {
  CacheKey key;
  key.prefix = entry.name;
  key.fields = {{"kind", "zoo-weights"},
                {"dataset", ds.name},
                {"dataset_fingerprint", ds.fingerprint()},
                {"arch", entry.arch},
                {"options", entry.options.json()},
                {"seed", seed},
                {"tool_version", tool_version()},
                {"zoo_cache_version", kZooCacheVersion}};
  return key;
}

// The logit file also holds measured latency, so it is keyed by the machine too; on another
// machine the weights are reused and only inference and profiling run again.
CacheKey logits_key(const CacheKey& weights, const ZooOptions& options) {
  CacheKey key = weights;
  key.fields["kind"] = "zoo-logits";
  key.fields["weights"] = weights.file_stem();
  key.fields["hardware"] = hardware_fingerprint();
  key.fields["profile_repeats"] = options.profile_repeats;
  return key;
}

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

double pick_cost(const ZooMember& m, const ZooEntry& entry, const std::string& cost) {
  if (cost == "latency_ms") return m.latency_ms;
  if (cost == "macs") return m.macs;
  if (cost == "params") return m.params;
  if (cost == "given") return entry.given_cost;
  throw std::invalid_argument("unknown cost '" + cost + "' (latency_ms, macs, params, given)");
}

// Saves next to `path` and renames, so a crash never leaves a half-written weights file.
void save_weights(const ZooModel& model, const std::string& path) {
  fs::create_directories(fs::path(path).parent_path());
  const std::string tmp = path + fmt::format(".tmp.{}", static_cast<long>(getpid()));
  try {
    model.save(tmp);
    fs::rename(tmp, path);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

std::string format_count(double x) {
  if (x >= 1e9) return fmt::format("{:.2f} G", x / 1e9);
  if (x >= 1e6) return fmt::format("{:.2f} M", x / 1e6);
  if (x >= 1e3) return fmt::format("{:.1f} k", x / 1e3);
  return fmt::format("{:.0f}", x);
}

// Trains or loads one member and fills `m` and `out`; throws on failure.
void build_member(const Dataset& ds, const ZooEntry& entry, const ZooOptions& options,
                  const ModelRegistry& registry, ZooMember& m, CachedLogits& out) {
  const auto* arch = registry.find(entry.arch);
  if (!arch)
    throw std::invalid_argument("unknown architecture '" + entry.arch +
                                "'; known: " + registry.joined_names());
  if (options.cost == "given" && entry.given_cost < 0)
    throw std::invalid_argument("cost: given, but the entry has no cost");
  const CacheKey wkey = weights_key(ds, entry, options.seed);
  const CacheKey lkey = logits_key(wkey, options);
  const fs::path root = fs::path(options.cache_dir);
  m.logits_path = (root / "logits" / ds.name / (lkey.file_stem() + ".h5")).string();
  m.cache_key = lkey.file_stem();

  if (!options.force && fs::exists(m.logits_path)) {
    try {
      out = read_logit_cache(m.logits_path, lkey.fields);
      check_against_dataset(out, ds);
      m.from_cache = true;
      m.latency_ms = out.latency_ms;
      m.macs = out.macs;
      m.params = out.params;
      return;
    } catch (const std::exception& e) {
      log_warn("[zoo] {}: cached logits unusable, recomputing: {}", entry.name, e.what());
    }
  }

  std::unique_ptr<ZooModel> model = arch->make(entry.options, ds);
  if (!model) throw std::logic_error("the factory of '" + entry.arch + "' returned no model");
  model->set_name(entry.name);
  const std::string weights_path =
      (root / "weights" / ds.name / (wkey.file_stem() + model->weights_suffix())).string();
  bool loaded = false;
  if (!options.force && fs::exists(weights_path)) {
    try {
      model->load(weights_path);
      loaded = true;
      log_info("[zoo] {}: loaded weights {}", entry.name, weights_path);
    } catch (const std::exception& e) {
      log_warn("[zoo] {}: weights unusable, retraining: {}", entry.name, e.what());
      model = arch->make(entry.options, ds);  // a failed load may have left partial state
      model->set_name(entry.name);
    }
  }
  if (!loaded) {
    log_info("[zoo] {}: training {} on {} samples", entry.name, entry.arch, ds.train.num_samples);
    const auto t0 = std::chrono::steady_clock::now();
    model->train(ds, options.seed);
    m.train_seconds = seconds_since(t0);
    try {
      save_weights(*model, weights_path);
    } catch (const std::exception& e) {
      log_warn("[zoo] {}: cannot cache weights ({}); going on", entry.name, e.what());
    }
  }

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
  out.latency_ms = profile_latency_ms(*model, ds.val, ds.shape.feature_dim(), ds.num_classes,
                                      options.profile_repeats);
  out.macs = model->macs();
  out.params = model->params();
  m.latency_ms = out.latency_ms;
  m.macs = out.macs;
  m.params = out.params;
  try {
    write_logit_cache(m.logits_path, out);
  } catch (const std::exception& e) {
    log_warn("[zoo] {}: cannot cache logits ({}); going on", entry.name, e.what());
  }
}

}  // namespace

nlohmann::json ZooMember::to_json() const {
  return {{"name", name},
          {"arch", arch},
          {"cost", cost},
          {"latency_ms", latency_ms},
          {"macs", macs},
          {"params", params},
          {"val_accuracy", val_accuracy},
          {"test_accuracy", test_accuracy},
          {"train_seconds", train_seconds},
          {"from_cache", from_cache},
          {"logits_path", logits_path},
          {"cache_key", cache_key},
          {"error", error.empty() ? nlohmann::json(nullptr) : nlohmann::json(error)}};
}

Zoo build_zoo(const Dataset& ds, const std::vector<ZooEntry>& entries, const ZooOptions& options,
              const ModelRegistry& registry) {
  const ScopedComputeThreads threads(default_compute_threads());
  keep_large_allocations_on_heap();
  const auto t0 = std::chrono::steady_clock::now();
  Zoo zoo;
  std::vector<CachedLogits> outputs;
  std::vector<std::string> names;
  std::vector<double> costs;
  for (size_t i = 0; i < entries.size(); ++i) {
    const ZooEntry& entry = entries[i];
    ZooMember m;
    m.name = entry.name;
    m.arch = entry.arch;
    CachedLogits out;
    const auto member_start = std::chrono::steady_clock::now();
    try {
      build_member(ds, entry, options, registry, m, out);
      m.cost = pick_cost(m, entry, options.cost);
      m.val_accuracy = accuracy(out.val_logits, out.val_labels, out.num_classes);
      m.test_accuracy = accuracy(out.test_logits, out.test_labels, out.num_classes);
      log_info(
          "[zoo] {}/{} {}: {} ({:.1f} s): val {:.4f}, test {:.4f}, latency {:.3f} ms, "
          "MACs {}, params {}",
          i + 1, entries.size(), m.name,
          m.from_cache ? "from cache" : (m.train_seconds > 0 ? "trained" : "loaded weights"),
          seconds_since(member_start), m.val_accuracy, m.test_accuracy, m.latency_ms,
          format_count(m.macs), format_count(m.params));
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
  log_info("[zoo] {} of {} models ready in {:.1f} s (cost: {})", num_models, entries.size(),
           seconds_since(t0), options.cost);
  return zoo;
}

}  // namespace lazystack
