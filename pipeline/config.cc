#include "pipeline/config.h"

#include <fmt/core.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

#include "core/evaluate.h"
#include "core/names.h"
#include "core/size_check.h"
#include "datasets/footprint.h"
#include "methods/builtin.h"
#include "pipeline/members.h"
#include "pipeline/seed_sampling.h"
#include "pipeline/zoo_config.h"
#include "reports/headline_set.h"
#include "zoo/input_view.h"

namespace lazystack {
namespace {

using nlohmann::json;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

// Applies "a.b.c=value" to the YAML tree. Sequence elements (zoo) are addressed by their name.
// Every error names the --set argument, and so do later errors at the nodes it set.
void apply_override(YAML::Node root, const std::string& text) {
  const auto eq = text.find('=');
  const std::string where = "--set " + text;
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(where, 0, 0, "", "expected key=value, e.g. dataset.limit=500");
  const std::string key = text.substr(0, eq);
  const auto path = split(key, '.');
  for (const auto& p : path)
    if (p.empty()) throw ConfigError(where, 0, 0, key, "empty key part (e.g. 'a..b' or '.a')");
  YAML::Node value;
  try {
    value = YAML::Load(text.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    throw ConfigError(where, 0, 0, key, "value is not valid YAML: " + e.msg);
  }
  note_override_node(value, text);
  try {
    std::string so_far;  // the dotted key up to the current node, for messages
    YAML::Node cur = root;
    for (size_t i = 0; i < path.size(); ++i) {
      const bool last = i + 1 == path.size();
      if (cur.IsSequence()) {  // a list entry by its name
        bool matched = false;
        for (size_t k = 0; k < cur.size() && !matched; ++k) {
          YAML::Node el = cur[k];
          if (!el.IsMap() || !el["name"] || !el["name"].IsScalar() ||
              el["name"].Scalar() != path[i])
            continue;
          matched = true;
          if (last) {
            cur[k] = value;
          } else {
            cur.reset(el);
          }
        }
        if (!matched)
          throw ConfigError(where, 0, 0, key,
                            "'" + so_far + "' is a list: no entry named '" + path[i] + "'");
      } else if (cur.IsMap() || cur.IsNull()) {
        if (last) {
          cur[path[i]] = value;
          for (auto it = cur.begin(); it != cur.end(); ++it)
            if (it->first.IsScalar() && it->first.Scalar() == path[i])
              note_override_node(it->first, text);
        } else {
          if (!cur[path[i]] || cur[path[i]].IsNull()) {
            cur[path[i]] = YAML::Node(YAML::NodeType::Map);
            note_override_node(cur[path[i]], text);
          }
          YAML::Node next = cur[path[i]];
          cur.reset(next);
        }
      } else {
        throw ConfigError(where, 0, 0, key,
                          "'" + so_far + "' is a single value ('" + cur.Scalar() +
                              "'), not a map: it has no key '" + path[i] + "'");
      }
      so_far += (so_far.empty() ? "" : ".") + path[i];
    }
  } catch (const YAML::Exception& e) {  // a shape yaml-cpp refuses: still this argument's fault
    throw ConfigError(where, 0, 0, key, "cannot set this key: " + e.msg);
  }
}

std::vector<OptionSpec> make_experiment_specs() {
  return {
      opt_required("experiment", OptionType::kString,
                   "experiment name: results go to <results_dir>/<experiment>/<run-id>"),
      opt_ints("seeds", {0},
               "one run per seed: re-splits val into val_fit/val_cal and re-fits every method; "
               "seeds other than 0 also re-draw what seed_draws lists")
          .range(0, 1e9),
      seed_draws_option_spec(),
      opt_int("zoo_seed", 0, "seed of zoo training (model weights)").range(0, 1e9),
      opt_string("cost", "latency_ms",
                 "per-model cost: measured batch-1 latency, analytic MACs, parameter count, or "
                 "the `cost` given in each zoo entry")
          .one_of({"latency_ms", "macs", "params", "given"}),
      opt_string("cost_model", "sequential",
                 "a tier of models costs the sum (sequential) or the max (parallel) of its "
                 "members")
          .one_of({"sequential", "parallel"}),
      opt_double("tier_delay", 0.0,
                 "cost added per sequential step (e.g. edge-to-cloud communication), in the "
                 "cost unit")
          .range(0, 1e12),
      opt_bool("charge_overhead", false,
               "add each sample's measured decision time (policy, stacker) to its cost "
               "(latency_ms only)"),
      opt_double("target_retention", 0.97,
                 "headline point: cheapest point on val_cal keeping this share of the full "
                 "stacker's val_cal accuracy")
          .above(0)
          .range(0, 1),
      opt_double("val_cal_fraction", 0.5,
                 "share of val used for calibration (val_cal); the rest (val_fit) fits methods")
          .above(0)
          .below(1),
      opt_int("profile_repeats", 50, "timed batch-1 forwards per model (median reported)")
          .range(1, 100000),
      opt_string("cache_dir", "cache",
                 "logit / weight / method cache (LAZYSTACK_CACHE overrides it; --set cache_dir=... "
                 "overrides both)"),
      opt_string("results_dir", "results", "where run folders are written"),
      opt_strings("figure_methods", {},
                  "methods of the main Pareto figure and the README tables (instance or "
                  "registry names, or best-cascade); empty: LazyStack SUB/MASK, the best "
                  "cascade, woc, abc, coe, stacker, oracle. Every other method goes to "
                  "figures/pareto_more"),
  };
}

// Method options that name zoo models (the card's model_options) must name entries of this
// config's zoo: a typo is a config error at its line, not a failed method after the zoo has
// trained.
void check_model_references(const std::string& path, const YAML::Node& body, const std::string& ctx,
                            const MethodCard& card, const Options& options,
                            const std::set<std::string>& zoo_names) {
  auto check = [&](const std::string& key, const std::string& name) {
    if (zoo_names.count(name)) return;
    std::string known;
    for (const auto& n : zoo_names) known += (known.empty() ? "" : ", ") + n;
    throw config_error_at(path, body && body.IsMap() && body[key] ? body[key] : body,
                          ctx + "." + key,
                          "'" + name + "' is not a model of this zoo; zoo: " + known);
  };
  for (const auto& [key, name] : model_references(card, options)) check(key, name);
}

}  // namespace

ConfigError config_error_at(const std::string& file, const YAML::Node& node, const std::string& key,
                            const std::string& message) {
  return config_error_at_node(file, node, key, message);
}

// yaml-cpp keeps both entries of a key given twice in one map (and lookups see only one):
// a duplicate is an error at the second, naming the first.
static void refuse_duplicate_keys(const std::string& path, const YAML::Node& root) {
  std::vector<YAML::Node> todo{root};
  while (!todo.empty()) {
    const YAML::Node n = todo.back();
    todo.pop_back();
    if (n.IsSequence()) {
      for (auto it = n.begin(); it != n.end(); ++it) todo.push_back(*it);
      continue;
    }
    if (!n.IsMap()) continue;
    std::map<std::string, YAML::Mark> seen;
    for (auto it = n.begin(); it != n.end(); ++it) {
      todo.push_back(it->second);
      if (!it->first.IsScalar()) continue;
      const std::string key = it->first.Scalar();
      const auto [at, fresh] = seen.emplace(key, it->first.Mark());
      if (!fresh)
        throw config_error_at(
            path, it->first, key,
            fmt::format("duplicate key (first given at line {})", at->second.line + 1));
    }
  }
}

YAML::Node load_config_yaml(const std::string& path, const std::string& what) {
  try {
    YAML::Node root = YAML::LoadFile(path);
    refuse_duplicate_keys(path, root);
    return root;
  } catch (const ConfigError&) {
    throw;
  } catch (const YAML::BadFile&) {
    throw ConfigError(path, 0, 0, "", "cannot read the " + what + " file (does it exist?)");
  } catch (const YAML::Exception& e) {
    throw ConfigError(path, e.mark.is_null() ? 0 : e.mark.line + 1,
                      e.mark.is_null() ? 0 : e.mark.column + 1, "", "YAML syntax: " + e.msg);
  }
}

const std::vector<OptionSpec>& experiment_option_specs() {
  static const std::vector<OptionSpec> specs = make_experiment_specs();
  return specs;
}

Registries make_builtin_registries() {
  Registries r;
  register_builtin_datasets(r.datasets);
  register_builtin_models(r.models);
  register_builtin_methods(r.methods);
  return r;
}

ExperimentConfig load_experiment_config(const std::string& path,
                                        const std::vector<std::string>& overrides,
                                        const Registries& registries) {
  YAML::Node root = load_config_yaml(path, "config");
  if (!root.IsMap()) throw config_error_at(path, root, "", "expected a map of experiment settings");
  for (const auto& o : overrides) apply_override(root, o);

  ExperimentConfig cfg;
  cfg.path = path;
  const Options top =
      parse_options(root, experiment_option_specs(), path, "", {"dataset", "zoo", "methods"});
  cfg.experiment = top.get_string("experiment");
  if (const std::string why = name_problem(cfg.experiment); !why.empty())
    throw config_error_at(
        path, root["experiment"], "experiment",
        "'" + printable(cfg.experiment) + "' is not a valid experiment name: " + why);
  for (long s : top.get_ints("seeds")) cfg.seeds.push_back(static_cast<uint64_t>(s));
  if (cfg.seeds.empty())
    throw config_error_at(path, root["seeds"], "seeds", "needs at least one seed");
  cfg.seed_draws = top.get_strings("seed_draws");
  cfg.zoo_seed = static_cast<uint64_t>(top.get_int("zoo_seed"));
  cfg.cost = parse_cost_unit(top.get_string("cost"));
  cfg.cost_model = parse_cost_model(top.get_string("cost_model"));
  cfg.tier_delay = top.get_double("tier_delay");
  cfg.charge_overhead = top.get_bool("charge_overhead");
  cfg.target_retention = top.get_double("target_retention");
  cfg.val_cal_fraction = top.get_double("val_cal_fraction");
  cfg.profile_repeats = static_cast<int>(top.get_int("profile_repeats"));
  cfg.cache_dir = top.get_string("cache_dir");
  // Precedence: --set cache_dir=..., then LAZYSTACK_CACHE, then the file's cache_dir, then cache/.
  const bool cache_dir_set = std::any_of(overrides.begin(), overrides.end(), [](const auto& o) {
    return o.rfind("cache_dir=", 0) == 0;
  });
  if (const char* env = std::getenv("LAZYSTACK_CACHE"); env && *env && !cache_dir_set)
    cfg.cache_dir = env;
  cfg.results_dir = top.get_string("results_dir");
  if (cfg.charge_overhead && cfg.cost != CostUnit::kLatencyMs)
    throw config_error_at(path, root["charge_overhead"], "charge_overhead",
                          "needs cost: latency_ms (overhead is measured in time)");
  cfg.resolved = top.json();

  // dataset: {name: ..., <dataset options>}
  const YAML::Node ds = root["dataset"];
  if (!ds)
    throw config_error_at(path, root, "dataset", "missing required key: dataset: {name: ...}");
  if (!ds.IsMap() || !ds["name"] || !ds["name"].IsScalar())
    throw config_error_at(
        path, ds, "dataset",
        "expected a map with a 'name' (one of: " + registries.datasets.joined_names() + ")");
  cfg.dataset = ds["name"].Scalar();
  const auto* ds_entry = registries.datasets.find(cfg.dataset);
  if (!ds_entry)
    throw config_error_at(
        path, ds["name"], "dataset.name",
        "unknown dataset '" + cfg.dataset + "'; known: " + registries.datasets.joined_names());
  cfg.dataset_options = parse_options(ds, ds_entry->options, path, "dataset", {"name"});
  cfg.resolved["dataset"] = cfg.dataset_options.json();
  cfg.resolved["dataset"]["name"] = cfg.dataset;

  // zoo: [{name, arch, cost?, <arch options>}]
  const std::set<std::string> names =
      load_zoo_entries(path, root, registries, ds_entry->card, &cfg);
  check_memory_estimate(path, ds, ds_entry->card, cfg);

  // methods: {instance-name: {method: registry-name (default: instance-name), <options>}}
  const YAML::Node methods = root["methods"];
  if (!methods || !methods.IsMap() || methods.size() == 0)
    throw config_error_at(path, methods ? methods : root, "methods",
                          "expected a map of methods, e.g. methods: {cost-cascade: {}}; known: " +
                              registries.methods.joined_names());
  cfg.resolved["methods"] = json::object();
  for (auto it = methods.begin(); it != methods.end(); ++it) {
    MethodEntry m;
    m.name = it->first.Scalar();
    if (const std::string why = name_problem(m.name); !why.empty())
      throw config_error_at(path, it->first, "methods",
                            "'" + printable(m.name) + "' is not a valid method name: " + why);
    const YAML::Node body = it->second;
    const std::string ctx = "methods." + m.name;
    if (body && !body.IsNull() && !body.IsMap())
      throw config_error_at(path, body, ctx, "expected a map of options (or {})");
    m.method = (body && body.IsMap() && body["method"]) ? body["method"].Scalar() : m.name;
    const auto* entry = registries.methods.find(m.method);
    if (!entry)
      throw config_error_at(
          path, (body && body.IsMap() && body["method"]) ? body["method"] : it->first, ctx,
          "unknown method '" + m.method + "'; known: " + registries.methods.joined_names());
    std::vector<OptionSpec> specs = entry->options;  // plus the keys every method takes
    specs.insert(specs.end(), accounting_option_specs().begin(), accounting_option_specs().end());
    m.options = parse_options(body, specs, path, ctx, {"method"});
    check_model_references(path, body, ctx, entry->card, m.options, names);
    try {  // constructors check what option specs cannot (e.g. overlapping tiers)
      check_method_options(*entry, m.options);
    } catch (const std::invalid_argument& e) {
      throw config_error_at(path, body && body.IsMap() ? body : it->first, ctx, e.what());
    }
    json resolved = m.options.json();
    resolved["method"] = m.method;
    cfg.resolved["methods"][m.name] = resolved;
    cfg.methods.push_back(std::move(m));
  }
  cfg.figure_methods = top.get_strings("figure_methods");
  for (size_t i = 0; i < cfg.figure_methods.size(); ++i) {
    const std::string& name = cfg.figure_methods[i];
    const bool known = name == reports::kBestCascade ||
                       std::any_of(cfg.methods.begin(), cfg.methods.end(), [&](const auto& m) {
                         return m.name == name || m.method == name;
                       });
    if (!known)
      throw config_error_at(path, root["figure_methods"][i], "figure_methods",
                            "'" + name + "' is not a method of this config (nor best-cascade)");
  }
  return cfg;
}

}  // namespace lazystack
