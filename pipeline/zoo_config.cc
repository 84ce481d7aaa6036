#include "pipeline/zoo_config.h"

#include <fmt/core.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "core/names.h"
#include "core/size_check.h"
#include "datasets/footprint.h"
#include "zoo/input_view.h"

namespace lazystack {

using nlohmann::json;

namespace {

// A zoo entry's `view` (zoo/input_view.h), validated and added to its options as "view" (so
// the weights' cache key holds it). Checks against the dataset's input shape come once it is
// loaded (check_zoo_views).
Options with_view(const std::string& path, const ExperimentConfig& cfg, const DatasetCard& ds_card,
                  const ModelCard& arch_card, const YAML::Node& entry, const ZooEntry& z) {
  const std::string ctx = "zoo." + z.name + ".view";
  const YAML::Node node = entry["view"];
  if (!node.IsMap())
    throw config_error_at(path, node, ctx,
                          "expected a map: view: {crop: [top, left, height, width], downsample: "
                          "k, features: [i, j, ...], max_train: n}");
  if (entry["parent"])
    throw config_error_at(path, node, ctx,
                          "a derived entry sees its parent's inputs: give the view to the parent");
  if (!ds_card.has_features || !arch_card.needs_features)
    throw config_error_at(path, node, ctx,
                          "a view selects part of the input features, and there are none here "
                          "(dataset '" +
                              cfg.dataset + "', arch '" + z.arch + "')");
  const Options view = parse_options(node, input_view_option_specs(), path, ctx);
  const std::vector<long> crop = view.get_ints("crop");
  if (!crop.empty() && crop.size() != 4)
    throw config_error_at(
        path, node["crop"], ctx + ".crop",
        "expected [top, left, height, width], got " + std::to_string(crop.size()) + " numbers");
  json options = z.options.json();
  options["view"] = view.json();
  return Options(options);
}

}  // namespace

std::set<std::string> load_zoo_entries(const std::string& path, const YAML::Node& root,
                                       const Registries& registries, const DatasetCard& ds_card,
                                       ExperimentConfig* cfg) {
  const YAML::Node zoo = root["zoo"];
  if (!zoo || !zoo.IsSequence() || zoo.size() == 0)
    throw config_error_at(path, zoo ? zoo : root, "zoo",
                          "expected a non-empty list of models: - {name: ..., arch: ...}");
  std::set<std::string> names;
  cfg->resolved["zoo"] = json::array();
  for (const auto& entry : zoo) {
    // An entry {name, source: <s>, ...} selects the architecture whose card declares that
    // source (imported outputs: {name, source: import, path, cost?}) instead of naming an arch.
    const bool by_source = entry.IsMap() && entry["source"];
    if (!entry.IsMap() || !entry["name"] || (!by_source && !entry["arch"]))
      throw config_error_at(
          path, entry, "zoo",
          "each zoo entry needs 'name' and 'arch' (or 'source: import' and 'path')");
    ZooEntry z;
    z.name = entry["name"].Scalar();
    if (const std::string why = name_problem(z.name); !why.empty())
      throw config_error_at(path, entry["name"], "zoo",
                            "'" + printable(z.name) + "' is not a valid model name: " + why);
    const std::string ctx = "zoo." + z.name;
    if (!names.insert(z.name).second)
      throw config_error_at(path, entry["name"], ctx, "duplicate zoo model name");
    const ModelRegistry::Entry* arch = nullptr;
    if (by_source) {
      std::string sources;
      int num_sources = 0;
      for (const auto* e : registries.models.entries()) {
        if (e->card.source.empty()) continue;
        if (e->card.source == entry["source"].Scalar()) arch = e;
        sources += (num_sources++ ? ", '" : "'") + e->card.source + "'";
      }
      if (!arch)
        throw config_error_at(
            path, entry["source"], ctx + ".source",
            "'" + entry["source"].Scalar() +
                "': " + (num_sources == 1 ? "the only source is " : "the sources are ") + sources);
      if (entry["arch"])
        throw config_error_at(path, entry["arch"], ctx + ".arch",
                              "an entry with 'source: " + arch->card.source + "' has no arch");
      z.arch = arch->name;
    } else {
      z.arch = entry["arch"].Scalar();
      arch = registries.models.find(z.arch);
      if (!arch)
        throw config_error_at(
            path, entry["arch"], ctx + ".arch",
            "unknown architecture '" + z.arch + "'; known: " + registries.models.joined_names());
    }
    if (!ds_card.has_features && arch->card.needs_features)
      throw config_error_at(path, entry["arch"], ctx + ".arch",
                            "dataset '" + cfg->dataset +
                                "' has labels but no features, and arch '" + z.arch +
                                "' needs features: use an architecture that reads labels only ("
                                "e.g. arch: synthetic) or an imported entry (source: import)");
    if (entry["cost"]) {
      try {
        z.given_cost = entry["cost"].as<double>();
      } catch (const YAML::Exception&) {
        throw config_error_at(path, entry["cost"], ctx + ".cost", "expected a number");
      }
      if (!(z.given_cost >= 0))
        throw config_error_at(path, entry["cost"], ctx + ".cost", "must be >= 0");
    } else if (cfg->cost == CostUnit::kGiven &&
               !arch->card.read_outputs) {  // read: the file's cost
      throw config_error_at(path, entry, ctx + ".cost",
                            "cost: given needs a 'cost' in every zoo entry");
    }
    if (by_source) {
      z.options = parse_options(entry, arch->options, path, ctx, {"name", "source", "cost"});
    } else {
      z.options = parse_options(entry, arch->options, path, ctx, {"name", "arch", "cost", "view"});
      if (const YAML::Node view = entry["view"])
        z.options = with_view(path, *cfg, ds_card, arch->card, entry, z);
    }
    json resolved = z.options.json();
    resolved["name"] = z.name;
    if (by_source)
      resolved["source"] = arch->card.source;
    else
      resolved["arch"] = z.arch;
    if (z.given_cost >= 0) resolved["cost"] = z.given_cost;
    cfg->resolved["zoo"].push_back(resolved);
    cfg->zoo.push_back(std::move(z));
  }
  if (cfg->zoo.size() > 64)
    throw config_error_at(path, zoo, "zoo", "at most 64 models are supported");
  return names;
}

// What a config will hold in memory at least, where the config alone or the data files'
// listing and headers tell: with the dataset card's size_from_options (e.g. synthetic), the
// members' logits (val + test samples x classes x members, float32); otherwise an image
// folder's images as float32 (twice while splitting) plus its members' logits
// (datasets/footprint.h). One over the memory this process may use is refused before any
// work, naming the keys that size it.
void check_memory_estimate(const std::string& path, const YAML::Node& ds, const DatasetCard& card,
                           const ExperimentConfig& cfg) {
  const uint64_t usable = usable_memory_bytes();
  const uint64_t members = std::max<size_t>(cfg.zoo.size(), 1);
  if (!card.size_from_options) {
    std::optional<DatasetFootprint> footprint;
    try {
      footprint = dataset_footprint(cfg.dataset, cfg.dataset_options);
    } catch (const ConfigError&) {
      throw;
    } catch (const std::exception&) {
      return;  // files the loader cannot use: it says so, with the file, when the run loads them
    }
    if (!footprint) return;
    const double logits = 4.0 * footprint->eval_samples * footprint->classes * members;
    const double bytes = footprint->input_bytes + logits;
    if (bytes <= static_cast<double>(usable)) return;
    throw config_error_at(
        path, ds, "dataset",
        fmt::format("dataset '{}' needs about {} ({}; the zoo's logits {} more), more than "
                    "the {} this machine lets a process use: resize the images smaller, use "
                    "grayscale or fewer images",
                    cfg.dataset, human_bytes(bytes), footprint->describe, human_bytes(logits),
                    human_bytes(static_cast<double>(usable))));
  }
  const DatasetSize size = card.size_from_options(cfg.dataset_options);
  const uint64_t samples = size.samples;
  const uint64_t classes = size.classes;
  const double bytes = 4.0 * static_cast<double>(samples) * classes * members;
  if (bytes <= static_cast<double>(usable)) return;
  const YAML::Node at = ds[size.key] ? ds[size.key] : ds;
  throw config_error_at(
      path, at, "dataset." + size.key,
      fmt::format("the zoo's logits alone need {} ((val_size + test_size) {} samples x {} "
                  "classes x {} members x 4 bytes), more than the {} this machine lets a "
                  "process use: lower dataset.val_size, dataset.test_size or dataset.classes, "
                  "or use fewer members",
                  human_bytes(bytes), samples, classes, members,
                  human_bytes(static_cast<double>(usable))));
}

void check_zoo_views(const ExperimentConfig& cfg, const Dataset& ds) {
  for (const ZooEntry& z : cfg.zoo) {
    if (!z.options.has("view")) continue;
    const InputView view = input_view_from_options(Options(z.options.json().at("view")));
    const std::string why = input_view_problem(view, ds.shape);
    if (why.empty()) continue;
    YAML::Node node;  // the entry's view in the file, for file:line:column
    try {
      const YAML::Node root = YAML::LoadFile(cfg.path);
      for (const auto& entry : root["zoo"])
        if (entry.IsMap() && entry["name"] && entry["name"].Scalar() == z.name && entry["view"])
          node.reset(entry["view"]);
    } catch (const YAML::Exception&) {
    }
    throw config_error_at(
        cfg.path, node, "zoo." + z.name + ".view",
        fmt::format("{} (dataset '{}': {} x {} x {} inputs{})", why, cfg.dataset, ds.shape.channels,
                    ds.shape.height, ds.shape.width, ds.shape.is_image ? ", images" : ""));
  }
}

}  // namespace lazystack
