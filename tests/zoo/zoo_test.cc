// build_zoo end to end on synthetic data: the cache round trip, damaged or foreign cache files
// recomputed, costs per ZooOptions::cost, and failing members recorded while the others go on.
#include "zoo/zoo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/hdf5_io.h"
#include "core/provenance.h"
#include "fixtures.h"
#include "zoo/threads.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;
using testing_zoo::TempDir;

// A model whose training always fails.
class FailingModel : public ZooModel {
 public:
  void train(const Dataset&, uint64_t) override { throw std::runtime_error("boom in training"); }
  void save(const std::string&) const override {}
  void load(const std::string&) override { throw std::runtime_error("nothing to load"); }
  std::vector<float> logits(const Split&) override { return {}; }
  void logits_one(const float*, float*) override {}
  double macs() const override { return 0; }
  double params() const override { return 0; }
};

ModelRegistry test_registry() {
  ModelRegistry r;
  register_builtin_models(r);
  r.add({"failing", "always fails", {}, [](const Options&, const Dataset&) {
           return std::make_unique<FailingModel>();
         }});
  return r;
}

ZooEntry entry(const std::string& name, const std::string& arch, const ModelRegistry& registry,
               const nlohmann::json& overrides = nlohmann::json::object()) {
  ZooEntry e;
  e.name = name;
  e.arch = arch;
  if (const auto* spec = registry.find(arch)) e.options = default_options(spec->options, overrides);
  return e;
}

class BuildZoo : public ::testing::Test {
 protected:
  BuildZoo() : ds_(testing_zoo::synthetic_images()), registry_(test_registry()) {
    options_.cache_dir = dir_.file("cache");
    options_.profile_repeats = 5;
    entries_ = {
        entry("soft", "softmax", registry_, {{"epochs", 3}, {"batch_size", 32}}),
        entry("mlp-s", "mlp", registry_, {{"epochs", 3}, {"batch_size", 32}, {"hidden", {32}}}),
        entry("knn", "hog-knn", registry_, {{"k", 5}})};
  }
  Zoo build() { return build_zoo(ds_, entries_, options_, registry_); }

  const ZooMember& member(const Zoo& zoo, const std::string& name) {
    for (const auto& m : zoo.members)
      if (m.name == name) return m;
    throw std::runtime_error("no member " + name);
  }
  std::string weights_file(const std::string& name) {
    for (const auto& p : fs::directory_iterator(dir_.file("cache/weights/" + ds_.name)))
      if (p.path().filename().string().rfind(name + "-", 0) == 0 &&
          p.path().extension() != ".json")  // not the setup-time sidecar
        return p.path().string();
    return "";
  }
  static void expect_same_logits(const Zoo& a, const Zoo& b) {
    ASSERT_EQ(a.val.model_names(), b.val.model_names());
    const size_t n = static_cast<size_t>(a.val.num_samples()) * a.val.num_classes();
    for (int m = 0; m < a.val.num_models(); ++m) {
      EXPECT_TRUE(std::equal(a.val.model_log_probs(m), a.val.model_log_probs(m) + n,
                             b.val.model_log_probs(m)))
          << a.val.model_names()[m];
      EXPECT_TRUE(std::equal(a.test.model_probs(m),
                             a.test.model_probs(m) + a.test.num_samples() * a.test.num_classes(),
                             b.test.model_probs(m)))
          << a.val.model_names()[m];
    }
  }

  TempDir dir_;
  Dataset ds_;
  ModelRegistry registry_;
  ZooOptions options_;
  std::vector<ZooEntry> entries_;
};

TEST_F(BuildZoo, SecondBuildLoadsEverythingFromTheCache) {
  const Zoo cold = build();
  ASSERT_EQ(cold.val.num_models(), 3);
  for (const auto& m : cold.members) {
    EXPECT_TRUE(m.error.empty()) << m.name << ": " << m.error;
    EXPECT_FALSE(m.from_cache) << m.name;
    EXPECT_GT(m.train_seconds, 0) << m.name;
    EXPECT_GT(m.latency_ms, 0) << m.name;
    EXPECT_EQ(m.cost, m.latency_ms) << "default cost is latency_ms";
    EXPECT_GT(m.val_accuracy, 0.6) << m.name;
    EXPECT_TRUE(fs::exists(m.logits_path)) << m.logits_path;
    EXPECT_EQ(fs::path(m.logits_path).parent_path(),
              fs::path(dir_.file("cache/logits/" + ds_.name)));
    EXPECT_EQ(fs::path(m.logits_path).stem().string(), m.cache_key);
    EXPECT_EQ(m.cache_key.rfind(m.name + "-", 0), 0u) << "readable prefix: " << m.cache_key;
  }
  EXPECT_EQ(member(cold, "soft").macs, 144.0 * 4);
  EXPECT_NE(weights_file("soft"), "");
  EXPECT_EQ(fs::path(weights_file("knn")).extension(), ".h5");
  EXPECT_EQ(cold.val.labels(), ds_.val.y);
  EXPECT_EQ(cold.test.costs()[1], member(cold, "mlp-s").latency_ms);
  EXPECT_DOUBLE_EQ(cold.test.model_accuracy(2), member(cold, "knn").test_accuracy);

  const Zoo warm = build();
  for (size_t i = 0; i < warm.members.size(); ++i) {
    const ZooMember& w = warm.members[i];
    const ZooMember& c = cold.members[i];
    EXPECT_TRUE(w.from_cache) << w.name;
    EXPECT_EQ(w.train_seconds, 0) << w.name;
    EXPECT_EQ(w.setup_seconds, c.train_seconds) << w.name << ": setup cost kept in the cache";
    EXPECT_EQ(w.latency_ms, c.latency_ms) << "latency is read from the cache, not re-profiled";
    EXPECT_EQ(w.macs, c.macs);
    EXPECT_EQ(w.val_accuracy, c.val_accuracy);
    EXPECT_EQ(w.cache_key, c.cache_key);
  }
  expect_same_logits(cold, warm);
  const nlohmann::json j = warm.members[0].to_json();
  EXPECT_EQ(j["name"], "soft");
  EXPECT_TRUE(j["error"].is_null());
  EXPECT_EQ(j["from_cache"], true);
}

TEST_F(BuildZoo, LatencyRepeatsAreKeptAndBackfilledWithoutMovingTheLatency) {
  const Zoo cold = build();
  for (const auto& m : cold.members) {
    ASSERT_EQ(m.latency_repeats_ms.size(), 5u) << m.name;  // profile_repeats
    std::vector<double> sorted = m.latency_repeats_ms;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(m.latency_ms, sorted[2]) << m.name << ": the median of its repeats";
    EXPECT_EQ(read_logit_cache(m.logits_path, nullptr).latency_repeats_ms, m.latency_repeats_ms);
  }
  // An entry written before repeats were kept: no /profile/latency_ms. The next build profiles
  // the model again from its cached weights, adds the repeats to the file and keeps latency_ms.
  const ZooMember& soft = member(cold, "soft");
  CachedLogits old = read_logit_cache(soft.logits_path, nullptr);
  old.latency_repeats_ms.clear();
  old.latency_ms = 123.0;  // a value no new profile gives
  write_logit_cache(soft.logits_path, old);
  const Zoo again = build();
  const ZooMember& back = member(again, "soft");
  EXPECT_TRUE(back.from_cache);
  EXPECT_EQ(back.train_seconds, 0) << "profiled from the cached weights, not retrained";
  EXPECT_EQ(back.latency_ms, 123.0);
  EXPECT_EQ(back.latency_repeats_ms.size(), 5u);
  EXPECT_EQ(read_logit_cache(back.logits_path, nullptr).latency_repeats_ms,
            back.latency_repeats_ms);
  expect_same_logits(cold, again);
  // With cost: macs nothing is timed, so nothing is backfilled.
  old.latency_repeats_ms.clear();
  write_logit_cache(soft.logits_path, old);
  options_.cost = CostUnit::kMacs;
  EXPECT_TRUE(member(build(), "soft").latency_repeats_ms.empty());
}

TEST_F(BuildZoo, ForceRecomputesAndChangedOptionsGetTheirOwnEntry) {
  const Zoo cold = build();
  options_.force = true;
  const Zoo forced = build();
  for (const auto& m : forced.members) {
    EXPECT_FALSE(m.from_cache) << m.name;
    EXPECT_GT(m.train_seconds, 0) << m.name;
  }
  expect_same_logits(cold, forced);  // seeded training reproduces the same models
  options_.force = false;
  entries_[1] =
      entry("mlp-s", "mlp", registry_, {{"epochs", 2}, {"batch_size", 32}, {"hidden", {32}}});
  const Zoo changed = build();
  EXPECT_TRUE(member(changed, "soft").from_cache);
  EXPECT_FALSE(member(changed, "mlp-s").from_cache);
  EXPECT_NE(member(changed, "mlp-s").cache_key, member(cold, "mlp-s").cache_key);
}

TEST_F(BuildZoo, DamagedOrForeignLogitFilesAreRecomputedFromTheWeights) {
  const Zoo cold = build();
  const std::string soft = member(cold, "soft").logits_path;
  const std::string mlp = member(cold, "mlp-s").logits_path;
  const std::string knn = member(cold, "knn").logits_path;
  fs::resize_file(soft, fs::file_size(soft) / 2);       // truncated
  std::ofstream(mlp, std::ios::trunc) << "garbage\n";   // foreign
  CachedLogits other = read_logit_cache(knn, nullptr);  // valid file, another key
  other.key["seed"] = 12345;
  write_logit_cache(knn, other);

  const Zoo again = build();
  for (const auto& m : again.members) {
    EXPECT_TRUE(m.error.empty()) << m.error;
    EXPECT_FALSE(m.from_cache) << m.name;
    EXPECT_EQ(m.train_seconds, 0) << m.name << ": the weights were valid, no retraining";
  }
  expect_same_logits(cold, again);
  for (size_t i = 0; i < again.members.size(); ++i)
    EXPECT_EQ(again.members[i].setup_seconds, cold.members[i].train_seconds)
        << again.members[i].name << ": setup cost read beside the weights";
  const Zoo warm = build();
  for (const auto& m : warm.members) EXPECT_TRUE(m.from_cache) << m.name << " was rewritten";
}

TEST_F(BuildZoo, LogitsOfOtherLabelsAreRecomputed) {
  const Zoo cold = build();
  const std::string soft = member(cold, "soft").logits_path;
  CachedLogits e = read_logit_cache(soft, nullptr);
  e.val_labels[0] = (e.val_labels[0] + 1) % ds_.num_classes;  // same key, wrong labels
  write_logit_cache(soft, e);
  EXPECT_FALSE(member(build(), "soft").from_cache);
}

TEST_F(BuildZoo, DamagedWeightsMeanRetraining) {
  const Zoo cold = build();
  for (const char* name : {"soft", "knn"}) {
    fs::remove(member(cold, name).logits_path);
    const std::string w = weights_file(name);
    fs::resize_file(w, fs::file_size(w) / 3);
  }
  const Zoo again = build();
  EXPECT_GT(member(again, "soft").train_seconds, 0);
  EXPECT_GT(member(again, "knn").train_seconds, 0);
  EXPECT_TRUE(member(again, "mlp-s").from_cache);
  expect_same_logits(cold, again);
}

TEST_F(BuildZoo, FailingMembersAreRecordedAndTheOthersGoOn) {
  entries_.insert(entries_.begin() + 1, entry("broken", "failing", registry_));
  entries_.push_back(entry("nowhere", "no-such-arch", registry_));
  entries_.push_back(
      entry("too-deep", "cnn", registry_, {{"channels", {4, 4, 4, 4}}, {"epochs", 1}}));
  const Zoo zoo = build();
  ASSERT_EQ(zoo.members.size(), 6u);
  EXPECT_EQ(zoo.val.model_names(), (std::vector<std::string>{"soft", "mlp-s", "knn"}));
  EXPECT_EQ(member(zoo, "broken").error, "boom in training");
  EXPECT_NE(member(zoo, "nowhere").error.find("unknown architecture"), std::string::npos);
  EXPECT_NE(member(zoo, "too-deep").error.find("too small"), std::string::npos)
      << member(zoo, "too-deep").error;
  EXPECT_EQ(member(zoo, "broken").to_json()["error"], "boom in training");
  EXPECT_EQ(zoo.test.costs().size(), 3u);
}

TEST_F(BuildZoo, CostFollowsTheOption) {
  options_.cost = CostUnit::kMacs;
  Zoo zoo = build();
  EXPECT_EQ(zoo.val.costs(), (std::vector<double>{144.0 * 4, 144.0 * 32 + 32 * 4, 400.0 * 324}));
  options_.cost = CostUnit::kParams;
  zoo = build();
  EXPECT_EQ(member(zoo, "soft").cost, 144.0 * 4 + 4);
  options_.cost = CostUnit::kGiven;
  entries_[0].given_cost = 0.5;
  entries_[1].given_cost = 2.0;
  zoo = build();
  EXPECT_EQ(member(zoo, "soft").cost, 0.5);
  EXPECT_EQ(member(zoo, "mlp-s").cost, 2.0);
  EXPECT_NE(member(zoo, "knn").error.find("no cost"), std::string::npos);
  EXPECT_EQ(zoo.val.costs(), (std::vector<double>{0.5, 2.0}));
}

TEST_F(BuildZoo, LogitFileCarriesKeyAndProvenance) {
  const Zoo zoo = build();
  const ZooMember& m = member(zoo, "mlp-s");
  const h5::File f = h5::File::open(m.logits_path);
  const nlohmann::json key = nlohmann::json::parse(f.get_attr_string("/", "key"));
  EXPECT_EQ(key["arch"], "mlp");
  EXPECT_EQ(key["dataset_fingerprint"], ds_.fingerprint());
  EXPECT_EQ(key["options"]["hidden"], nlohmann::json({32}));
  EXPECT_EQ(key["seed"], 0);
  EXPECT_EQ(key["tool_version"], tool_version());
  EXPECT_EQ(f.get_attr_string("/", "git_revision"), git_revision());
  EXPECT_EQ(f.get_attr_double("/", "latency_ms"), m.latency_ms);
  EXPECT_EQ(f.get_attr_double("/", "macs"), 144.0 * 32 + 32 * 4);
  EXPECT_EQ(f.dims("/val/logits"), (std::vector<uint64_t>{200, 4}));
  EXPECT_EQ(f.dims("/test/labels"), (std::vector<uint64_t>{200}));
}

// Batch executors' tasks find a member's logits where its own task computed them (another node):
// ZooOptions::measured_on keys the entry by that machine's hardware and thread count.
TEST_F(BuildZoo, MeasuredOnKeysAMemberByTheMachineThatProfiledIt) {
  const Zoo cold = build();
  options_.measured_on["soft"] = {{"hardware", hardware_fingerprint()},
                                  {"compute_threads", default_compute_threads()}};
  const Zoo same = build();  // this machine named explicitly: the same entries
  for (size_t i = 0; i < same.members.size(); ++i) {
    EXPECT_TRUE(same.members[i].from_cache) << same.members[i].name;
    EXPECT_EQ(same.members[i].cache_key, cold.members[i].cache_key);
  }
  options_.measured_on["soft"] = {{"hardware", "x86_64 Some Other CPU 64c"},
                                  {"compute_threads", 64}};
  const Zoo other = build();
  EXPECT_FALSE(member(other, "soft").from_cache) << "no entry of that machine yet";
  EXPECT_NE(member(other, "soft").cache_key, member(cold, "soft").cache_key);
  EXPECT_TRUE(member(other, "mlp-s").from_cache) << "members not named keep this machine's key";
  EXPECT_EQ(member(other, "mlp-s").cache_key, member(cold, "mlp-s").cache_key);
  const Zoo again = build();
  EXPECT_TRUE(member(again, "soft").from_cache) << "found under the other machine's key";
  EXPECT_EQ(member(again, "soft").cache_key, member(other, "soft").cache_key);
}

}  // namespace
}  // namespace lazystack
