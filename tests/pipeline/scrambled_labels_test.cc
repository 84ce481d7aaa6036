// Honesty end to end: scrambling the test labels changes no knob, no headline choice and no
// decision of any method, only the accuracies reported (and the decisions of the oracle, the
// one bound that reads labels: the control that shows the test can see label use). Two runs of
// every method on a tiny seeded dataset with features (so the online ocl runs too) and an
// imported 4-model zoo whose outputs are identical in both runs; seeds 0 (the test set as
// observed) and 1 (a bootstrap replicate of it, pipeline/seed_sampling.h).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/hdf5_io.h"
#include "pipeline/run.h"
#include "reports/summary.h"
#include "zoo/zoo.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kClasses = 4, kDim = 6, kTrain = 40, kVal = 400, kTest = 300, kModels = 4;

// Class centres on the first kDim axes, shifted so classes overlap a little.
float centre(int c, int d) { return d == c ? 1.5f : (d == (c + 1) % kDim ? 0.5f : 0.0f); }

// A split of n samples: labels uniform, features = centre + unit noise (seeded).
Split make_split(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  Split s;
  s.num_samples = n;
  for (int i = 0; i < n; ++i) {
    const int c = static_cast<int>(rng() % kClasses);
    s.y.push_back(c);
    for (int d = 0; d < kDim; ++d) s.x.push_back(centre(c, d) + noise(rng));
  }
  return s;
}

// The same test labels, scrambled: a seeded shuffle (most labels change).
std::vector<int32_t> scrambled(std::vector<int32_t> y) {
  std::mt19937_64 rng(99);
  std::shuffle(y.begin(), y.end(), rng);
  return y;
}

// `toy`: features, 4 classes; option scramble_test shuffles the test labels.
DatasetRegistry::Entry toy_dataset_entry() {
  return {"toy",
          "tiny seeded Gaussian classes (test)",
          {opt_bool("scramble_test", false, "shuffle the test labels")},
          [](const Options& o, uint64_t) {
            auto ds = std::make_unique<Dataset>();
            ds->name = "toy";
            ds->domain = "tabular";
            ds->num_classes = kClasses;
            ds->shape = InputShape{1, 1, kDim, false};
            ds->train = make_split(kTrain, 1);
            ds->val = make_split(kVal, 2);
            ds->test = make_split(kTest, 3);
            if (o.get_bool("scramble_test")) ds->test.y = scrambled(ds->test.y);
            ds->finalize();
            return ds;
          }};
}

// Member k's logits on a split: -scale_k * squared distance to each centre, plus seeded noise
// (weaker members: smaller scale, more noise). Depends on the features only, never the labels.
std::vector<float> member_logits(const Split& s, int k) {
  std::mt19937_64 rng(1000 + k);
  std::normal_distribution<float> noise(0.0f, 1.0f);
  const float scale = 0.3f + 0.4f * k, sd = 2.0f - 0.4f * k;
  std::vector<float> out;
  for (int i = 0; i < s.num_samples; ++i)
    for (int c = 0; c < kClasses; ++c) {
      float d2 = 0.0f;
      for (int d = 0; d < kDim; ++d) {
        const float diff = s.x[i * kDim + d] - centre(c, d);
        d2 += diff * diff;
      }
      out.push_back(-scale * d2 + sd * noise(rng));
    }
  return out;
}

// The imported member files of the dataset (its labels, identical logits either way).
void write_members(const Dataset& ds, const fs::path& dir) {
  fs::create_directories(dir);
  for (int k = 0; k < kModels; ++k) {
    CachedLogits e;
    e.num_classes = kClasses;
    e.val_logits = member_logits(ds.val, k);
    e.test_logits = member_logits(ds.test, k);
    e.val_labels = ds.val.y;
    e.test_labels = ds.test.y;
    e.key = {{"kind", "imported-logits"}, {"name", "m" + std::to_string(k)}, {"cost", 1.0}};
    write_logit_cache((dir / ("m" + std::to_string(k) + ".h5")).string(), e);
  }
}

std::string config(const fs::path& dir, bool scramble) {
  std::string zoo;
  for (int k = 0; k < kModels; ++k)
    zoo += "  - {name: m" + std::to_string(k) + ", source: import, path: " +
           (dir / "members" / ("m" + std::to_string(k) + ".h5")).string() +
           ", cost: " + std::to_string(0.1 * (1 << (2 * k))) + "}\n";
  return "experiment: scrambled\n"
         "dataset: {name: toy, scramble_test: " +
         std::string(scramble ? "true" : "false") +
         "}\n"
         "seeds: [0, 1]\ncost: given\ncache_dir: " +
         (dir / "cache").string() + "\nresults_dir: " + (dir / "results").string() + "\nzoo:\n" +
         zoo +
         "methods:\n"
         "  single: {}\n  ensemble: {}\n  stacker: {cv_folds: 3, epochs: 40}\n  oracle: {}\n"
         "  stacking-weights: {}\n  cost-cascade: {}\n  cascade-search: {}\n  woc: {}\n"
         "  abc: {}\n  coe: {cost_model: parallel, tier_delays: [0.01, 0.1]}\n"
         "  lazystack-sub: {betas: [1, 20], epochs: 20}\n"
         "  lazystack-mask: {betas: [1, 20], epochs: 20}\n"
         "  lazystack-no-mdp: {epochs: 20}\n  lazystack-no-sub: {betas: [1, 20]}\n"
         "  lazystack-neither: {}\n"
         "  ocl: {mu: [0.1, 1], hidden: 16, level_costs: [0.01, 0.05]}\n";
}

// Runs the experiment in `dir` (its own cache and results) and returns the run folder.
fs::path run(const fs::path& dir, bool scramble) {
  fs::create_directories(dir);
  Registries r = make_builtin_registries();
  r.datasets.add(toy_dataset_entry());
  write_members(
      *r.datasets.find("toy")->make(
          default_options({opt_bool("scramble_test", false, "")}, {{"scramble_test", scramble}}),
          0),
      dir / "members");
  const fs::path path = dir / "exp.yaml";
  std::ofstream(path) << config(dir, scramble);
  const ExperimentConfig cfg = load_experiment_config(path.string(), {}, r);
  return run_experiment(cfg, r, RunOptions{});
}

// A curve point without what test labels may change (accuracy) or timing noise decides.
json decided(const json& p) {
  json q = p;
  for (const char* key : {"accuracy", "retention", "overhead_ns"}) q.erase(key);
  return q;
}

struct Decisions {
  std::vector<int32_t> prediction, depth;
  std::vector<float> cost;
  std::vector<double> executed;  ///< masks of 4 models: exact as doubles
};

Decisions read_decisions(const fs::path& h5, const std::string& method) {
  const h5::File f = h5::File::open(h5.string());
  std::vector<uint64_t> dims;
  const std::string g = "/methods/" + method;
  return {f.read_i32(g + "/prediction", &dims), f.read_i32(g + "/depth", &dims),
          f.read_f32(g + "/cost", &dims), f.read_f64(g + "/executed_mask", &dims)};
}

TEST(ScrambledTestLabels, ChangeOnlyTheReportedAccuracies) {
  const fs::path dir = fs::temp_directory_path() / "lazystack_scrambled_labels";
  fs::remove_all(dir);
  const fs::path clean = run(dir / "clean", false);
  const fs::path scram = run(dir / "scrambled", true);

  for (const char* seed : {"seed-0", "seed-1"}) {
    SCOPED_TRACE(seed);
    const json a = reports::load_summary((clean / seed).string());
    const json b = reports::load_summary((scram / seed).string());
    EXPECT_EQ(a.at("seed_sampling").at("test"),
              std::string(seed) == "seed-0" ? "observed" : "bootstrap");
    EXPECT_EQ(a.at("seed_sampling"), b.at("seed_sampling"));
    // The target comes from val: identical. The stacker's test accuracy is not.
    EXPECT_EQ(a.at("reference").at("target_val_accuracy"),
              b.at("reference").at("target_val_accuracy"));
    EXPECT_NE(a.at("reference").at("full_stacker_accuracy"),
              b.at("reference").at("full_stacker_accuracy"));
    // Labels in results.h5 differ (the scramble took effect, also in the replicate).
    const h5::File fa = h5::File::open((clean / seed / "results.h5").string());
    const h5::File fb = h5::File::open((scram / seed / "results.h5").string());
    std::vector<uint64_t> dims;
    EXPECT_NE(fa.read_i32("/labels", &dims), fb.read_i32("/labels", &dims));

    int methods = 0, accuracy_changed = 0;
    for (auto it = a.at("methods").begin(); it != a.at("methods").end(); ++it) {
      const std::string name = it.key();
      SCOPED_TRACE(name);
      const json& ma = it.value();
      const json& mb = b.at("methods").at(name);
      ASSERT_TRUE(ma.at("error").is_null()) << ma.at("error");
      ASSERT_TRUE(mb.at("error").is_null()) << mb.at("error");
      const Decisions da = read_decisions(clean / seed / "results.h5", name);
      const Decisions db = read_decisions(scram / seed / "results.h5", name);
      if (name == "oracle") {  // the control: a bound that reads labels must change
        EXPECT_NE(da.prediction, db.prediction);
        continue;
      }
      ++methods;
      // Knobs: the grid, the val_cal curve and the headline choice.
      EXPECT_EQ(ma.at("val_curve"), mb.at("val_curve"));
      EXPECT_EQ(ma.at("headline").at("knob"), mb.at("headline").at("knob"));
      EXPECT_EQ(ma.at("headline").at("val_accuracy"), mb.at("headline").at("val_accuracy"));
      // Decisions at every knob on test: what ran, what it cost, how deep (not accuracy).
      ASSERT_EQ(ma.at("curve").size(), mb.at("curve").size());
      for (size_t i = 0; i < ma.at("curve").size(); ++i)
        EXPECT_EQ(decided(ma.at("curve")[i]), decided(mb.at("curve")[i])) << "point " << i;
      // Decisions per test sample at the headline.
      EXPECT_EQ(da.prediction, db.prediction);
      EXPECT_EQ(da.executed, db.executed);
      EXPECT_EQ(da.cost, db.cost);
      EXPECT_EQ(da.depth, db.depth);
      accuracy_changed += ma.at("headline").at("accuracy") != mb.at("headline").at("accuracy");
    }
    EXPECT_EQ(methods, 15);
    EXPECT_EQ(accuracy_changed, methods);  // the reported accuracies move
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lazystack
