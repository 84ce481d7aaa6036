// Building a zoo: train or load each member, profile its cost, and cache its logits in HDF5.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/cost_unit.h"
#include "core/logit_table.h"
#include "core/options.h"
#include "datasets/dataset.h"
#include "zoo/model.h"

namespace lazystack {

/// One zoo entry of the experiment config: a name, an architecture and its options.
/// An architecture with an option `parent` (gatekeeper) derives its model from the earlier
/// entry of that name (see build_zoo).
struct ZooEntry {
  std::string name;          ///< unique within the zoo, e.g. "cnn-s"
  std::string arch;          ///< registry name, e.g. "cnn"
  Options options;           ///< validated against the arch's specs (includes epochs, lr, ...)
  double given_cost = -1.0;  ///< cost from the config (`cost: given`), < 0 if absent
};

struct ZooOptions {
  std::string cache_dir = "cache";  ///< weights under cache_dir/weights, logits under /logits
  uint64_t seed = 0;
  CostUnit cost = CostUnit::kLatencyMs;
  int profile_repeats = 50;  ///< timed batch-1 forwards per model (median reported)
  bool force = false;        ///< ignore cache entries, recompute everything
  /// Where each member's logits were computed and profiled, by entry name: {"hardware":
  /// hardware_fingerprint(), "compute_threads": n} of that machine. Batch executors (executor/)
  /// set it for the members their tasks built on other nodes, so the logit entries are found
  /// under those keys; a member not named here is keyed by this machine.
  std::map<std::string, nlohmann::json> measured_on;
};

/// What the zoo knows of one member after building.
struct ZooMember {
  std::string name, arch;
  double latency_ms = 0.0;  ///< median batch-1 forward on this machine
  /// The profiler's timed repeats behind latency_ms (ms, in the order measured); empty when
  /// unknown (imported members). A backfilled entry's repeats come from a later profile than
  /// its latency_ms (see build_zoo).
  std::vector<double> latency_repeats_ms;
  double macs = 0.0;
  double params = 0.0;
  double cost = 0.0;  ///< the experiment's cost (one of the above, or given)
  double val_accuracy = 0.0, test_accuracy = 0.0;
  double train_seconds = 0.0;  ///< time spent training in this build; 0 when loaded from cache
  /// Time it took to train this member (derived members: to fine-tune it, without the parent's
  /// training) when its weights were made, kept in the cache: the member's setup cost even on
  /// a cache hit. 0 if unknown (caches written before it was recorded).
  double setup_seconds = 0.0;
  /// How well the max softmax probability separates the val split's right answers from the
  /// wrong ones: AUROC (see max_prob_auroc); NaN (null in JSON) if val has no right or no
  /// wrong answer.
  double val_confidence_auroc = 0.0;
  std::string parent;  ///< derived members: the parent entry's name; else empty
  std::string logits_path;
  std::string cache_key;        ///< printable key of the logit entry
  std::string logits_checksum;  ///< checksum of its logits' data (logits_checksum())
  bool from_cache = false;
  std::string error;  ///< non-empty: this member failed and is left out of the tables
  nlohmann::json to_json() const;
};

struct Zoo {
  std::vector<ZooMember> members;  ///< all entries, failed ones with `error` set
  LogitTable val, test;            ///< successful members only, costs = ZooMember::cost
};

/// Trains / loads every entry and returns the val and test logit tables. A valid cached entry
/// (shape, finiteness, key checked) is reused; a corrupt or foreign one is reported and
/// recomputed. A member that fails is recorded with its error and the others go on.
///
/// Derived entries (an option `parent`, e.g. arch gatekeeper) name an earlier entry; their model
/// gets that entry's trained network (from its cached weights, else trained again, seeded) and
/// train() refines it; train_seconds / setup_seconds count that refinement only. Their weights
/// key holds the parent's weights key. One running the parent's network (same MACs and params,
/// as gatekeeper does) gets the parent's latency_ms: one computation, one measurement (its own
/// profile stays in its logits file) and the parent's latency repeats. A cached entry without
/// latency repeats (written before they were kept) is profiled again when cost is latency_ms
/// and its model can be loaded: the repeats are added to the file, its latency_ms is kept (so
/// costs and cache keys do not move). Errors of the member (naming it): the parent is not an
/// earlier entry, failed, or cannot serve as a parent (gatekeeper: not a LibTorch network).
///
/// Files, per entry: cache_dir/weights/<dataset>/<stem><suffix> keyed by (dataset fingerprint,
/// arch, options, seed, tool version), and cache_dir/logits/<dataset>/<stem>.h5 whose key adds
/// the weights' stem, the hardware fingerprint and profile_repeats (the file holds the measured
/// latency, so another machine re-runs inference and profiling but reuses the weights). Stems
/// are "<entry name>-<12 hex digits of the key hash>". A model brought as a file
/// (ZooModel::is_external: torchscript, onnx) is not trained and gets no weights file; its keys
/// hold the hash of that file's bytes (any option declared existing_path() is keyed by content),
/// so a changed file means new logits. Training and batched inference use
/// default_compute_threads() (zoo/threads.h); latency is profiled single-threaded.
Zoo build_zoo(const Dataset& ds, const std::vector<ZooEntry>& entries, const ZooOptions& options,
              const ModelRegistry& registry);

/// The logit-cache file format (DESIGN.md section 8), exposed for tests and `lazystack import`.
struct CachedLogits {
  std::vector<float> val_logits, test_logits;  ///< [N][C]
  std::vector<int32_t> val_labels, test_labels;
  int num_classes = 0;
  nlohmann::json key;  ///< full key JSON
  double latency_ms = 0.0, macs = 0.0, params = 0.0;
  /// The profiler's timed repeats (dataset /profile/latency_ms, optional on read: files
  /// written before it was recorded lack it).
  std::vector<double> latency_repeats_ms;
  double setup_seconds = 0.0;  ///< see ZooMember::setup_seconds (attribute optional on read)
  /// Optional cost per sample [N] of each split (imported members: /val/costs, /test/costs);
  /// empty = one cost per model.
  std::vector<double> val_sample_costs, test_sample_costs;
  /// Checksum of the data above as stored (attribute "checksum"); filled by read and write.
  std::string checksum;
};

/// A cache file whose data do not match its checksum (or that has none where one is needed).
class CorruptCacheError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// "fnv64:<16 hex>" over every dataset of the entry: labels, logits, per-sample costs and
/// latency repeats, with their sizes.
std::string logits_checksum(const CachedLogits& entry);
/// Writes atomically (temp file + rename). Attributes: format ("lazystack-logits/1"), key
/// (JSON), latency_ms, macs, params, setup_seconds, created, tool_version, git_revision,
/// hardware; /val/costs and /test/costs float64 [N] when the entry has per-sample costs;
/// /profile/latency_ms float64 [repeats] when the profiler's repeats are known.
void write_logit_cache(const std::string& path, const CachedLogits& entry);

/// Saves a trained model's weights to `path` atomically: model.save() fills a temporary beside
/// it that keeps the extension (writers pick their format by it), renamed when complete. A
/// failed write (disk full, `ulimit -f`, an unwritable folder) throws WriteError naming the
/// file and the reason, and leaves neither `path` nor the temporary.
void save_weights(const ZooModel& model, const std::string& path);
/// Reads and validates: HDF5 readable, datasets present with consistent shapes, all finite,
/// labels in range, key equal to `expected_key` (when not null), and the data matching the
/// file's checksum (required when `expected_key` is not null; files written by older
/// versions of `lazystack import` have none). Throws CorruptCacheError when the data do not
/// match, std::runtime_error for anything else wrong; callers treat both as "recompute".
CachedLogits read_logit_cache(const std::string& path, const nlohmann::json& expected_key);

/// AUROC of the max softmax probability as a detector of right answers: the probability that a
/// right answer (argmax == label) is more confident than a wrong one, ties counting half
/// (Mann-Whitney). Ranks by the exact log-odds of the max probability computed from the logits
/// in double, so confident answers that round to probability 1 in float still rank. NaN if
/// there is no right or no wrong answer. `logits` is [labels.size()][num_classes].
double max_prob_auroc(const std::vector<float>& logits, const std::vector<int32_t>& labels,
                      int num_classes);

}  // namespace lazystack
