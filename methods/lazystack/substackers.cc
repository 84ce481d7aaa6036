#include "methods/lazystack/substackers.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <istream>
#include <numeric>
#include <ostream>
#include <random>
#include <sstream>
#include <stdexcept>

#include "core/hash.h"
#include "core/random.h"
#include "methods/common/model_outputs.h"
#include "methods/lazystack/binary_io.h"

namespace lazystack {
namespace lazy {
namespace {
constexpr char kSubTag[9] = "LZSSUBST";
constexpr uint32_t kSubVersion = 3;  // 2: per-node mean fallback flags; 3: SUB input by set

uint64_t derived_seed(uint64_t seed, uint64_t stream) {
  return Hasher().update(seed).update(stream).digest();
}

std::vector<int> models_of(uint64_t set) {
  std::vector<int> models;
  for (int m = 0; m < 64; ++m)
    if ((set >> m) & 1u) models.push_back(m);
  return models;
}

/// SUB's MLP for one executed set, with the mean-fallback check on its held-out rows.
SubstackerPool::Trained train_set_substacker(const LogitTable& val_fit, uint64_t set,
                                             const SubstackerTrainOptions& options) {
  const std::vector<int> models = models_of(set);
  const int n_classes = val_fit.num_classes();
  const std::vector<float> features = concat_probs(val_fit, models);
  MlpTrainData data;
  data.features = features.data();
  data.labels = val_fit.labels().data();
  data.num_rows = val_fit.num_samples();
  data.input_dim = static_cast<int>(models.size()) * n_classes;
  data.num_classes = n_classes;
  MlpTrainOptions o = options.mlp;
  o.seed = derived_seed(options.mlp.seed, set);
  MlpTrainResult result = train_mlp(data, o);
  SubstackerPool::Trained t;
  t.training = result.to_json();
  t.training["set"] = models;
  if (options.mean_fallback && !result.holdout_indices.empty()) {
    // The set's mean on the same held-out rows: no training, so an unbiased comparison up to
    // the MLP's own early stopping on these rows (which favours the MLP).
    double loss = 0.0;
    const int depth = static_cast<int>(models.size());
    for (int n : result.holdout_indices) {
      double p = 0.0;
      for (int d = 0; d < depth; ++d)
        p += features[(static_cast<size_t>(n) * depth + d) * n_classes + val_fit.labels()[n]];
      loss -= std::log(std::max(p / depth, 1e-12));
    }
    loss /= static_cast<double>(result.holdout_indices.size());
    t.use_mean = loss <= result.holdout_loss ? 1 : 0;
    t.training["mean_holdout_loss"] = loss;
    t.training["answers_with_mean"] = t.use_mean == 1;
  }
  t.weights = std::move(result.weights);
  return t;
}
}  // namespace

std::vector<uint64_t> trie_sets(const PrefixTrie& trie) {
  std::vector<uint64_t> sets;
  for (size_t id = 1; id < trie.num_nodes(); ++id)
    sets.push_back(trie.node(static_cast<int>(id)).set());
  std::sort(sets.begin(), sets.end());
  sets.erase(std::unique(sets.begin(), sets.end()), sets.end());
  return sets;
}

AggregatorKind parse_aggregator(const std::string& name) {
  if (name == "sub") return AggregatorKind::kSub;
  if (name == "mask") return AggregatorKind::kMask;
  if (name == "last") return AggregatorKind::kLast;
  throw std::invalid_argument("LazyStack: aggregator '" + name + "' is not one of sub, mask, last");
}

const char* to_string(AggregatorKind kind) {
  switch (kind) {
    case AggregatorKind::kSub:
      return "sub";
    case AggregatorKind::kMask:
      return "mask";
    case AggregatorKind::kLast:
      return "last";
  }
  return "?";
}

int64_t Substackers::num_parameters() const {
  int64_t total = 0;
  for (const MlpWeights& w : weights)
    if (!w.empty()) total += w.num_parameters();
  return total;
}

void Substackers::write(std::ostream& out) const {
  ByteWriter w;
  w.u8(static_cast<uint8_t>(kind));
  w.u32(static_cast<uint32_t>(num_models));
  w.u32(static_cast<uint32_t>(num_classes));
  w.u32(static_cast<uint32_t>(weights.size()));
  for (const MlpWeights& mlp : weights) {
    if (mlp.empty()) {
      w.str("");
      continue;
    }
    std::ostringstream blob;
    mlp.write_binary(blob);
    w.str(blob.str());
  }
  w.u32(static_cast<uint32_t>(use_mean.size()));
  for (uint8_t u : use_mean) w.u8(u);
  write_section(out, kSubTag, kSubVersion, w.bytes());
}

Substackers Substackers::read(std::istream& in) {
  ByteReader r(read_section(in, kSubTag, kSubVersion), "LazyStack substackers");
  Substackers s;
  const uint8_t kind = r.u8();
  if (kind > static_cast<uint8_t>(AggregatorKind::kLast))
    r.fail(fmt::format("unknown aggregator kind {}", kind));
  s.kind = static_cast<AggregatorKind>(kind);
  s.num_models = static_cast<int>(r.u32());
  s.num_classes = static_cast<int>(r.u32());
  const uint32_t n = r.u32();
  for (uint32_t i = 0; i < n; ++i) {
    const std::string blob = r.str();
    if (blob.empty()) {
      s.weights.emplace_back();
      continue;
    }
    std::istringstream is(blob);
    s.weights.push_back(MlpWeights::read_binary(is));
  }
  const uint32_t flags = r.u32();
  if (flags != 0 && flags != n) r.fail(fmt::format("{} mean flags for {} substackers", flags, n));
  for (uint32_t i = 0; i < flags; ++i) s.use_mean.push_back(r.u8());
  r.expect_end();
  return s;
}

Substackers train_substackers(const LogitTable& val_fit, const PrefixTrie& trie,
                              AggregatorKind kind, const SubstackerTrainOptions& options,
                              SubstackerPool* pool) {
  if (kind == AggregatorKind::kMask) return train_mask_stacker(val_fit, trie_sets(trie), options);
  Substackers subs;
  subs.kind = kind;
  subs.num_models = val_fit.num_models();
  subs.num_classes = val_fit.num_classes();
  if (kind == AggregatorKind::kLast) return subs;
  SubstackerPool local;
  SubstackerPool& trained = pool ? *pool : local;
  subs.weights.resize(trie.num_nodes());
  subs.training.resize(trie.num_nodes());
  subs.use_mean.assign(trie.num_nodes(), 0);
  for (size_t id = 1; id < trie.num_nodes(); ++id) {
    const uint64_t set = trie.node(static_cast<int>(id)).set();
    auto found = trained.by_set.find(set);
    const bool reused = found != trained.by_set.end();
    if (!reused)
      found = trained.by_set.emplace(set, train_set_substacker(val_fit, set, options)).first;
    subs.weights[id] = found->second.weights;
    subs.use_mean[id] = found->second.use_mean;
    subs.training[id] = found->second.training;
    subs.training[id]["node"] = id;
    subs.training[id]["reused"] = reused;
  }
  if (!options.mean_fallback) subs.use_mean.clear();
  return subs;
}

Substackers train_mask_stacker(const LogitTable& val_fit, std::vector<uint64_t> sets,
                               const SubstackerTrainOptions& options) {
  Substackers subs;
  subs.kind = AggregatorKind::kMask;
  subs.num_models = val_fit.num_models();
  subs.num_classes = val_fit.num_classes();
  const int n_samples = val_fit.num_samples();
  const int n_classes = val_fit.num_classes();
  const int n_models = val_fit.num_models();
  std::sort(sets.begin(), sets.end());
  sets.erase(std::unique(sets.begin(), sets.end()), sets.end());
  sets.erase(std::remove(sets.begin(), sets.end(), uint64_t{0}), sets.end());
  // One row per (sample, executed set), capped by a seeded uniform subset.
  const int64_t n_sets = static_cast<int64_t>(sets.size());
  if (n_sets == 0) throw std::invalid_argument("LazyStack MASK: no executed set to train on");
  std::vector<int64_t> rows(static_cast<size_t>(n_samples * n_sets));
  std::iota(rows.begin(), rows.end(), 0);
  if (static_cast<int64_t>(rows.size()) > options.mask_max_rows) {
    std::mt19937_64 rng(derived_seed(options.mlp.seed, 0xa5a5));
    seeded_shuffle(rows, rng);  // portable: the subset is a split of the training rows
    rows.resize(static_cast<size_t>(options.mask_max_rows));
    std::sort(rows.begin(), rows.end());
  }
  const int width = n_models * n_classes + n_models;
  std::vector<float> features(rows.size() * width);
  std::vector<int32_t> labels(rows.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const int n = static_cast<int>(rows[i] / n_sets);
    const uint64_t executed = sets[static_cast<size_t>(rows[i] % n_sets)];
    mask_features(
        executed, n_models, n_classes, [&](int m) { return val_fit.probs(m, n).data; },
        features.data() + i * width);
    labels[i] = val_fit.labels()[n];
  }
  MlpTrainData data;
  data.features = features.data();
  data.labels = labels.data();
  data.num_rows = static_cast<int>(rows.size());
  data.input_dim = width;
  data.num_classes = n_classes;
  MlpTrainOptions o = options.mlp;
  o.seed = derived_seed(options.mlp.seed, 0);
  MlpTrainResult result = train_mlp(data, o);
  subs.training.push_back(result.to_json());
  subs.training.back()["rows"] = rows.size();
  subs.training.back()["sets"] = sets.size();
  subs.weights.push_back(std::move(result.weights));
  return subs;
}

Aggregator::Aggregator(const Substackers& subs, const PrefixTrie& trie)
    : kind_(subs.kind), num_models_(subs.num_models), num_classes_(subs.num_classes) {
  const int c = num_classes_;
  last_.assign(c, 0.0f);
  output_.assign(c, 0.0f);
  auto check_shape = [&](const MlpWeights& w, int input_dim, const std::string& what) {
    if (w.input_dim() != input_dim || w.output_dim() != c)
      throw std::runtime_error(
          fmt::format("LazyStack: {} has shape {} but needs input {} and output {}", what,
                      w.architecture(), input_dim, c));
  };
  if (kind_ == AggregatorKind::kSub) {
    if (subs.weights.size() != trie.num_nodes())
      throw std::runtime_error(fmt::format("LazyStack SUB: {} substackers for a trie of {} nodes",
                                           subs.weights.size(), trie.num_nodes()));
    kernels_.resize(trie.num_nodes());
    for (size_t id = 1; id < trie.num_nodes(); ++id) {
      check_shape(subs.weights[id], trie.node(static_cast<int>(id)).depth() * c,
                  fmt::format("substacker {}", id));
      kernels_[id] = MlpKernel(subs.weights[id]);
    }
    use_mean_ = subs.use_mean;
    use_mean_.resize(trie.num_nodes(), 0);
    slots_.assign(static_cast<size_t>(num_models_) * c, 0.0f);
    input_.assign(static_cast<size_t>(num_models_) * c, 0.0f);
  } else if (kind_ == AggregatorKind::kMask) {
    if (subs.weights.size() != 1)
      throw std::runtime_error(
          fmt::format("LazyStack MASK: {} models stored, expected 1", subs.weights.size()));
    check_shape(subs.weights[0], num_models_ * c + num_models_, "the MASK stacker");
    kernels_.emplace_back(subs.weights[0]);
    input_.assign(static_cast<size_t>(num_models_) * c + num_models_, 0.0f);
  }
}

void Aggregator::reset() {
  node_ = 0;
  depth_ = 0;
  executed_ = 0;
  if (kind_ == AggregatorKind::kMask) std::fill(input_.begin(), input_.end(), 0.0f);
}

void Aggregator::add(int model, const float* probs, int node) {
  const int c = num_classes_;
  node_ = node;
  switch (kind_) {
    case AggregatorKind::kSub:
      std::copy(probs, probs + c, slots_.begin() + static_cast<size_t>(model) * c);
      executed_ |= 1ull << model;
      break;
    case AggregatorKind::kMask:
      std::copy(probs, probs + c, input_.begin() + static_cast<size_t>(model) * c);
      input_[static_cast<size_t>(num_models_) * c + model] = 1.0f;
      break;
    case AggregatorKind::kLast:
      std::copy(probs, probs + c, last_.begin());
      break;
  }
  ++depth_;
}

const float* Aggregator::probs() {
  switch (kind_) {
    case AggregatorKind::kSub: {
      // The executed set's probabilities in ascending model order: the node's MLP input.
      const int c = num_classes_;
      size_t at = 0;
      for (int m = 0; m < num_models_; ++m) {
        if (!((executed_ >> m) & 1u)) continue;
        const float* slot = slots_.data() + static_cast<size_t>(m) * c;
        std::copy(slot, slot + c, input_.begin() + at);
        at += c;
      }
      if (use_mean_[node_]) {
        std::fill(output_.begin(), output_.end(), 0.0f);
        for (int d = 0; d < depth_; ++d)
          for (int k = 0; k < c; ++k) output_[k] += input_[static_cast<size_t>(d) * c + k];
        const float inv = 1.0f / static_cast<float>(depth_);
        for (int k = 0; k < c; ++k) output_[k] *= inv;
        return output_.data();
      }
      kernels_[node_].forward(input_.data(), output_.data());
      return output_.data();
    }
    case AggregatorKind::kMask:
      kernels_[0].forward(input_.data(), output_.data());
      return output_.data();
    case AggregatorKind::kLast:
      break;
  }
  return last_.data();
}

}  // namespace lazy
}  // namespace lazystack
