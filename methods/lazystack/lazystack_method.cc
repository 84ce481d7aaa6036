#include "methods/lazystack/lazystack_method.h"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/atomic_file.h"
#include "core/log.h"
#include "methods/common/method_kit.h"
#include "methods/common/model_outputs.h"
#include "methods/lazystack/binary_io.h"
#include "methods/lazystack/state.h"

namespace lazystack {
namespace lazy {
namespace {
constexpr char kHeaderTag[9] = "LZSHEADR";
constexpr uint32_t kHeaderVersion = 1;
constexpr char kBundleTag[9] = "LZSBUNDL";
constexpr uint32_t kBundleVersion = 1;
/// A theta above every probability: exit only on the policy's STOP or at a leaf.
constexpr double kNoConfidenceExit = 1.01;

/// Same betas: equal up to rounding (knobs pass through JSON and back).
bool same_beta(double a, double b) { return std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(a)); }

/// The tries name the same prefixes under the same node ids: the substackers trained for one
/// (which depend on nothing else of the trie) are exactly those the other would train.
bool same_prefixes(const PrefixTrie& a, const PrefixTrie& b) {
  if (a.num_nodes() != b.num_nodes()) return false;
  for (size_t id = 0; id < a.num_nodes(); ++id)
    if (a.node(static_cast<int>(id)).prefix != b.node(static_cast<int>(id)).prefix) return false;
  return true;
}

std::string betas_text(const std::vector<LazyStackArtifact>& artifacts) {
  std::string s;
  for (const LazyStackArtifact& a : artifacts)
    s += (s.empty() ? "" : ", ") + fmt::format("{:g}", a.beta);
  return "[" + s + "]";
}

/// Writes through `write` to a temporary file next to `path`, then renames it to `path`.
template <class Write>
void save_atomically(const std::string& path, const Write& write) {
  write_file_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw WriteError("cannot write " + tmp);
    write(out);
    out.close();
    if (!out) throw WriteError("cannot write " + tmp);
  });
}

/// Opens `path` and reads it through `read`; errors name the path.
template <class Read>
auto load_file(const std::string& path, const Read& read) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open LazyStack artifact " + path);
  try {
    return read(in);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

template <class Write>
size_t bytes_written(const Write& write) {
  std::ostringstream out;
  write(out);
  return out.str().size();
}
}  // namespace

ExecutionOrder parse_order(const std::string& name) {
  if (name == "mdp") return ExecutionOrder::kMdp;
  if (name == "cost") return ExecutionOrder::kCost;
  throw std::invalid_argument("LazyStack: order '" + name + "' is not one of mdp, cost");
}

const char* to_string(ExecutionOrder order) {
  return order == ExecutionOrder::kMdp ? "mdp" : "cost";
}

// --- Artifact ---------------------------------------------------------------------------------

void LazyStackArtifact::write(std::ostream& out) const {
  const nlohmann::json header = {{"format", "lazystack-artifact"},
                                 {"model_names", model_names},
                                 {"num_classes", num_classes},
                                 {"order", to_string(order)},
                                 {"beta", beta},
                                 {"aggregator", to_string(substackers.kind)},
                                 {"thetas", thetas},
                                 {"notes", notes}};
  ByteWriter w;
  w.str(header.dump());
  write_section(out, kHeaderTag, kHeaderVersion, w.bytes());
  if (order == ExecutionOrder::kMdp) policy.write(out);
  trie.write(out);
  substackers.write(out);
}

LazyStackArtifact LazyStackArtifact::read(std::istream& in) {
  ByteReader r(read_section(in, kHeaderTag, kHeaderVersion), "LazyStack artifact header");
  const std::string text = r.str();
  r.expect_end();
  LazyStackArtifact a;
  try {
    const nlohmann::json h = nlohmann::json::parse(text);
    a.model_names = h.at("model_names").get<std::vector<std::string>>();
    a.num_classes = h.at("num_classes").get<int>();
    a.order = parse_order(h.at("order").get<std::string>());
    a.beta = h.value("beta", 0.0);  // absent in files written before multi-beta fits
    a.thetas = h.at("thetas").get<std::vector<double>>();
    a.notes = h.at("notes").get<std::vector<std::string>>();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("LazyStack artifact header: ") + e.what());
  }
  if (a.order == ExecutionOrder::kMdp) a.policy = PolicyTable::read(in);
  a.trie = PrefixTrie::read(in);
  a.substackers = Substackers::read(in);
  const int m = static_cast<int>(a.model_names.size());
  if (a.substackers.num_models != m || a.substackers.num_classes != a.num_classes ||
      (a.order == ExecutionOrder::kMdp &&
       (a.policy.num_models() != m || a.policy.num_classes() != a.num_classes)))
    throw std::runtime_error("LazyStack artifact: parts disagree on the number of models/classes");
  return a;
}

void LazyStackArtifact::save(const std::string& path) const {
  save_atomically(path, [&](std::ostream& out) { write(out); });
}

LazyStackArtifact LazyStackArtifact::load(const std::string& path) {
  return load_file(path, [](std::istream& in) { return read(in); });
}

size_t LazyStackArtifact::size_bytes() const {
  return bytes_written([&](std::ostream& out) { write(out); });
}

// --- Bundle -----------------------------------------------------------------------------------

void LazyStackBundle::write(std::ostream& out) const {
  if (artifacts.empty()) throw std::invalid_argument("LazyStack bundle: no artifact to write");
  nlohmann::json betas = nlohmann::json::array();
  for (const LazyStackArtifact& a : artifacts) betas.push_back(a.beta);
  const nlohmann::json header = {
      {"format", "lazystack-bundle"}, {"count", artifacts.size()}, {"betas", betas}};
  ByteWriter w;
  w.str(header.dump());
  write_section(out, kBundleTag, kBundleVersion, w.bytes());
  for (const LazyStackArtifact& a : artifacts) a.write(out);
}

LazyStackBundle LazyStackBundle::read(std::istream& in) {
  // A lone artifact starts with its own header tag: peek at the first 8 bytes.
  const std::istream::pos_type start = in.tellg();
  if (start != std::istream::pos_type(-1)) {
    char tag[8] = {};
    in.read(tag, sizeof tag);
    const bool lone = in.gcount() == sizeof tag && std::equal(tag, tag + 8, kHeaderTag);
    in.clear();
    in.seekg(start);
    if (lone) {
      LazyStackBundle b;
      b.artifacts.push_back(LazyStackArtifact::read(in));
      return b;
    }
  }
  ByteReader r(read_section(in, kBundleTag, kBundleVersion), "LazyStack bundle header");
  const std::string text = r.str();
  r.expect_end();
  size_t count = 0;
  std::vector<double> betas;
  try {
    const nlohmann::json h = nlohmann::json::parse(text);
    count = h.at("count").get<size_t>();
    betas = h.at("betas").get<std::vector<double>>();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("LazyStack bundle header: ") + e.what());
  }
  if (count == 0 || betas.size() != count)
    throw std::runtime_error(
        fmt::format("LazyStack bundle header: {} artifacts but {} betas", count, betas.size()));
  LazyStackBundle b;
  for (size_t i = 0; i < count; ++i) {
    b.artifacts.push_back(LazyStackArtifact::read(in));
    const LazyStackArtifact& a = b.artifacts.back();
    const LazyStackArtifact& first = b.artifacts.front();
    if (!same_beta(a.beta, betas[i]))
      throw std::runtime_error(
          fmt::format("LazyStack bundle: artifact {} has beta {:g}, the header says {:g}", i,
                      a.beta, betas[i]));
    if (a.model_names != first.model_names || a.num_classes != first.num_classes ||
        a.order != first.order || a.substackers.kind != first.substackers.kind)
      throw std::runtime_error(fmt::format(
          "LazyStack bundle: artifact {} disagrees with the first on models, classes, order or "
          "aggregator",
          i));
  }
  return b;
}

void LazyStackBundle::save(const std::string& path) const {
  save_atomically(path, [&](std::ostream& out) { write(out); });
}

LazyStackBundle LazyStackBundle::load(const std::string& path) {
  return load_file(path, [](std::istream& in) { return read(in); });
}

size_t LazyStackBundle::size_bytes() const {
  return bytes_written([&](std::ostream& out) { write(out); });
}

// --- Method -----------------------------------------------------------------------------------

// A 1-2-5 series over three decades (README: "betas"): dense enough that the policy changes
// between neighbours on the fashion-mnist zoo, wide enough to start at its cheapest and at its
// most accurate models.
const std::vector<double> LazyStackMethod::kDefaultBetas = {0.1, 0.2,  0.5,  1.0,  2.0,
                                                            5.0, 10.0, 20.0, 50.0, 100.0};

std::vector<OptionSpec> LazyStackMethod::option_specs(AggregatorKind aggregator,
                                                      ExecutionOrder order) {
  std::vector<OptionSpec> specs = discovery_option_specs();
  specs.push_back(
      opt_doubles("betas", order == ExecutionOrder::kMdp ? kDefaultBetas : std::vector<double>{},
                  "MDP betas to fit, one policy, trie and aggregator each; the grid sweeps "
                  "{beta, theta} over all of them (low beta: cheap policies, high: accurate); "
                  "[] = the single `beta`. Ignored by the cost order, which has no MDP")
          .above(0.0));
  specs.push_back(opt_string("aggregator", to_string(aggregator),
                             "what combines the models run so far: sub (an MLP per trie prefix), "
                             "mask (one MLP over zero-filled slots plus the executed mask), last "
                             "(no substacker: the last model's own output)")
                      .one_of({"sub", "mask", "last"}));
  specs.push_back(opt_string("order", to_string(order),
                             "which models run: mdp (the discovered policy within the trie of "
                             "kept trajectories) or cost (cheapest first, no MDP)")
                      .one_of({"mdp", "cost"}));
  specs.push_back(opt_doubles("thetas", {},
                              "exit thresholds on the aggregate's max probability to sweep; [] = "
                              "automatic (theta_steps uniform steps plus theta_quantiles "
                              "quantiles of val_fit confidences, plus 1.01 = never on confidence)")
                      .range(0.0, 1.0));
  specs.push_back(
      opt_int("theta_steps", 20, "automatic grid: uniform steps over [0, 1]").range(1, 10000));
  specs.push_back(opt_int("theta_quantiles", 20,
                          "automatic grid: quantiles of the aggregate's max probability over "
                          "(val_fit sample, trie prefix) pairs, resolving the crowded top")
                      .range(0, 10000));
  specs.push_back(
      opt_bool("mean_fallback", true,
               "SUB: a trie node whose prefix mean scores a lower cross-entropy than "
               "its substacker on the substacker's held-out rows answers with the mean"));
  specs.push_back(opt_int("mask_max_rows", 400000,
                          "MASK: at most this many (sample, prefix) training rows (a seeded "
                          "uniform subset beyond)")
                      .range(1, 1e9));
  for (OptionSpec& s : mlp_train_option_specs(MlpTrainOptions{})) specs.push_back(std::move(s));
  return specs;
}

std::vector<MethodRegistry::Entry> LazyStackMethod::registry_entries() {
  struct Preset {
    const char* name;
    AggregatorKind aggregator;
    ExecutionOrder order;
    const char* description;
  };
  const Preset presets[] = {
      {"lazystack-sub", AggregatorKind::kSub, ExecutionOrder::kMdp,
       "LazyStack-SUB: MDP-discovered order, one substacker per trie prefix, early exit on theta"},
      {"lazystack-mask", AggregatorKind::kMask, ExecutionOrder::kMdp,
       "LazyStack-MASK: MDP-discovered order, one masked stacker, early exit on theta"},
      {"lazystack-no-mdp", AggregatorKind::kSub, ExecutionOrder::kCost,
       "LazyStack ablation: cost order instead of the MDP (aggregator option: sub or mask)"},
      {"lazystack-no-sub", AggregatorKind::kLast, ExecutionOrder::kMdp,
       "LazyStack ablation: single-model confidence instead of substackers"},
      {"lazystack-neither", AggregatorKind::kLast, ExecutionOrder::kCost,
       "LazyStack ablation: neither MDP nor substackers (a max-prob cost cascade)"},
  };
  std::vector<MethodRegistry::Entry> entries;
  for (const Preset& p : presets)
    entries.push_back(method_entry<LazyStackMethod>(
        p.name, p.description, MethodCard::swept("5").exits_early().is_proposed(),
        option_specs(p.aggregator, p.order)));
  return entries;
}

LazyStackMethod::LazyStackMethod(const Options& options)
    : discovery_options_(discovery_options_from(options)),
      betas_(options.get_doubles("betas")),
      aggregator_kind_(parse_aggregator(options.get_string("aggregator"))),
      order_(parse_order(options.get_string("order"))),
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
  // Substackers depend on the trie's prefixes only: reuse an earlier beta's when they match.
  for (size_t i = 0; i < bundle_.artifacts.size(); ++i) {
    if (same_prefixes(bundle_.artifacts[i].trie, a.trie)) {
      a.substackers = bundle_.artifacts[i].substackers;
      record->substackers_from = static_cast<int>(i);
      return a;
    }
  }
  SubstackerTrainOptions train;
  train.mlp = mlp_train_options(options_, seed);
  train.mask_max_rows = mask_max_rows_;
  train.mean_fallback = options_.get_bool("mean_fallback");
  a.substackers = train_substackers(val_fit, a.trie, aggregator_kind_, train);
  return a;
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
    LazyStackArtifact a = fit_one(val_fit, &ctx.val_cal, ctx.seed, beta, &record);
    Aggregator aggregator(a.substackers, a.trie);
    if (!given_thetas_.empty()) {
      a.thetas = given_thetas_;
    } else if (record.substackers_from >= 0) {
      a.thetas = bundle_.artifacts[record.substackers_from].thetas;  // same prefixes, same weights
    } else {
      a.thetas = automatic_thetas(val_fit, a, aggregator);
    }
    std::sort(a.thetas.begin(), a.thetas.end());
    a.thetas.erase(std::unique(a.thetas.begin(), a.thetas.end()), a.thetas.end());
    record.fit_seconds = seconds_since(start);
    log_debug("[lazystack] beta {:g}: fitted in {:.3f} s ({} trie nodes{})", beta,
              record.fit_seconds, a.trie.num_nodes(),
              record.substackers_from >= 0 ? ", substackers shared" : "");
    bundle_.artifacts.push_back(std::move(a));
    records_.push_back(std::move(record));
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
  for (const LazyStackArtifact& a : bundle_.artifacts) {
    if (a.trie.num_nodes() == 0 || a.trie.node(PrefixTrie::kRoot).is_leaf())
      throw std::runtime_error("LazyStack: the trie has no trajectory to follow");
    aggregators_.emplace_back(a.substackers, a.trie);
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
  const int first = a.order == ExecutionOrder::kMdp ? a.policy.decide(0, 0, 0).action : -1;
  TrieStep step = trie.step(PrefixTrie::kRoot, first);
  SweepCache* cache = nullptr;
  const size_t num_nodes = trie.num_nodes();
  if (sweep_samples_ > 0 && selected_ < sweep_cache_.size() && meter.sample() >= 0 &&
      meter.sample() < sweep_samples_) {
    cache = &sweep_cache_[selected_];
    if (cache->filled.empty()) {
      cache->filled.assign(static_cast<size_t>(sweep_samples_) * num_nodes, 0);
      cache->probs.resize(cache->filled.size() * c);
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
    if (p[answer] >= theta_ || trie.node(step.node).is_leaf()) return answer;
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
    step = trie.step(step.node, wanted);
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

nlohmann::json LazyStackMethod::diagnostics() const {
  nlohmann::json j;
  j["aggregator"] = to_string(aggregator_kind_);
  j["order"] = to_string(order_);
  j["notes"] = notes_;
  if (bundle_.artifacts.empty()) return j;
  const LazyStackArtifact& selected = artifact();
  const bool mdp = selected.order == ExecutionOrder::kMdp;
  const std::vector<std::string>& names = selected.model_names;
  j["models"] = names;
  j["betas"] = nlohmann::json::array();
  j["selected"] = {{"beta", mdp ? nlohmann::json(selected.beta) : nlohmann::json(nullptr)},
                   {"theta", theta_}};
  nlohmann::json per_beta = nlohmann::json::array();
  nlohmann::json bytes = nlohmann::json::array(), seconds = nlohmann::json::array(),
                 starts = nlohmann::json::array();
  double total_seconds = 0.0;
  size_t num_knobs = 0;
  for (size_t i = 0; i < bundle_.artifacts.size(); ++i) {
    const LazyStackArtifact& a = bundle_.artifacts[i];
    const FitRecord& r = records_[i];
    nlohmann::json d;
    d["beta"] = mdp ? nlohmann::json(a.beta) : nlohmann::json(nullptr);
    const int start =
        mdp ? a.policy.decide(0, 0, 0).action : a.trie.step(PrefixTrie::kRoot, -1).model;
    d["start_model"] = start >= 0 && start < static_cast<int>(names.size()) ? names[start] : "";
    d["fit_seconds"] = r.fit_seconds;
    if (!r.discovery.is_null()) d["discovery"] = r.discovery;
    d["trie"] = a.trie.to_json(names);
    d["num_substackers"] = a.substackers.kind == AggregatorKind::kSub    ? a.trie.num_prefixes()
                           : a.substackers.kind == AggregatorKind::kMask ? 1
                                                                         : 0;
    d["substacker_parameters"] = a.substackers.num_parameters();
    d["nodes_answering_with_mean"] =
        std::count(a.substackers.use_mean.begin(), a.substackers.use_mean.end(), 1);
    d["substacker_training"] = a.substackers.training;
    if (r.substackers_from >= 0)
      d["substackers_shared_with_beta"] = bundle_.artifacts[r.substackers_from].beta;
    d["artifact_bytes"] = a.size_bytes();
    d["num_thetas"] = a.thetas.size();
    d["notes"] = a.notes;
    if (mdp) j["betas"].push_back(a.beta);
    bytes.push_back(d["artifact_bytes"]);
    seconds.push_back(r.fit_seconds);
    starts.push_back(d["start_model"]);
    total_seconds += r.fit_seconds;
    num_knobs += a.thetas.size();
    per_beta.push_back(std::move(d));
  }
  j["num_knobs"] = num_knobs;
  // Per beta: what the MDP promises (accuracy at STOP, cost; cross-fitted, and in-sample
  // beside it) vs what its policy achieves on val_cal with the same (mean) aggregate and no
  // confidence exit.
  nlohmann::json promise = nlohmann::json::array();
  for (size_t i = 0; i < records_.size(); ++i) {
    const nlohmann::json& d = records_[i].discovery;
    if (d.is_null() || !d.contains("val_cal_rollout")) continue;
    const nlohmann::json& v = d["val_cal_rollout"];
    nlohmann::json row = {{"beta", bundle_.artifacts[i].beta},
                          {"promised_accuracy", v["promised_accuracy"]},
                          {"promised_mean_cost", v["promised_mean_cost"]},
                          {"promise_kind", v["promise_kind"]},
                          {"in_sample_promised_accuracy", v["in_sample_promised_accuracy"]},
                          {"val_cal_accuracy", v["accuracy"]},
                          {"val_cal_mean_cost", v["mean_cost"]},
                          {"gap", v["gap"]},
                          {"val_fit_cross_fitted_accuracy", d["val_fit_rollout"]["accuracy"]},
                          {"val_fit_promised_accuracy", d["val_fit_rollout"]["promised_accuracy"]}};
    if (i == selected_) j["selected"]["mdp_promise"] = row;
    promise.push_back(std::move(row));
  }
  if (!promise.empty()) j["mdp_promise_vs_val_cal"] = std::move(promise);
  // Online decisions by source, per sweep (pipeline order: val_cal, then test): at the selected
  // knob and over every knob swept.
  if (mdp) {
    const char* sweep_names[2] = {"val_cal", "test"};
    nlohmann::json sources;
    for (size_t w = 0; w < decision_sources_.size(); ++w) {
      auto shares = [](const SourceCounts& c) {
        const int64_t total = c[0] + c[1] + c[2] + c[3];
        auto share = [&](int64_t x) { return total ? static_cast<double>(x) / total : 0.0; };
        return nlohmann::json{{"decisions", total},
                              {"solved", share(c[0])},
                              {"backed_off", share(c[1] + c[2])},
                              {"backed_off_state", share(c[1])},
                              {"bin_level", share(c[2])},
                              {"fell_back", share(c[3] + c[4])},
                              {"unseen_set", share(c[3])},
                              {"trie_detour", share(c[4])}};
      };
      SourceCounts all{};
      for (const SourceCounts& c : decision_sources_[w])
        for (int i = 0; i < kSourceKinds; ++i) all[i] += c[i];
      const std::string name = w < 2 ? sweep_names[w] : fmt::format("sweep{}", w);
      sources[name] = {{"selected_knob", shares(decision_sources_[w][knob_index_])},
                       {"all_knobs", shares(all)}};
    }
    j["decision_sources"] = std::move(sources);
  }
  j["artifact_bytes"] = bundle_.size_bytes();  // the one file holding every beta's artifact
  j["artifact_bytes_per_beta"] = bytes;
  j["fit_seconds_per_beta"] = seconds;
  j["fit_seconds_total"] = total_seconds;
  j["start_model_per_beta"] = starts;
  j["per_beta"] = std::move(per_beta);
  return j;
}

}  // namespace lazy
}  // namespace lazystack
