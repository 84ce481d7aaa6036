// The experiment-config loader (YAML syntax, duplicate keys, --set overrides, option types and
// ranges, zoo and method sections, names, the memory estimate) on arbitrary text. Bytes after
// a NUL are --set arguments, one per NUL-separated piece. The registries are small fakes (the
// real ones pull in LibTorch); what is fuzzed is pipeline/config.cc and core/options.cc.
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "datasets/footprint.h"
#include "pipeline/config.h"
#include "pipeline/members.h"
#include "pipeline/seed_sampling.h"
#include "tests/fuzz/fuzz_common.h"
#include "tests/pipeline/fake_method.h"

namespace lazystack {

// Link-time stand-ins for what pipeline/config.cc reaches outside core.
void register_builtin_datasets(DatasetRegistry& r) {
  r.add({"toy",
         "a toy dataset",
         {opt_int("limit", 0, "cap").range(0, 1e9)},
         [](const Options&, uint64_t) { return std::make_unique<Dataset>(); }});
  r.add({"synthetic",
         "labels only",
         {opt_int("classes", 10, "classes").range(2, 1e6),
          opt_int("val_size", 5000, "val").range(1, 1e8),
          opt_int("test_size", 5000, "test").range(1, 1e8)},
         [](const Options&, uint64_t) { return std::make_unique<Dataset>(); },
         DatasetCard{/*has_features=*/false, [](const Options& o) {
                       return DatasetSize{
                           static_cast<uint64_t>(o.get_int("val_size") + o.get_int("test_size")),
                           static_cast<uint64_t>(o.get_int("classes")), "val_size"};
                     }}});
}
std::optional<DatasetFootprint> dataset_footprint(const std::string&, const Options&) {
  return std::nullopt;  // the toy datasets have no files
}
void register_builtin_models(ModelRegistry& r) {
  for (const char* arch : {"mlp", "synthetic"})
    r.add({arch,
           "a model",
           {opt_int("epochs", 5, "epochs").range(1, 1000), opt_ints("hidden", {64}, "sizes")},
           [](const Options&, const Dataset&) -> std::unique_ptr<ZooModel> { return nullptr; },
           ModelCard{/*needs_features=*/arch != std::string("synthetic")}});
}
void register_builtin_methods(MethodRegistry& r) {
  r.add({"single",
         "one model",
         {opt_string("model", "", "a zoo member")},
         [](const Options&) { return std::make_unique<testing::FakeMethod>(); },
         MethodCard::swept("1").names_models("model", ModelOption::kName)});
  r.add({"stacker",
         "stacker",
         {opt_doubles("thresholds", {0.5}, "grid").range(0, 1)},
         [](const Options&) { return std::make_unique<testing::FakeMethod>(); }});
}
std::vector<std::pair<std::string, std::string>> model_references(const MethodCard& card,
                                                                  const Options& options) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const ModelOption& mo : card.model_options)
    if (options.has(mo.option) && !options.get_string(mo.option).empty())
      out.emplace_back(mo.option, options.get_string(mo.option));
  return out;
}
OptionSpec seed_draws_option_spec() {
  return opt_strings("seed_draws", {"test", "latency"}, "what seeds re-draw");
}

}  // namespace lazystack

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const lazystack::Registries registries = lazystack::make_builtin_registries();
  const std::string input(reinterpret_cast<const char*>(data), size);
  const size_t nul = input.find('\0');
  const std::string yaml = input.substr(0, nul);
  std::vector<std::string> sets;
  for (size_t at = nul; at != std::string::npos && at < input.size();) {
    const size_t next = input.find('\0', at + 1);
    sets.push_back(
        input.substr(at + 1, next == std::string::npos ? std::string::npos : next - at - 1));
    at = next;
  }
  const std::string path = lazystack_fuzz::write_input(
      "config.yaml", reinterpret_cast<const uint8_t*>(yaml.data()), yaml.size());
  // Bad configs must be ConfigErrors (exit 2, file:line or --set named); anything else
  // escaping (a yaml-cpp or JSON exception: exit 1) is a finding.
  try {
    (void)lazystack::load_experiment_config(path, sets, registries);
  } catch (const lazystack::ConfigError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "not a ConfigError: %s\n", e.what());
    std::abort();
  }
  return 0;
}
