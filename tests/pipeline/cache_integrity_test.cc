// Content-addressed caches (issue 17, finding 2), through run_experiment on a synthetic zoo
// (seconds): bytes overwritten inside a cached logit file's data are detected and the logits
// recomputed, never used; a logit file whose content changed under the same key makes every
// method that reads it fit again instead of reusing results computed on the old logits.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "pipeline/run.h"
#include "reports/summary.h"
#include "zoo/zoo.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path fresh_dir(const std::string& name) {
  const fs::path d =
      fs::temp_directory_path() / ("lazystack_cache_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

json run(const fs::path& dir, const std::vector<std::string>& overrides = {}) {
  const fs::path path = dir / "exp.yaml";
  std::ofstream(path)
      << "experiment: integrity\n"
         "dataset: {name: synthetic, classes: 4, val_size: 300, test_size: 300, "
         "seed: 1}\n"
         "cost: given\nprofile_repeats: 1\n"
         "cache_dir: "
      << (dir / "cache").string() << "\nresults_dir: " << (dir / "results").string()
      << "\nzoo:\n"
         "  - {name: a, arch: synthetic, accuracy: 0.6, correlation: 0.2, cost: 1}\n"
         "  - {name: b, arch: synthetic, accuracy: 0.8, correlation: 0.2, cost: 10}\n"
         "methods:\n  single: {}\n  stacker: {epochs: 5}\n  cost-cascade: {}\n";
  const Registries registries = make_builtin_registries();
  const ExperimentConfig cfg = load_experiment_config(path.string(), overrides, registries);
  return reports::load_summary(run_experiment(cfg, registries, RunOptions{}));
}

const json& member_list(const json& summary) { return summary.at("zoo"); }

const json& member(const json& summary, const std::string& name) {
  for (const json& m : summary.at("zoo"))
    if (m.at("name") == name) return m;
  throw std::runtime_error("no member " + name);
}

// Byte offset of a contiguous dataset's data in an HDF5 file.
uint64_t data_offset(const std::string& path, const std::string& dataset) {
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t d = H5Dopen2(f, dataset.c_str(), H5P_DEFAULT);
  const haddr_t offset = H5Dget_offset(d);
  H5Dclose(d);
  H5Fclose(f);
  if (offset == HADDR_UNDEF) throw std::runtime_error("no offset for " + dataset);
  return offset;
}

TEST(CacheIntegrity, OverwrittenLogitBytesAreDetectedAndRecomputed) {
  const fs::path dir = fresh_dir("corrupt");
  const json first = run(dir);
  const std::string path = member(first, "a").at("logits_path");
  // Large logits for the first 8 samples' class 0: the argmax moves, the accuracy with it.
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(data_offset(path, "/val/logits")));
    const float big[4] = {50.f, -50.f, -50.f, -50.f};
    for (int i = 0; i < 8; ++i) f.write(reinterpret_cast<const char*>(big), sizeof big);
    ASSERT_TRUE(f.good());
  }
  const json second = run(dir);
  EXPECT_FALSE(member(second, "a").at("from_cache").get<bool>()) << "corrupt logits were used";
  EXPECT_EQ(member(second, "a").at("val_accuracy"), member(first, "a").at("val_accuracy"));
  EXPECT_TRUE(member(second, "b").at("from_cache").get<bool>());
  // The recomputed file is whole again: the next run reads it.
  const json third = run(dir);
  EXPECT_TRUE(member(third, "a").at("from_cache").get<bool>());
}

TEST(CacheIntegrity, MethodResultsFollowTheContentOfTheLogitsTheyRead) {
  const fs::path dir = fresh_dir("content");
  const json first = run(dir);
  for (const auto& m : run(dir).at("methods").items())  // unchanged logits: every result reused
    EXPECT_TRUE(m.value().at("from_cache").get<bool>()) << m.key();
  // Other logits under the same key, written whole (valid checksum): the cache file is fine,
  // but every method result computed on the old content is stale.
  const std::string path = member(first, "a").at("logits_path");
  CachedLogits e = read_logit_cache(path, nullptr);
  for (size_t i = 0; i < e.val_logits.size(); i += 4)
    std::swap(e.val_logits[i], e.val_logits[i + 1]);
  write_logit_cache(path, e);
  const json second = run(dir);
  EXPECT_TRUE(member(second, "a").at("from_cache").get<bool>());
  EXPECT_NE(member(second, "a").at("val_accuracy"), member(first, "a").at("val_accuracy"));
  for (const auto& m : second.at("methods").items())
    EXPECT_FALSE(m.value().at("from_cache").get<bool>())
        << m.key() << " reused a result computed on other logits";
}

// The method cache key is the method (name, card version, options) and the content of what it
// reads, not the build: a warm run after one method's options change refits that method alone,
// and its new result shows the change.
TEST(CacheIntegrity, ChangingOneMethodsOptionsRefitsOnlyThatMethod) {
  const fs::path dir = fresh_dir("one_method");
  const json first = run(dir);
  const json second = run(dir, {"methods.cost-cascade.thresholds=[0.2, 0.9]"});
  for (const auto& m : second.at("methods").items()) {
    const bool refit = m.key() == "cost-cascade";
    EXPECT_EQ(m.value().at("from_cache").get<bool>(), !refit) << m.key();
    if (!refit) {
      EXPECT_EQ(m.value().at("curve"), first.at("methods").at(m.key()).at("curve"));
    }
  }
  EXPECT_EQ(second.at("methods").at("cost-cascade").at("curve").size(), 2u);
  EXPECT_NE(first.at("methods").at("cost-cascade").at("curve").size(), 2u);
  for (const auto& m : member_list(second)) EXPECT_TRUE(m.at("from_cache").get<bool>());
  // Back to the first options: the first result again, from the cache.
  const json third = run(dir);
  EXPECT_TRUE(third.at("methods").at("cost-cascade").at("from_cache").get<bool>());
  EXPECT_EQ(third.at("methods").at("cost-cascade").at("curve"),
            first.at("methods").at("cost-cascade").at("curve"));
  // The keys hold the method's card version and no build revision.
  int entries = 0;
  for (const auto& f : fs::recursive_directory_iterator(dir / "cache" / "methods")) {
    if (f.path().extension() != ".json") continue;
    std::ifstream in(f.path());
    json key;
    try {
      key = json::parse(in).at("key");
    } catch (const std::exception&) {
      continue;  // not a method result (e.g. ocl's measured latencies)
    }
    ++entries;
    EXPECT_TRUE(key.contains("method_version")) << f.path();
    EXPECT_FALSE(key.contains("git_revision")) << f.path();
  }
  EXPECT_EQ(entries, 4);  // single, stacker and cost-cascade under two option sets
}

}  // namespace
}  // namespace lazystack
