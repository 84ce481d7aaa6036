// Shared helpers of the dataset tests: temporary folders, loading through the registry, and
// checking that an error message names what it should.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/options.h"
#include "datasets/dataset.h"

namespace lazystack {
namespace testing_util {

namespace fs = std::filesystem;

/// A fresh folder per test, removed afterwards.
class TempDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / ("lazystack_datasets_" + std::to_string(::getpid()) + "_" +
                                        info->test_suite_name() + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

/// The built-in registry entry `name` (throws when absent).
DatasetRegistry::Entry builtin_entry(const std::string& name);

/// Loads a built-in dataset with `overrides` validated like a config's dataset options.
std::unique_ptr<Dataset> load_builtin(const std::string& name, const nlohmann::json& overrides,
                                      uint64_t seed);

/// Runs `load`, expects a std::exception, and returns its message ("" when none was thrown).
std::string error_of(const std::function<void()>& load);

/// The ConfigError raised when `dataset_yaml` (a config's `dataset:` map, written as if in
/// exp.yaml) is validated against the built-in entry `name`'s options; fails the test when none.
ConfigError dataset_config_error(const std::string& name, const std::string& dataset_yaml);

/// Writes an IDX file: big-endian `magic` and `dims`, then `data`; gzip-compressed unless
/// `gzip` is false.
void write_idx(const std::string& path, uint32_t magic, const std::vector<uint32_t>& dims,
               const std::vector<uint8_t>& data, bool gzip = true);

/// Writes `text` to `path` as is.
void write_text(const std::string& path, const std::string& text);

/// Loads `name` with `overrides` twice with `seed` and once with `other_seed`: the first two
/// must agree on every fingerprint and the third differ on each split's.
void expect_fingerprints_follow_seed(const std::string& name, const nlohmann::json& overrides,
                                     uint64_t seed, uint64_t other_seed);

/// Samples per class in a split.
std::vector<int> label_counts(const Split& split, int num_classes);

}  // namespace testing_util
}  // namespace lazystack
