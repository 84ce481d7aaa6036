#include "methods/lazystack/lazystack_method.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>

#include "core/log.h"
#include "methods/common/method_kit.h"
#include "methods/common/model_outputs.h"
#include "methods/lazystack/state.h"

namespace lazystack {
namespace lazy {
namespace {
/// A theta above every probability: exit only on the policy's STOP or at a leaf.
constexpr double kNoConfidenceExit = 1.01;
/// Largest sweep cache of one artifact. At 1000 classes and 25k samples a 70-node trie would
/// need 7 GB; the ImageNet-scale run was OOM-killed with three betas' caches alive at once.
constexpr size_t kSweepCacheBytes = size_t{2} << 30;

/// The tries name the same prefixes under the same node ids: the substackers trained for one
/// (which depend on nothing else of the trie) are exactly those the other would train.
bool same_prefixes(const PrefixTrie& a, const PrefixTrie& b) {
  if (a.num_nodes() != b.num_nodes()) return false;
  for (size_t id = 0; id < a.num_nodes(); ++id)
    if (a.node(static_cast<int>(id)).prefix != b.node(static_cast<int>(id)).prefix) return false;
  return true;
}
}  // namespace

LazyStackMethod::LazyStackMethod(const Options& options)
    : discovery_options_(discovery_options_from(options)),
      betas_(options.get_doubles("betas")),
      aggregator_kind_(parse_aggregator(options.get_string("aggregator"))),
      order_(parse_order(options.get_string("order"))),
      walk_(parse_walk(options.get_string("walk"))),
      options_(options),
      given_thetas_(options.get_doubles("thetas")),
      theta_steps_(static_cast<int>(options.get_int("theta_steps"))),
      theta_quantiles_(static_cast<int>(options.get_int("theta_quantiles"))),
      mask_max_rows_(options.get_int("mask_max_rows")) {
  mlp_train_options(options_, 0);  // reads every training option now: a missing one throws here
  for (double b : betas_)
    if (!(b > 0.0) || !std::isfinite(b))
      throw std::invalid_argument(
          fmt::format("LazyStack: betas must be finite and > 0, got {}", b));
}

std::vector<double> LazyStackMethod::fit_betas() const {
  if (order_ == ExecutionOrder::kCost) return {0.0};  // no MDP: beta plays no part
  std::vector<double> betas =
      betas_.empty() ? std::vector<double>{discovery_options_.mdp.beta} : betas_;
  std::sort(betas.begin(), betas.end());
  betas.erase(std::unique(betas.begin(), betas.end(), same_beta), betas.end());
  return betas;
}

LazyStackArtifact LazyStackMethod::fit_one(const LogitTable& val_fit, const LogitTable* val_cal,
                                           uint64_t seed, double beta, FitRecord* record) const {
  LazyStackArtifact a;
  a.model_names = val_fit.model_names();
  a.num_classes = val_fit.num_classes();
  a.order = order_;
  a.beta = beta;
  a.walk = walk_;
  if (order_ == ExecutionOrder::kMdp) {
    DiscoveryOptions options = discovery_options_;
    options.mdp.beta = beta;
    options.mdp.fold_seed = seed;
    const Discovery d = discover_trajectories(val_fit, options, val_cal);
    record->discovery = d.to_json(val_fit.model_names());
    a.policy = d.plan.policy;
    if (d.trajectories.num_kept > 0) {
      a.trie = d.plan.trie;
    } else {
      // No trajectory reaches min_share: keep the most common one so there is a path at all.
      a.trie =
          PrefixTrie::build({d.trajectories.trajectories.front()}, d.trajectories.trajectories);
      a.notes.push_back(
          fmt::format("no trajectory reached min_share {}; kept the most common one (share {:.4f})",
                      options.min_share, d.trajectories.trajectories.front().share));
    }
  } else {
    Trajectory chain;
    chain.models = ascending_cost_order(val_fit);
    chain.count = static_cast<uint32_t>(val_fit.num_samples());
    chain.share = 1.0;
    a.trie = PrefixTrie::build({chain}, {chain});
  }
  return a;
}

void LazyStackMethod::train_aggregators(const LogitTable& val_fit, uint64_t seed) {
  SubstackerTrainOptions train;
  train.mlp = mlp_train_options(options_, seed);
  train.mask_max_rows = mask_max_rows_;
  train.mean_fallback = options_.get_bool("mean_fallback");
  shared_substacker_seconds_ = 0.0;
  if (aggregator_kind_ == AggregatorKind::kMask) {
    // One MASK model over every beta's executed sets: it answers for any mask, so each beta's
    // policy uses the same weights.
    const auto start = std::chrono::steady_clock::now();
    std::vector<uint64_t> sets;
    for (const LazyStackArtifact& a : bundle_.artifacts)
      for (uint64_t s : trie_sets(a.trie)) sets.push_back(s);
    const Substackers mask = train_mask_stacker(val_fit, sets, train);
    for (LazyStackArtifact& a : bundle_.artifacts) a.substackers = mask;
    shared_substacker_seconds_ = seconds_since(start);
    return;
  }
  // SUB: one MLP per executed set, trained once for every node and beta that reaches the set.
  SubstackerPool pool;
  for (size_t i = 0; i < bundle_.artifacts.size(); ++i) {
    const auto start = std::chrono::steady_clock::now();
    LazyStackArtifact& a = bundle_.artifacts[i];
    a.substackers = train_substackers(val_fit, a.trie, aggregator_kind_, train, &pool);
    records_[i].fit_seconds += seconds_since(start);
  }
}

// Fewer val_fit samples per class than this leave substackers (and the MDP's counts) with
// next to nothing to learn from; with the default 10% early-stopping slice, 5 per class keeps
// at least one held-out sample every two classes.
constexpr int kMinSamplesPerClass = 5;

void LazyStackMethod::fit(const FitContext& ctx) {
  const LogitTable& val_fit = ctx.val_fit;
  require_models(val_fit, "lazystack");
  // Clear failures instead of a degenerate fit: the run records the method as failed and the
  // other methods go on.
  if (val_fit.num_models() < 2)
    throw std::runtime_error(fmt::format(
        "lazystack: needs a zoo of at least 2 models to order and stack; this one has {}",
        val_fit.num_models()));
  const int min_samples = std::max(kMinSamplesPerClass * val_fit.num_classes(), 20);
  if (val_fit.num_samples() < min_samples)
    throw std::runtime_error(
        fmt::format("lazystack: val_fit has {} samples, too few to discover trajectories and train "
                    "substackers (at least {}: {} per class); use a larger val split",
                    val_fit.num_samples(), min_samples, kMinSamplesPerClass));
  bundle_ = LazyStackBundle{};
  records_.clear();
  aggregators_.clear();
  notes_.clear();
  if (order_ == ExecutionOrder::kCost && !betas_.empty())
    notes_.push_back("betas ignored: the cost order has no MDP");
  for (double beta : fit_betas()) {
    const auto start = std::chrono::steady_clock::now();
    FitRecord record;
    bundle_.artifacts.push_back(fit_one(val_fit, &ctx.val_cal, ctx.seed, beta, &record));
    record.fit_seconds = seconds_since(start);
    records_.push_back(std::move(record));
  }
  train_aggregators(val_fit, ctx.seed);
  for (size_t i = 0; i < bundle_.artifacts.size(); ++i) {
    const auto start = std::chrono::steady_clock::now();
    LazyStackArtifact& a = bundle_.artifacts[i];
    FitRecord& record = records_[i];
    // Tries with the same prefixes have the same substackers, hence the same automatic grid.
    for (size_t j = 0; j < i && record.substackers_from < 0; ++j)
      if (same_prefixes(bundle_.artifacts[j].trie, a.trie))
        record.substackers_from = static_cast<int>(j);
    Aggregator aggregator(a.substackers, a.trie);
    if (!given_thetas_.empty()) {
      a.thetas = given_thetas_;
    } else if (record.substackers_from >= 0) {
      a.thetas = bundle_.artifacts[record.substackers_from].thetas;
    } else {
      a.thetas = automatic_thetas(val_fit, a, aggregator);
    }
    std::sort(a.thetas.begin(), a.thetas.end());
    a.thetas.erase(std::unique(a.thetas.begin(), a.thetas.end()), a.thetas.end());
    record.fit_seconds += seconds_since(start);
    log_debug("[lazystack] beta {:g}: fitted in {:.3f} s ({} trie nodes{})", a.beta,
              record.fit_seconds, a.trie.num_nodes(),
              record.substackers_from >= 0 ? ", same prefixes as an earlier beta" : "");
  }
  prepare();
}

void LazyStackMethod::load(LazyStackArtifact artifact) {
  LazyStackBundle bundle;
  bundle.artifacts.push_back(std::move(artifact));
  load(std::move(bundle));
}

void LazyStackMethod::load(LazyStackBundle bundle) {
  if (bundle.artifacts.empty()) throw std::runtime_error("LazyStack: the bundle is empty");
  for (const LazyStackArtifact& a : bundle.artifacts)
    if (a.thetas.empty()) throw std::runtime_error("LazyStack artifact has no theta grid");
  bundle_ = std::move(bundle);
  aggregator_kind_ = bundle_.artifacts.front().substackers.kind;
  order_ = bundle_.artifacts.front().order;
  records_.assign(bundle_.artifacts.size(), FitRecord{});
  notes_.clear();
  prepare();
}

void LazyStackMethod::prepare() {
  aggregators_.clear();
  lattices_.clear();
  for (const LazyStackArtifact& a : bundle_.artifacts) {
    if (a.trie.num_nodes() == 0 || a.trie.node(PrefixTrie::kRoot).is_leaf())
      throw std::runtime_error("LazyStack: the trie has no trajectory to follow");
    aggregators_.emplace_back(a.substackers, a.trie);
    lattices_.emplace_back(a.trie);
  }
  // Until a knob says otherwise: the largest beta, never exiting on confidence.
  selected_ = bundle_.artifacts.size() - 1;
  theta_ = bundle_.artifacts.back().thetas.back();
  knob_offset_.clear();
  size_t offset = 0;
  for (const LazyStackArtifact& a : bundle_.artifacts) {
    knob_offset_.push_back(offset);
    offset += a.thetas.size();
  }
  knob_index_ = offset - 1;
  num_knobs_ = offset;
  decision_sources_.clear();
  sweep_ordinal_ = -1;
  const LazyStackArtifact& any = bundle_.artifacts.front();
  run_probs_.assign(any.model_names.size() * static_cast<size_t>(any.num_classes), 0.0f);
  state_sum_.assign(any.num_classes, 0.0f);
}

std::vector<double> LazyStackMethod::automatic_thetas(const LogitTable& val_fit,
                                                      const LazyStackArtifact& a,
                                                      Aggregator& aggregator) const {
  std::vector<double> thetas;
  for (int i = 0; i <= theta_steps_; ++i) thetas.push_back(static_cast<double>(i) / theta_steps_);
  if (theta_quantiles_ > 0) {
    // The aggregate's confidence at every (sample, prefix) pair the trie holds.
    std::vector<float> confidences;
    const int c = val_fit.num_classes();
    for (int n = 0; n < val_fit.num_samples(); ++n) {
      for (size_t id = 1; id < a.trie.num_nodes(); ++id) {
        const TrieNode& node = a.trie.node(static_cast<int>(id));
        aggregator.reset();
        int walk = PrefixTrie::kRoot;
        for (int m : node.prefix) {
          walk = a.trie.node(walk).child(m);
          aggregator.add(m, val_fit.probs(m, n).data, walk);
        }
        const float* p = aggregator.probs();
        confidences.push_back(p[argmax(p, c)]);
      }
    }
    std::sort(confidences.begin(), confidences.end());
    for (int q = 1; q <= theta_quantiles_; ++q) {
      const size_t i = std::min(confidences.size() - 1,
                                static_cast<size_t>(static_cast<double>(q) /
                                                    (theta_quantiles_ + 1) * confidences.size()));
      thetas.push_back(static_cast<double>(confidences[i]));
    }
  }
  thetas.push_back(kNoConfidenceExit);
  return thetas;
}

std::vector<Knob> LazyStackMethod::grid() const {
  std::vector<Knob> knobs;
  for (const LazyStackArtifact& a : bundle_.artifacts) {
    for (double t : a.thetas) {
      Knob k;
      if (a.order == ExecutionOrder::kMdp) k.set("beta", a.beta);
      knobs.push_back(k.set("theta", t));
    }
  }
  return knobs;
}

void LazyStackMethod::set_knob(const Knob& knob) {
  if (bundle_.artifacts.empty()) throw std::logic_error("LazyStack: set_knob before fit or load");
  size_t pick = bundle_.artifacts.size();
  if (knob.has("beta")) {
    const double beta = knob.get("beta");
    for (size_t i = 0; i < bundle_.artifacts.size(); ++i)
      if (bundle_.artifacts[i].order == ExecutionOrder::kMdp &&
          same_beta(bundle_.artifacts[i].beta, beta))
        pick = i;
    if (pick == bundle_.artifacts.size())
      throw std::invalid_argument(
          fmt::format("LazyStack: no policy was fitted for beta {:g} (fitted betas: {})", beta,
                      artifact().order == ExecutionOrder::kMdp ? betas_text(bundle_.artifacts)
                                                               : "none, order cost"));
  } else if (bundle_.artifacts.size() == 1) {
    pick = 0;
  } else {
    throw std::invalid_argument(
        fmt::format("LazyStack: knob '{}' names no beta, but policies were fitted for betas {}",
                    knob.to_string(), betas_text(bundle_.artifacts)));
  }
  theta_ = knob.get("theta");
  selected_ = pick;
  const std::vector<double>& thetas = bundle_.artifacts[pick].thetas;
  const size_t t = static_cast<size_t>(
      std::lower_bound(thetas.begin(), thetas.end(), theta_ - 1e-12) - thetas.begin());
  knob_index_ = knob_offset_[pick] + std::min(t, thetas.size() - 1);
}

int LazyStackMethod::predict(Meter& meter) {
  const LazyStackArtifact& a = bundle_.artifacts[selected_];
  Aggregator& aggregator = aggregators_[selected_];
  const int c = a.num_classes;
  require_fitted_shape(meter, static_cast<int>(a.model_names.size()), c, "lazystack");
  const PrefixTrie& trie = a.trie;
  aggregator.reset();
  uint64_t executed = 0;
  const SetLattice& lattice = lattices_[selected_];
  const bool by_set = a.walk == OnlineWalk::kSets;
  const int first = a.order == ExecutionOrder::kMdp ? a.policy.decide(0, 0, 0).action : -1;
  TrieStep step = by_set ? lattice.step(0, first) : trie.step(PrefixTrie::kRoot, first);
  SweepCache* cache = nullptr;
  const size_t num_nodes = trie.num_nodes();
  // The cache holds samples x trie nodes x classes floats: at most kSweepCacheBytes, else this
  // artifact's knobs run uncached (same decisions, slower). Only the selected artifact's cache
  // is kept (the grid visits one beta's knobs after another).
  const size_t cache_floats = static_cast<size_t>(std::max(sweep_samples_, 0)) * num_nodes * c;
  if (sweep_samples_ > 0 && selected_ < sweep_cache_.size() && meter.sample() >= 0 &&
      meter.sample() < sweep_samples_ && cache_floats * sizeof(float) <= kSweepCacheBytes) {
    cache = &sweep_cache_[selected_];
    if (cache->filled.empty()) {
      for (size_t i = 0; i < sweep_cache_.size(); ++i)
        if (i != selected_) sweep_cache_[i] = SweepCache{};
      cache->filled.assign(static_cast<size_t>(sweep_samples_) * num_nodes, 0);
      cache->probs.resize(cache_floats);
    }
  }
  const int n_models = static_cast<int>(a.model_names.size());
  // Decision sources are counted within sweeps only (the evaluator's timing passes and single
  // evaluations would count samples twice).
  SourceCounts scratch{};
  SourceCounts* counts_ptr = &scratch;
  if (sweep_samples_ > 0 && sweep_ordinal_ >= 0) {
    if (decision_sources_.size() <= static_cast<size_t>(sweep_ordinal_))
      decision_sources_.resize(sweep_ordinal_ + 1,
                               std::vector<SourceCounts>(num_knobs_, SourceCounts{}));
    counts_ptr = &decision_sources_[sweep_ordinal_][knob_index_];
  }
  SourceCounts& counts = *counts_ptr;
  int depth = 0;
  while (true) {
    const ProbView probs = meter.run(step.model);
    executed |= 1ull << step.model;
    ++depth;
    std::copy(probs.data, probs.data + c, run_probs_.begin() + static_cast<size_t>(step.model) * c);
    aggregator.add(step.model, probs.data, step.node);
    const float* p;
    if (cache) {
      const size_t slot = static_cast<size_t>(meter.sample()) * num_nodes + step.node;
      float* stored = cache->probs.data() + slot * c;
      if (!cache->filled[slot]) {
        const float* fresh = aggregator.probs();
        std::copy(fresh, fresh + c, stored);
        cache->filled[slot] = 1;
      }
      p = stored;
    } else {
      p = aggregator.probs();
    }
    const int answer = argmax(p, c);
    const bool leaf = by_set ? lattice.is_leaf(executed) : trie.node(step.node).is_leaf();
    if (p[answer] >= theta_ || leaf) return answer;
    int wanted = -1;  // cost order: the trie is a chain, its only child is next
    if (a.order == ExecutionOrder::kMdp) {
      // The policy's state is the MDP's: the mean of the executed models' probabilities, summed
      // in ascending model order (state.h), whatever the aggregator answers with.
      std::fill(state_sum_.begin(), state_sum_.end(), 0.0f);
      for (int m = 0; m < n_models; ++m) {
        if (!((executed >> m) & 1u)) continue;
        const float* q = run_probs_.data() + static_cast<size_t>(m) * c;
        for (int k = 0; k < c; ++k) state_sum_[k] += q[k];
      }
      const BinClass bc = mean_bin_class(state_sum_.data(), depth, c, a.policy.num_bins());
      const PolicyDecision d = a.policy.decide(executed, bc.bin, bc.cls);
      ++counts[static_cast<int>(d.source)];
      wanted = d.action;
      if (wanted == kStop) return answer;
    }
    step = by_set ? lattice.step(executed, wanted) : trie.step(step.node, wanted);
    if (a.order == ExecutionOrder::kMdp && !step.followed) ++counts[4];
  }
}

void LazyStackMethod::begin_sweep(int num_samples) {
  sweep_samples_ = std::max(0, num_samples);
  ++sweep_ordinal_;
  sweep_cache_.assign(bundle_.artifacts.size(), SweepCache{});
}

void LazyStackMethod::end_sweep() {
  sweep_samples_ = 0;
  sweep_cache_.clear();
  sweep_cache_.shrink_to_fit();
}

}  // namespace lazy
}  // namespace lazystack
