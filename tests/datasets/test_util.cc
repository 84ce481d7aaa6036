#include "tests/datasets/test_util.h"

#include <yaml-cpp/yaml.h>
#include <zlib.h>

#include <fstream>

#include "core/options.h"
#include "datasets/split.h"

namespace lazystack {
namespace testing_util {

DatasetRegistry::Entry builtin_entry(const std::string& name) {
  DatasetRegistry registry;
  register_builtin_datasets(registry);
  const auto* entry = registry.find(name);
  if (!entry) throw std::logic_error("no built-in dataset " + name);
  return *entry;
}

std::unique_ptr<Dataset> load_builtin(const std::string& name, const nlohmann::json& overrides,
                                      uint64_t seed) {
  const auto entry = builtin_entry(name);
  return entry.make(default_options(entry.options, overrides), seed);
}

std::string error_of(const std::function<void()>& load) {
  try {
    load();
  } catch (const std::exception& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected an error, none was thrown";
  return "";
}

ConfigError dataset_config_error(const std::string& name, const std::string& dataset_yaml) {
  try {
    parse_options(YAML::Load(dataset_yaml), builtin_entry(name).options, "exp.yaml", "dataset",
                  {"name"});
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "no ConfigError for " << dataset_yaml;
  return ConfigError("", 0, 0, "", "");
}

void write_idx(const std::string& path, uint32_t magic, const std::vector<uint32_t>& dims,
               const std::vector<uint8_t>& data, bool gzip) {
  std::string bytes;
  auto put32 = [&](uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(v >> shift));
  };
  put32(magic);
  for (uint32_t d : dims) put32(d);
  bytes.append(data.begin(), data.end());
  if (!gzip) {
    write_text(path, bytes);
    return;
  }
  gzFile f = gzopen(path.c_str(), "wb");
  if (!f) throw std::runtime_error("cannot write " + path);
  const int written = gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(f);
  if (written != static_cast<int>(bytes.size())) throw std::runtime_error("gzwrite failed");
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

void expect_fingerprints_follow_seed(const std::string& name, const nlohmann::json& overrides,
                                     uint64_t seed, uint64_t other_seed) {
  const auto a = load_builtin(name, overrides, seed);
  const auto b = load_builtin(name, overrides, seed);
  const auto c = load_builtin(name, overrides, other_seed);
  EXPECT_EQ(a->fingerprint(), b->fingerprint());
  for (const char* which : {"train", "val", "test"}) {
    EXPECT_EQ(a->split(which).fingerprint, b->split(which).fingerprint) << name << " " << which;
    EXPECT_NE(a->split(which).fingerprint, c->split(which).fingerprint) << name << " " << which;
  }
  EXPECT_NE(a->fingerprint(), c->fingerprint());
}

std::vector<int> label_counts(const Split& split, int num_classes) {
  return class_counts(split.y, num_classes);
}

}  // namespace testing_util
}  // namespace lazystack
