// The gatekeeper architecture: the loss equals its formula, the max-prob AUROC helper, the
// wrapper's fine-tuning and refusals, and build_zoo with derived entries (cache, keys, setup
// cost, errors naming the model), down to the point of it all: on digits the fine-tuned model
// separates its right from its wrong val answers by max-prob better than its parent.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "datasets/builtin.h"
#include "fixtures.h"
#include "zoo/torch_classifier.h"
#include "zoo/zoo.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;
using testing_zoo::TempDir;

const ModelRegistry& registry() { return testing_zoo::builtin_models(); }

std::vector<float> log_of(const std::vector<float>& probs) {
  std::vector<float> out;
  for (float p : probs) out.push_back(std::log(p));
  return out;
}

// Three samples of K = 3 classes, logits = log p (so softmax gives p back):
//   #0 p = (0.7, 0.2, 0.1), label 0: right, CE = -ln 0.7 = 0.356675
//   #1 p = (0.5, 0.3, 0.2), label 1: wrong (predicts 0),
//      KL(p || U) = 0.5 ln 0.5 + 0.3 ln 0.3 + 0.2 ln 0.2 + ln 3
//                 = -0.346574 - 0.361192 - 0.321888 + 1.098612 = 0.068959
//   #2 p = (0.1, 0.1, 0.8), label 2: right, CE = -ln 0.8 = 0.223144
const std::vector<float> kLogits = log_of({0.7f, 0.2f, 0.1f, 0.5f, 0.3f, 0.2f, 0.1f, 0.1f, 0.8f});
const std::vector<int32_t> kLabels = {0, 1, 2};
constexpr double kCe0 = 0.356675, kKl1 = 0.068959, kCe2 = 0.223144;

TEST(GatekeeperLoss, EqualsItsFormulaOnKnownProbabilities) {
  const auto batch = GatekeeperReduction::kBatch;
  const auto group = GatekeeperReduction::kGroup;
  // Paper: L = alpha * (1/N) sum_right CE + (1 - alpha) * (1/N) sum_wrong KL, N = 3.
  // alpha 0.25: 0.25 * (0.356675 + 0.223144) / 3 + 0.75 * 0.068959 / 3 = 0.048318 + 0.017240
  EXPECT_NEAR(gatekeeper_loss(kLogits, kLabels, 3, 0.25, batch), 0.065558, 2e-6);
  EXPECT_NEAR(gatekeeper_loss(kLogits, kLabels, 3, 0.25, batch),
              0.25 * (kCe0 + kCe2) / 3 + 0.75 * kKl1 / 3, 2e-6);
  // Per group: 0.25 * (0.356675 + 0.223144) / 2 + 0.75 * 0.068959 / 1 = 0.072477 + 0.051719
  EXPECT_NEAR(gatekeeper_loss(kLogits, kLabels, 3, 0.25, group), 0.124197, 2e-6);
  // alpha 1: cross-entropy of the right answers only; alpha 0: KL of the wrong ones only.
  EXPECT_NEAR(gatekeeper_loss(kLogits, kLabels, 3, 1.0, batch), (kCe0 + kCe2) / 3, 2e-6);
  EXPECT_NEAR(gatekeeper_loss(kLogits, kLabels, 3, 0.0, batch), kKl1 / 3, 2e-6);
  EXPECT_NEAR(gatekeeper_loss(kLogits, kLabels, 3, 0.0, group), kKl1, 2e-6);

  // All right and alpha 1: the plain mean cross-entropy.
  const std::vector<int32_t> right = {0, 0, 2};
  EXPECT_NEAR(gatekeeper_loss(kLogits, right, 3, 1.0, batch), (kCe0 - std::log(0.5) + kCe2) / 3,
              2e-6);
  // No wrong answer: the empty group adds nothing (no division by zero).
  EXPECT_NEAR(gatekeeper_loss(kLogits, right, 3, 0.5, group),
              0.5 * (kCe0 - std::log(0.5) + kCe2) / 3, 2e-6);
  // A uniform wrong answer costs nothing: KL(U || U) = 0.
  EXPECT_NEAR(gatekeeper_loss({0.f, 0.f, 0.f, 0.f}, {1}, 4, 0.0, batch), 0.0, 1e-9)
      << "ties predict the first class, so label 1 is wrong";
  EXPECT_THROW(gatekeeper_loss(kLogits, {0, 1}, 3, 0.5, batch), std::invalid_argument);
}

TEST(MaxProbAuroc, IsTheRankStatisticOfRightOverWrong) {
  // max p: #0 0.9 right, #1 0.6 wrong, #2 0.8 wrong, #3 0.7 right (two classes).
  auto two = [](float p) { return std::vector<float>{std::log(p), std::log(1 - p)}; };
  std::vector<float> logits;
  for (float p : {0.9f, 0.6f, 0.8f, 0.7f})
    for (float v : two(p)) logits.push_back(v);
  // Pairs (right, wrong): (0.9, 0.6) (0.9, 0.8) (0.7, 0.6) won, (0.7, 0.8) lost: 3 / 4.
  EXPECT_NEAR(max_prob_auroc(logits, {0, 1, 1, 0}, 2), 0.75, 1e-12);
  // A tie between a right and a wrong answer counts half: 0.9 vs 0.9 -> 0.5.
  EXPECT_NEAR(max_prob_auroc({2.f, 0.f, 2.f, 0.f}, {0, 1}, 2), 0.5, 1e-12);
  // Confidences that round to 1 in float still rank (logit gaps 40 vs 60).
  EXPECT_NEAR(max_prob_auroc({60.f, 0.f, 40.f, 0.f}, {0, 1}, 2), 1.0, 1e-12);
  EXPECT_TRUE(std::isnan(max_prob_auroc(logits, {0, 0, 0, 0}, 2))) << "no wrong answer";
}

Options gk_options(const nlohmann::json& overrides) {
  return default_options(registry().find("gatekeeper")->options, overrides);
}

TEST(GatekeeperOptions, AlphaOutsideTheUnitIntervalAndMissingKeysAreConfigErrors) {
  EXPECT_NO_THROW(gk_options({{"parent", "mlp-s"}, {"alpha", 0.0}}));
  EXPECT_NO_THROW(gk_options({{"parent", "mlp-s"}, {"alpha", 1.0}}));
  EXPECT_THROW(gk_options({{"parent", "mlp-s"}, {"alpha", 1.5}}), ConfigError);
  EXPECT_THROW(gk_options({{"parent", "mlp-s"}, {"alpha", -0.1}}), ConfigError);
  EXPECT_THROW(gk_options({{"alpha", 0.5}}), ConfigError) << "parent is required";
  EXPECT_THROW(gk_options({{"parent", "mlp-s"}}), ConfigError) << "alpha is required";
  EXPECT_THROW(gk_options({{"parent", "mlp-s"}, {"alpha", 0.5}, {"reduction", "mean"}}),
               ConfigError);
  EXPECT_THROW(gk_options({{"parent", "mlp-s"}, {"alpha", 0.5}, {"epochs", 0}}), ConfigError);
  const Options o = gk_options({{"parent", "mlp-s"}, {"alpha", 0.5}});
  EXPECT_EQ(o.get_int("epochs"), 3);
  EXPECT_EQ(o.get_string("reduction"), "batch");
}

std::unique_ptr<ZooModel> make(const std::string& name, const std::string& arch, const Dataset& ds,
                               const nlohmann::json& overrides) {
  auto model =
      registry().find(arch)->make(default_options(registry().find(arch)->options, overrides), ds);
  model->set_name(name);
  return model;
}

TEST(GatekeeperModel, FineTunesACopyOfItsParentAndRefusesOtherParents) {
  const Dataset ds = testing_zoo::synthetic_images();
  TempDir dir;
  const nlohmann::json mlp = {{"epochs", 2}, {"batch_size", 32}, {"hidden", {16}}};
  auto parent = make("mlp-s", "mlp", ds, mlp);
  parent->train(ds, 1);
  const std::string parent_path = dir.file("parent.pt");
  parent->save(parent_path);
  const std::vector<float> parent_val = parent->logits(ds.val);

  const nlohmann::json gk_opts = {
      {"parent", "mlp-s"}, {"alpha", 0.3}, {"epochs", 2}, {"batch_size", 32}, {"lr", 1e-3}};
  auto gk = make("mlp-s-gk0.3", "gatekeeper", ds, gk_opts);
  EXPECT_THROW(gk->train(ds, 1), std::logic_error) << "no parent yet";
  gk->set_parent(std::move(parent));
  gk->train(ds, 1);
  const std::vector<float> tuned_val = gk->logits(ds.val);
  EXPECT_NE(tuned_val, parent_val);
  auto reference = make("mlp-s", "mlp", ds, mlp);
  reference->load(parent_path);
  EXPECT_EQ(gk->macs(), reference->macs()) << "the parent's architecture";
  EXPECT_EQ(gk->params(), reference->params());

  // Weights round trip through a model of the parent's (untrained) architecture.
  const std::string path = dir.file("gk" + gk->weights_suffix());
  gk->save(path);
  auto again = make("mlp-s-gk0.3", "gatekeeper", ds, gk_opts);
  again->set_parent(make("mlp-s", "mlp", ds, mlp));
  again->load(path);
  EXPECT_EQ(again->logits(ds.val), tuned_val);
  std::vector<float> one(ds.num_classes);
  again->logits_one(ds.val.x.data(), one.data());
  for (int c = 0; c < ds.num_classes; ++c) EXPECT_NEAR(one[c], tuned_val[c], 1e-4);

  // Fine-tuning is seeded.
  auto twin = make("mlp-s-gk0.3", "gatekeeper", ds, gk_opts);
  twin->set_parent(std::move(reference));
  twin->train(ds, 1);
  EXPECT_EQ(twin->logits(ds.val), tuned_val);

  // Not a LibTorch network: an error naming both models.
  auto knn_child = make("knn-gk0.5", "gatekeeper", ds, {{"parent", "knn"}, {"alpha", 0.5}});
  try {
    knn_child->set_parent(make("knn", "hog-knn", ds, {{"k", 3}}));
    ADD_FAILURE() << "hog-knn accepted as a gatekeeper parent";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("knn-gk0.5"), std::string::npos) << what;
    EXPECT_NE(what.find("'knn'"), std::string::npos) << what;
    EXPECT_NE(what.find("cannot be fine-tuned"), std::string::npos) << what;
  }
  // And the other models do not take parents at all.
  EXPECT_THROW(make("soft", "softmax", ds, {})->set_parent(make("mlp-s", "mlp", ds, mlp)),
               std::logic_error);
}

ZooEntry entry(const std::string& name, const std::string& arch,
               const nlohmann::json& overrides = nlohmann::json::object()) {
  ZooEntry e;
  e.name = name;
  e.arch = arch;
  e.options = default_options(registry().find(arch)->options, overrides);
  return e;
}

const ZooMember& member(const Zoo& zoo, const std::string& name) {
  for (const auto& m : zoo.members)
    if (m.name == name) return m;
  throw std::runtime_error("no member " + name);
}

TEST(GatekeeperZoo, BadParentsFailTheirMemberByNameAndTheOthersGoOn) {
  const Dataset ds = testing_zoo::synthetic_images();
  TempDir dir;
  ZooOptions options;
  options.cache_dir = dir.file("cache");
  options.profile_repeats = 3;
  const std::vector<ZooEntry> entries = {
      entry("early", "gatekeeper", {{"parent", "soft"}, {"alpha", 0.5}}),  // parent comes later
      entry("soft", "softmax", {{"epochs", 2}, {"batch_size", 32}}),
      entry("knn", "hog-knn", {{"k", 3}}),
      entry("knn-gk0.5", "gatekeeper", {{"parent", "knn"}, {"alpha", 0.5}}),
      entry("ghost-gk", "gatekeeper", {{"parent", "ghost"}, {"alpha", 0.5}}),
      entry("self-gk", "gatekeeper", {{"parent", "self-gk"}, {"alpha", 0.5}}),
      entry("soft-gk0.5", "gatekeeper",
            {{"parent", "soft"}, {"alpha", 0.5}, {"epochs", 1}, {"batch_size", 32}}),
  };
  const Zoo zoo = build_zoo(ds, entries, options, registry());
  EXPECT_EQ(zoo.val.model_names(), (std::vector<std::string>{"soft", "knn", "soft-gk0.5"}));
  EXPECT_NE(member(zoo, "early").error.find("must be an earlier zoo entry"), std::string::npos)
      << member(zoo, "early").error;
  const std::string knn_error = member(zoo, "knn-gk0.5").error;
  EXPECT_NE(knn_error.find("'knn' is not one and cannot be fine-tuned"), std::string::npos)
      << knn_error;
  EXPECT_NE(knn_error.find("knn-gk0.5"), std::string::npos) << knn_error;
  EXPECT_NE(member(zoo, "ghost-gk").error.find("'ghost' is not a zoo entry"), std::string::npos)
      << member(zoo, "ghost-gk").error;
  EXPECT_NE(member(zoo, "self-gk").error.find("names itself"), std::string::npos);
  EXPECT_EQ(member(zoo, "soft-gk0.5").parent, "soft");
  EXPECT_EQ(member(zoo, "soft-gk0.5").to_json()["parent"], "soft");
  EXPECT_TRUE(member(zoo, "soft").to_json()["parent"].is_null());
}

TEST(GatekeeperZoo, AFineTunedModelCanParentAnotherAndKeysNest) {
  const Dataset ds = testing_zoo::synthetic_images();
  TempDir dir;
  ZooOptions options;
  options.cache_dir = dir.file("cache");
  options.profile_repeats = 3;
  const nlohmann::json quick = {{"epochs", 1}, {"batch_size", 32}};
  auto with = [&](nlohmann::json o) {
    o.update(quick);
    return o;
  };
  const std::vector<ZooEntry> entries = {
      entry("mlp-s", "mlp", with({{"hidden", {16}}})),
      entry("mlp-s-gk0.5", "gatekeeper", with({{"parent", "mlp-s"}, {"alpha", 0.5}})),
      entry("mlp-s-gk0.5-gk0.2", "gatekeeper", with({{"parent", "mlp-s-gk0.5"}, {"alpha", 0.2}})),
  };
  const Zoo zoo = build_zoo(ds, entries, options, registry());
  for (const auto& m : zoo.members) EXPECT_TRUE(m.error.empty()) << m.name << ": " << m.error;
  ASSERT_EQ(zoo.val.num_models(), 3);
  const CachedLogits file = read_logit_cache(member(zoo, "mlp-s-gk0.5-gk0.2").logits_path, nullptr);
  EXPECT_EQ(file.key["parent"]["options"]["alpha"], 0.5);
  EXPECT_EQ(file.key["parent"]["parent"]["arch"], "mlp");
  EXPECT_EQ(member(zoo, "mlp-s-gk0.5-gk0.2").latency_ms, member(zoo, "mlp-s").latency_ms)
      << "inherited along the chain";
}

// Digits (OpenCV's digits.png), small: the parent is a narrow, briefly trained MLP that still
// gets a fifth of the train split wrong, so the Gatekeeper loss has wrong answers to flatten.
class GatekeeperDigits : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto ds_entry = digits_entry();
    if (!fs::exists("/usr/share/doc/opencv-doc/examples/data/digits.png"))
      GTEST_SKIP() << "digits.png (Debian package opencv-doc) not installed";
    ds_ = ds_entry.make(default_options(ds_entry.options, {{"limit", 1500}}), /*seed=*/0);
    options_.cache_dir = dir_.file("cache");
    options_.profile_repeats = 5;
    entries_ = {
        entry("mlp-s", "mlp", {{"hidden", {16}}, {"epochs", 4}, {"batch_size", 64}}),
        entry(
            "mlp-s-gk0.2", "gatekeeper",
            {{"parent", "mlp-s"}, {"alpha", 0.2}, {"epochs", 3}, {"batch_size", 64}, {"lr", 1e-3}}),
    };
  }
  Zoo build() { return build_zoo(*ds_, entries_, options_, registry()); }

  TempDir dir_;
  std::unique_ptr<Dataset> ds_;
  ZooOptions options_;
  std::vector<ZooEntry> entries_;
};

TEST_F(GatekeeperDigits, FineTunedModelSeparatesRightFromWrongBetterThanItsParent) {
  const Zoo cold = build();
  const ZooMember& parent = member(cold, "mlp-s");
  const ZooMember& gk = member(cold, "mlp-s-gk0.2");
  ASSERT_TRUE(parent.error.empty()) << parent.error;
  ASSERT_TRUE(gk.error.empty()) << gk.error;
  EXPECT_GT(parent.val_accuracy, 0.6);
  EXPECT_GE(gk.val_accuracy, parent.val_accuracy - 0.02) << "not bought with accuracy";
  // Measured here: parent 0.820, fine-tuned 0.892.
  EXPECT_GT(gk.val_confidence_auroc, parent.val_confidence_auroc + 0.03)
      << "parent " << parent.val_confidence_auroc << ", fine-tuned " << gk.val_confidence_auroc;

  // Setup cost: the fine-tuning time, kept with the cache; the parent's architecture and costs.
  const CachedLogits file = read_logit_cache(gk.logits_path, nullptr);
  EXPECT_GT(gk.train_seconds, 0);
  EXPECT_EQ(gk.setup_seconds, gk.train_seconds);
  EXPECT_EQ(gk.macs, parent.macs);
  EXPECT_EQ(gk.params, parent.params);
  EXPECT_EQ(gk.latency_ms, parent.latency_ms) << "the same network costs the same";
  EXPECT_EQ(gk.cost, parent.cost);
  EXPECT_GT(file.latency_ms, 0) << "its own profile, kept in its file";
  EXPECT_EQ(gk.cache_key.rfind("mlp-s-gk0.2-", 0), 0u) << gk.cache_key;
  EXPECT_EQ(file.key["arch"], "gatekeeper");
  EXPECT_EQ(file.key["options"]["alpha"], 0.2);
  EXPECT_EQ(file.key["parent"]["arch"], "mlp");
  EXPECT_EQ(file.key["parent"]["options"]["hidden"], nlohmann::json({16}));
  EXPECT_EQ(file.setup_seconds, gk.setup_seconds);
  // The member's AUROC is the helper's on its val logits.
  EXPECT_EQ(max_prob_auroc(file.val_logits, ds_->val.y, ds_->num_classes), gk.val_confidence_auroc);

  // Warm: everything from the cache, the setup cost still known.
  const Zoo warm = build();
  EXPECT_TRUE(member(warm, "mlp-s-gk0.2").from_cache);
  EXPECT_EQ(member(warm, "mlp-s-gk0.2").train_seconds, 0);
  EXPECT_EQ(member(warm, "mlp-s-gk0.2").setup_seconds, gk.setup_seconds);
  EXPECT_EQ(member(warm, "mlp-s-gk0.2").val_confidence_auroc, gk.val_confidence_auroc);

  // Logits gone: recomputed from the cached fine-tuned weights, no fine-tuning, same setup cost.
  fs::remove(gk.logits_path);
  const Zoo relogit = build();
  EXPECT_FALSE(member(relogit, "mlp-s-gk0.2").from_cache);
  EXPECT_EQ(member(relogit, "mlp-s-gk0.2").train_seconds, 0);
  EXPECT_EQ(member(relogit, "mlp-s-gk0.2").setup_seconds, gk.setup_seconds);
  EXPECT_EQ(member(relogit, "mlp-s-gk0.2").val_accuracy, gk.val_accuracy);

  // Another alpha is another member; the parent's entry stays cached. Alpha 1 keeps only the
  // cross-entropy of the right answers: the same fine-tuning without the pull of the wrong
  // answers towards uniform separates them less (measured: 0.842), so the gain is the loss's,
  // not just more training.
  entries_.push_back(entry(
      "mlp-s-gk1", "gatekeeper",
      {{"parent", "mlp-s"}, {"alpha", 1.0}, {"epochs", 3}, {"batch_size", 64}, {"lr", 1e-3}}));
  const Zoo more = build();
  EXPECT_TRUE(member(more, "mlp-s").from_cache);
  EXPECT_TRUE(member(more, "mlp-s-gk0.2").from_cache);
  EXPECT_GT(member(more, "mlp-s-gk1").train_seconds, 0);
  EXPECT_NE(member(more, "mlp-s-gk1").cache_key, gk.cache_key);
  EXPECT_GT(gk.val_confidence_auroc, member(more, "mlp-s-gk1").val_confidence_auroc + 0.02);
}

TEST_F(GatekeeperDigits, ParentWeightsGoneMeansTheParentIsRetrainedIdentically) {
  const Zoo cold = build();
  // Keep the parent's logits, lose its weights and the fine-tuned member entirely.
  fs::remove_all(options_.cache_dir + "/weights");
  fs::remove(member(cold, "mlp-s-gk0.2").logits_path);
  const Zoo again = build();
  EXPECT_TRUE(member(again, "mlp-s").from_cache);
  EXPECT_GT(member(again, "mlp-s-gk0.2").train_seconds, 0);
  EXPECT_EQ(member(again, "mlp-s-gk0.2").val_confidence_auroc,
            member(cold, "mlp-s-gk0.2").val_confidence_auroc)
      << "seeded training and fine-tuning reproduce the same model";
  // `force` recomputes both, the fine-tuning from the parent's fresh weights.
  options_.force = true;
  const Zoo forced = build();
  EXPECT_GT(member(forced, "mlp-s").train_seconds, 0);
  EXPECT_EQ(member(forced, "mlp-s-gk0.2").val_accuracy, member(cold, "mlp-s-gk0.2").val_accuracy);
}

}  // namespace
}  // namespace lazystack
