#include "methods/lazystack/lazystack_method.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "methods/common/method_kit.h"
#include "methods/common/model_outputs.h"
#include "methods/lazystack/binary_io.h"
#include "methods/lazystack/state.h"

namespace lazystack {
namespace lazy {
namespace {
constexpr char kHeaderTag[9] = "LZSHEADR";
constexpr uint32_t kHeaderVersion = 1;
/// A theta above every probability: exit only on the policy's STOP or at a leaf.
constexpr double kNoConfidenceExit = 1.01;
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
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + tmp);
    write(out);
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot rename " + tmp + " to " + path);
}

LazyStackArtifact LazyStackArtifact::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open LazyStack artifact " + path);
  try {
    return read(in);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

size_t LazyStackArtifact::size_bytes() const {
  std::ostringstream out;
  write(out);
  return out.str().size();
}

// --- Method -----------------------------------------------------------------------------------

std::vector<OptionSpec> LazyStackMethod::option_specs(AggregatorKind aggregator,
                                                      ExecutionOrder order) {
  std::vector<OptionSpec> specs = discovery_option_specs();
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
                      .range(0.0, 2.0));
  specs.push_back(
      opt_int("theta_steps", 20, "automatic grid: uniform steps over [0, 1]").range(1, 10000));
  specs.push_back(opt_int("theta_quantiles", 20,
                          "automatic grid: quantiles of the aggregate's max probability over "
                          "(val_fit sample, trie prefix) pairs, resolving the crowded top")
                      .range(0, 10000));
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
    entries.push_back(
        method_entry<LazyStackMethod>(p.name, p.description, option_specs(p.aggregator, p.order)));
  return entries;
}

void register_lazystack_methods(MethodRegistry& registry) {
  for (MethodRegistry::Entry& e : LazyStackMethod::registry_entries()) registry.add(std::move(e));
}

LazyStackMethod::LazyStackMethod(const Options& options)
    : discovery_options_(discovery_options_from(options)),
      aggregator_kind_(parse_aggregator(options.get_string("aggregator"))),
      order_(parse_order(options.get_string("order"))),
      options_(options),
      given_thetas_(options.get_doubles("thetas")),
      theta_steps_(static_cast<int>(options.get_int("theta_steps"))),
      theta_quantiles_(static_cast<int>(options.get_int("theta_quantiles"))),
      mask_max_rows_(options.get_int("mask_max_rows")) {
  mlp_train_options(options_, 0);  // reads every training option now: a missing one throws here
}

void LazyStackMethod::fit(const FitContext& ctx) {
  const LogitTable& val_fit = ctx.val_fit;
  require_models(val_fit, "lazystack");
  LazyStackArtifact a;
  a.model_names = val_fit.model_names();
  a.num_classes = val_fit.num_classes();
  a.order = order_;
  discovery_json_ = nullptr;
  if (order_ == ExecutionOrder::kMdp) {
    const Discovery d = discover_trajectories(val_fit, discovery_options_);
    discovery_json_ = d.to_json(val_fit.model_names());
    a.policy = d.plan.policy;
    if (d.trajectories.num_kept > 0) {
      a.trie = d.plan.trie;
    } else {
      // No trajectory reaches min_share: keep the most common one so there is a path at all.
      a.trie =
          PrefixTrie::build({d.trajectories.trajectories.front()}, d.trajectories.trajectories);
      a.notes.push_back(
          fmt::format("no trajectory reached min_share {}; kept the most common one (share {:.4f})",
                      discovery_options_.min_share, d.trajectories.trajectories.front().share));
    }
  } else {
    Trajectory chain;
    chain.models = ascending_cost_order(val_fit);
    chain.count = static_cast<uint32_t>(val_fit.num_samples());
    chain.share = 1.0;
    a.trie = PrefixTrie::build({chain}, {chain});
  }
  SubstackerTrainOptions train;
  train.mlp = mlp_train_options(options_, ctx.seed);
  train.mask_max_rows = mask_max_rows_;
  a.substackers = train_substackers(val_fit, a.trie, aggregator_kind_, train);
  artifact_ = std::move(a);
  prepare();
  artifact_.thetas = given_thetas_.empty() ? automatic_thetas(val_fit) : given_thetas_;
  std::sort(artifact_.thetas.begin(), artifact_.thetas.end());
  artifact_.thetas.erase(std::unique(artifact_.thetas.begin(), artifact_.thetas.end()),
                         artifact_.thetas.end());
  theta_ = artifact_.thetas.back();
}

void LazyStackMethod::load(LazyStackArtifact artifact) {
  artifact_ = std::move(artifact);
  aggregator_kind_ = artifact_.substackers.kind;
  order_ = artifact_.order;
  discovery_json_ = nullptr;
  prepare();
  if (artifact_.thetas.empty()) throw std::runtime_error("LazyStack artifact has no theta grid");
  theta_ = artifact_.thetas.back();
}

void LazyStackMethod::prepare() {
  if (artifact_.trie.num_nodes() == 0 || artifact_.trie.node(PrefixTrie::kRoot).is_leaf())
    throw std::runtime_error("LazyStack: the trie has no trajectory to follow");
  aggregator_ = Aggregator(artifact_.substackers, artifact_.trie);
}

std::vector<double> LazyStackMethod::automatic_thetas(const LogitTable& val_fit) {
  std::vector<double> thetas;
  for (int i = 0; i <= theta_steps_; ++i) thetas.push_back(static_cast<double>(i) / theta_steps_);
  if (theta_quantiles_ > 0) {
    // The aggregate's confidence at every (sample, prefix) pair the trie holds.
    std::vector<float> confidences;
    const int c = val_fit.num_classes();
    for (int n = 0; n < val_fit.num_samples(); ++n) {
      for (size_t id = 1; id < artifact_.trie.num_nodes(); ++id) {
        const TrieNode& node = artifact_.trie.node(static_cast<int>(id));
        aggregator_.reset();
        int walk = PrefixTrie::kRoot;
        for (int m : node.prefix) {
          walk = artifact_.trie.node(walk).child(m);
          aggregator_.add(m, val_fit.probs(m, n).data, walk);
        }
        const float* p = aggregator_.probs();
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
  for (double t : artifact_.thetas) knobs.push_back(Knob().set("theta", t));
  return knobs;
}

void LazyStackMethod::set_knob(const Knob& knob) { theta_ = knob.get("theta"); }

int LazyStackMethod::predict(Meter& meter) {
  const int c = artifact_.num_classes;
  require_fitted_shape(meter, static_cast<int>(artifact_.model_names.size()), c, "lazystack");
  const PrefixTrie& trie = artifact_.trie;
  aggregator_.reset();
  uint64_t executed = 0;
  const int first = order_ == ExecutionOrder::kMdp ? artifact_.policy.decide(0, 0, 0).action : -1;
  TrieStep step = trie.step(PrefixTrie::kRoot, first);
  while (true) {
    const ProbView probs = meter.run(step.model);
    executed |= 1ull << step.model;
    aggregator_.add(step.model, probs.data, step.node);
    const float* p = aggregator_.probs();
    const int answer = argmax(p, c);
    if (p[answer] >= theta_ || trie.node(step.node).is_leaf()) return answer;
    int wanted = -1;  // cost order: the trie is a chain, its only child is next
    if (order_ == ExecutionOrder::kMdp) {
      wanted = artifact_.policy.decide_probs(executed, p).action;
      if (wanted == kStop) return answer;
    }
    step = trie.step(step.node, wanted);
  }
}

nlohmann::json LazyStackMethod::diagnostics() const {
  nlohmann::json j;
  j["aggregator"] = to_string(artifact_.substackers.kind);
  j["order"] = to_string(artifact_.order);
  j["models"] = artifact_.model_names;
  if (!discovery_json_.is_null()) j["discovery"] = discovery_json_;
  j["trie"] = artifact_.trie.to_json(artifact_.model_names);
  j["num_substackers"] = artifact_.substackers.kind == AggregatorKind::kSub
                             ? artifact_.trie.num_prefixes()
                         : artifact_.substackers.kind == AggregatorKind::kMask ? 1
                                                                               : 0;
  j["substacker_parameters"] = artifact_.substackers.num_parameters();
  j["substacker_training"] = artifact_.substackers.training;
  j["artifact_bytes"] = artifact_.trie.num_nodes() ? artifact_.size_bytes() : 0;
  j["num_thetas"] = artifact_.thetas.size();
  j["notes"] = artifact_.notes;
  return j;
}

}  // namespace lazy
}  // namespace lazystack
