// The Method interface every ensemble-inference method implements (DESIGN.md section 5).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/logit_table.h"
#include "core/meter.h"
#include "core/registry.h"

namespace lazystack {

/// One setting of a method's swept knob(s), e.g. {theta: 0.8}. `label` names a point that a
/// number cannot (a single model's name, a cascade's members).
struct Knob {
  std::vector<std::pair<std::string, double>> values;
  std::string label;

  double get(const std::string& name) const;
  bool has(const std::string& name) const;
  Knob& set(const std::string& name, double value);
  nlohmann::json to_json() const;
  /// "theta=0.8" or the label: for logs and CSVs.
  std::string to_string() const;
};

/// What a method may use to fit: labelled validation data only, never test.
struct FitContext {
  const LogitTable& val_fit;  ///< fits stackers, policies, temperatures
  const LogitTable& val_cal;  ///< calibrates thresholds (the evaluator also uses it)
  CostModel cost_model = CostModel::kSequential;
  uint64_t seed = 0;
  std::string cache_dir;  ///< where a method may cache its fitted state (by printable key)
  std::string dataset_fingerprint;
};

/// A swept (or bound) method: fit on val, then decide each test sample through a Meter. The
/// evaluator sets a knob, calls predict() per sample and reads cost and models run from the Meter.
class Method {
 public:
  virtual ~Method() = default;

  /// Learns whatever the method learns. Throws std::runtime_error with a clear message when it
  /// cannot (e.g. too few models); the run records the method as failed and goes on.
  virtual void fit(const FitContext& ctx) = 0;
  /// Knob settings to sweep, fixed before any test sample is seen. Never empty.
  virtual std::vector<Knob> grid() const = 0;
  virtual void set_knob(const Knob& knob) = 0;
  /// Decides one sample: runs models through `meter`, returns the predicted class.
  virtual int predict(Meter& meter) = 0;

  /// True for bounds that use labels (the oracle): reported as such, granted bound access.
  /// Agrees with the card's kind (MethodKind::kBound); the registry contract test checks it.
  virtual bool is_bound() const { return false; }
  /// Called by sweep() before the first knob and after the last: every predict() in between
  /// sees samples of one split of `num_samples` samples (Meter::sample() indexes it). A method
  /// may cache knob-independent, per-sample work derived from outputs it paid for (LazyStack
  /// caches substacker outputs per trie node); it must still run every model it uses through
  /// the Meter, and end_sweep() must drop the cache. The decision overhead a swept point
  /// reports is timed outside this bracket, on the uncached path (core/evaluate.h sweep()).
  virtual void begin_sweep(int num_samples) {}
  virtual void end_sweep() {}
  /// Method-specific results for summary.json (learned weights, trajectories, ...).
  virtual nlohmann::json diagnostics() const { return nlohmann::json::object(); }
};

class OnlineMethod;  // core/stream.h: a method that learns over a stream

/// How the pipeline runs a method: swept over its knob grid, streamed (it learns while it
/// serves), or swept as a bound (it reads labels; reported as such, never a baseline).
enum class MethodKind { kSwept, kOnline, kBound };
const char* to_string(MethodKind kind);  ///< "swept" | "online" | "bound"

/// What the reports do with a method beyond its kind (summary.json "role"):
///   kEachModel         its points are the zoo's models alone (drawn as the zoo's points, never
///                      a baseline curve of its own)
///   kCostOrderCascade  the confidence cascade over the zoo in cost order (the tables' speedup
///                      column is measured against it)
///   kSearchedCascade   a cascade whose models are chosen by search
///   kLead              the proposed method whose verdict the README and the regime study give
/// Both cascade roles are candidates of the headline figure's "best-cascade".
enum class MethodRole { kNone, kEachModel, kCostOrderCascade, kSearchedCascade, kLead };
const char* to_string(MethodRole role);  ///< "none" | "each-model" | ... | "lead"

/// An option whose value names zoo models, and how: one name, a list of names, or a list of
/// tiers ("a+b" or "a,b" each). The config check and the derived-member rule
/// (pipeline/members.h) read these, never option names of their own.
struct ModelOption {
  enum Form { kName, kNames, kTiers };
  std::string option;
  Form form = kNames;
};

/// What a method declares about itself; pipeline/ and reports/ read this (and the fields
/// summary.json carries from it) instead of comparing method names.
struct MethodCard {
  MethodKind kind = MethodKind::kSwept;
  /// Decides per sample how many models to run (its exit-depth histogram is worth a figure).
  bool early_exit = false;
  /// Part of the method cache key: bump it when a change to the method's code changes its
  /// results, and only that method is refitted.
  std::string version = "1";
  std::vector<ModelOption> model_options;
  /// The method the harness studies (LazyStack): comparisons measure it against the best
  /// baseline, the envelope of every method that is neither proposed nor a bound.
  bool proposed = false;
  /// The full stacker: its val_cal accuracy sets every headline's target (one per registry;
  /// aliases of it carry it too).
  bool reference = false;
  MethodRole role = MethodRole::kNone;
  /// Shown in the run's main (headline) figure when the config names no figure_methods.
  bool in_figure = false;
  /// Place of a proposed method among the proposed ones in tables (0 first); -1: by name.
  int report_order = -1;
  /// MethodKind::kOnline: the factory (the entry's `make` stays empty).
  std::function<std::unique_ptr<OnlineMethod>(const Options&)> make_online;

  /// {"kind", "early_exit", "version", "proposed", "role", "in_figure", "report_order"}: what
  /// summary.json carries per method.
  nlohmann::json to_json() const;

  /// A card of the given kind and version; the setters below add the rest.
  static MethodCard swept(std::string version) {
    return of(MethodKind::kSwept, std::move(version));
  }
  static MethodCard online(std::string version) {
    return of(MethodKind::kOnline, std::move(version));
  }
  static MethodCard bound(std::string version) {
    return of(MethodKind::kBound, std::move(version));
  }
  MethodCard& exits_early() {
    early_exit = true;
    return *this;
  }
  MethodCard& names_models(std::string option, ModelOption::Form form) {
    model_options.push_back({std::move(option), form});
    return *this;
  }
  MethodCard& is_proposed() {
    proposed = true;
    return *this;
  }
  MethodCard& is_reference() {
    reference = true;
    return *this;
  }
  MethodCard& has_role(MethodRole r) {
    role = r;
    return *this;
  }
  MethodCard& shown_in_figure() {
    in_figure = true;
    return *this;
  }
  MethodCard& placed(int order) {
    report_order = order;
    return *this;
  }

 private:
  static MethodCard of(MethodKind kind, std::string version) {
    MethodCard card;
    card.kind = kind;
    card.version = std::move(version);
    return card;
  }
};

using MethodRegistry = Registry<Method, MethodCard>;

/// Constructs the entry's method (of either kind) and drops it: runs the constructor's checks
/// of what option specs cannot express (they throw std::invalid_argument).
void check_method_options(const MethodRegistry::Entry& entry, const Options& options);

}  // namespace lazystack
