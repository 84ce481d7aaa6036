// Zoo members brought as files (arch torchscript, onnx): fixtures exported here from seeded
// LibTorch networks give that network's logits after the configured preprocessing; build_zoo
// caches them keyed by the file's content; and every bad file or option is a member error that
// names the file and leaves nothing in the cache.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <functional>

#include "core/options.h"
#include "external_fixture.h"
#include "fixtures.h"
#include "zoo/external_model.h"
#include "zoo/import.h"
#include "zoo/zoo.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;
using testing_zoo::FixtureNet;
using testing_zoo::TempDir;

// Small splits: every forward here runs in well under a second.
Dataset images() { return testing_zoo::synthetic_images(/*side=*/12, 40, 70, 50); }
Dataset tabular() { return testing_zoo::synthetic_tabular(/*features=*/8, 40, 70, 50); }

std::unique_ptr<ZooModel> make(const std::string& arch, const Dataset& ds,
                               const nlohmann::json& options) {
  const auto* entry = testing_zoo::builtin_models().find(arch);
  if (!entry) throw std::runtime_error("not registered: " + arch);
  auto model = entry->make(default_options(entry->options, options), ds);
  model->set_name(arch);
  return model;
}

void save(const FixtureNet& net, const std::string& arch, const std::string& path) {
  if (arch == "torchscript")
    net.save_torchscript(path);
  else
    net.save_onnx(path);
}

// Saves `net` as dir/<stem>.<arch> and returns the path.
std::string saved(const FixtureNet& net, const std::string& arch, const TempDir& dir,
                  const std::string& stem) {
  const std::string path = dir.file(stem + "." + arch);
  save(net, arch, path);
  return path;
}

// The fixture network's outputs on a split, after (x - mean) / std per feature, as logits.
std::vector<float> reference_logits(const FixtureNet& net, const Dataset& ds, const Split& split,
                                    const std::vector<float>& mean, const std::vector<float>& std,
                                    bool softmax) {
  const int64_t d = ds.shape.feature_dim();
  torch::Tensor x = torch::from_blob(const_cast<float*>(split.x.data()), {split.num_samples, d});
  x = (x - torch::tensor(mean).expand({d})) / torch::tensor(std).expand({d});
  std::vector<int64_t> shape{split.num_samples};
  shape.insert(shape.end(), net.input.begin(), net.input.end());
  torch::Tensor y = net.forward(x.reshape(shape));
  if (softmax) y = y.clamp_min(kProbFloor).log();  // stored as logs, floored like imports
  y = y.contiguous();
  return std::vector<float>(y.data_ptr<float>(), y.data_ptr<float>() + y.numel());
}

double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    m = std::max(m, static_cast<double>(std::abs(a[i] - b[i])));
  return m;
}

struct Case {
  std::string arch;
  double tolerance;
};

class ExternalFixture : public ::testing::TestWithParam<Case> {};

// An image network (conv, relu, linear) with per-channel normalisation, batched unevenly.
TEST_P(ExternalFixture, ConvNetGivesTheNetworksLogits) {
  const Case c = GetParam();
  const Dataset ds = images();
  const FixtureNet net = testing_zoo::conv_fixture(1, 12, 12, ds.num_classes, false, /*seed=*/3);
  TempDir dir;
  const std::string path = saved(net, c.arch, dir, "net");
  auto model =
      make(c.arch, ds, {{"path", path}, {"mean", {0.5}}, {"std", {0.25}}, {"batch_size", 16}});
  model->train(ds, 0);
  for (const Split* split : {&ds.val, &ds.test}) {
    const std::vector<float> got = model->logits(*split);
    const std::vector<float> want = reference_logits(net, ds, *split, {0.5f}, {0.25f}, false);
    const double diff = max_abs_diff(got, want);
    std::cout << "[ fixture  ] " << c.arch << " conv net, " << split->num_samples
              << " samples: max |logit difference| " << diff << "\n";
    EXPECT_LT(diff, c.tolerance) << c.arch;
    std::vector<float> one(ds.num_classes);
    model->logits_one(split->x.data() + 5 * ds.shape.feature_dim(), one.data());
    for (int k = 0; k < ds.num_classes; ++k)
      EXPECT_NEAR(one[k], got[5 * ds.num_classes + k], c.tolerance) << "batch 1 vs batched";
  }
  EXPECT_EQ(model->params(), static_cast<double>(net.num_params()));
  if (c.arch == "torchscript") {
    EXPECT_EQ(model->macs(), 0) << "TorchScript MACs are unknown unless given";
  } else {
    // conv: 4 x 12 x 12 outputs x 9 MACs; linear: 576 x 4. OpenCV's FLOP count halved is close.
    const double analytic = 4 * 144 * 9 + 576 * 4;
    EXPECT_NEAR(model->macs(), analytic, 0.25 * analytic);
    std::cout << "[ fixture  ] onnx conv net MACs: OpenCV " << model->macs() << ", analytic "
              << analytic << "\n";
  }
  auto given = make(c.arch, ds, {{"path", path}, {"macs", 1234}});
  EXPECT_EQ(given->macs(), 1234);
}

// A tabular MLP returning probabilities (softmax), per-feature normalisation: stored as logs.
TEST_P(ExternalFixture, TabularProbabilitiesBecomeLogProbabilities) {
  const Case c = GetParam();
  const Dataset ds = tabular();
  const FixtureNet net = testing_zoo::mlp_fixture(8, 16, ds.num_classes, true, /*seed=*/4);
  TempDir dir;
  const std::string path = saved(net, c.arch, dir, "mlp");
  const std::vector<double> mean{0, 1, 2, 3, -1, -2, 0.5, 0}, std{1, 2, 3, 1, 2, 3, 1, 0.5};
  auto model = make(c.arch, ds,
                    {{"path", path}, {"mean", mean}, {"std", std}, {"outputs", "probabilities"}});
  model->train(ds, 0);
  const std::vector<float> got = model->logits(ds.test);
  const std::vector<float> want =
      reference_logits(net, ds, ds.test, std::vector<float>(mean.begin(), mean.end()),
                       std::vector<float>(std.begin(), std.end()), true);
  const double diff = max_abs_diff(got, want);
  std::cout << "[ fixture  ] " << c.arch << " tabular MLP (log softmax): max |logit difference| "
            << diff << "\n";
  EXPECT_LT(diff, c.tolerance);
}

// input_shape reshapes a sample: an MLP on the flattened 12 x 12 image.
TEST_P(ExternalFixture, FlatInputShapeFeedsAnImageToAnMlp) {
  const Case c = GetParam();
  const Dataset ds = images();
  const FixtureNet net = testing_zoo::mlp_fixture(144, 8, ds.num_classes, false, /*seed=*/5);
  TempDir dir;
  const std::string path = saved(net, c.arch, dir, "flat");
  auto model = make(c.arch, ds, {{"path", path}, {"input_shape", {144}}});
  model->train(ds, 0);
  EXPECT_LT(max_abs_diff(model->logits(ds.val), reference_logits(net, ds, ds.val, {0}, {1}, false)),
            c.tolerance);
  // Without input_shape the model gets [N, 1, 12, 12]: TorchScript's matrix product refuses it
  // with an error naming the file (OpenCV's Gemm flattens it from axis 1 and runs).
  if (c.arch != "torchscript") return;
  auto unshaped = make(c.arch, ds, {{"path", path}});
  try {
    unshaped->train(ds, 0);
    ADD_FAILURE() << "an MLP ran on [1, 1, 12, 12]";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("'" + path +
                                         "' does not run on input of shape "
                                         "[1, 1, 12, 12]"),
              std::string::npos)
        << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, ExternalFixture,
                         ::testing::Values(Case{"torchscript", 1e-5}, Case{"onnx", 1e-4}),
                         [](const auto& info) { return info.param.arch; });

// build_zoo with a bad external member: it fails with an error naming the file and saying what
// is wrong, the good member goes on, and nothing of the bad one is written to the cache.
class BadExternal : public ::testing::TestWithParam<std::string> {
 protected:
  BadExternal() : ds_(images()) {
    registry_ = &testing_zoo::builtin_models();
    options_.cache_dir = dir_.file("cache");
    options_.profile_repeats = 2;
  }

  // Builds {good net, bad entry} and returns the bad member's error.
  // `before_build` runs once the entries are validated.
  std::string bad_member_error(const std::string& path, nlohmann::json options = {},
                               const std::function<void()>& before_build = {}) {
    const std::string arch = GetParam();
    const std::string good = dir_.file("good." + arch);
    if (!fs::exists(good))
      save(testing_zoo::conv_fixture(1, 12, 12, ds_.num_classes, false, 1), arch, good);
    options["path"] = path;
    const auto* spec = registry_->find(arch);
    std::vector<ZooEntry> entries(2);
    entries[0] = {"good", arch, default_options(spec->options, {{"path", good}})};
    entries[1] = {"bad", arch, default_options(spec->options, options)};
    if (before_build) before_build();
    const Zoo zoo = build_zoo(ds_, entries, options_, *registry_);
    EXPECT_TRUE(zoo.members[0].error.empty()) << zoo.members[0].error;
    EXPECT_FALSE(zoo.members[1].error.empty());
    EXPECT_EQ(zoo.val.num_models(), 1);
    // The cache holds the good member's logits and nothing else.
    std::vector<std::string> cached;
    for (const auto& f : fs::recursive_directory_iterator(options_.cache_dir))
      if (f.is_regular_file()) cached.push_back(f.path().filename().string());
    EXPECT_EQ(cached.size(), 1u);
    for (const auto& f : cached) EXPECT_EQ(f.rfind("good-", 0), 0u) << f;
    EXPECT_NE(zoo.members[1].error.find("'" + path + "'"), std::string::npos)
        << "names the file: " << zoo.members[1].error;
    return zoo.members[1].error;
  }
  std::string file(const std::string& name) const { return dir_.file(name + "." + GetParam()); }
  void save_net(const FixtureNet& net, const std::string& path) const {
    save(net, GetParam(), path);
  }

  TempDir dir_;
  Dataset ds_;
  const ModelRegistry* registry_;
  ZooOptions options_;
};

#define EXPECT_HAS(text, part) EXPECT_NE((text).find(part), std::string::npos) << (text)

TEST_P(BadExternal, GarbageBytesDoNotLoad) {
  const std::string path = file("garbage");
  std::ofstream(path) << "these bytes are not a model\n";
  EXPECT_HAS(bad_member_error(path), "does not load");
}

TEST_P(BadExternal, OutputWidthMustBeTheClassCount) {
  const std::string path = file("wide");
  save_net(testing_zoo::conv_fixture(1, 12, 12, ds_.num_classes + 1, false, 1), path);
  EXPECT_HAS(bad_member_error(path), "outputs 5 values per sample, but the dataset has 4 classes");
}

TEST_P(BadExternal, InputShapeMustMatchTheDataset) {
  const std::string path = file("input");
  save_net(testing_zoo::conv_fixture(1, 12, 12, ds_.num_classes, false, 1), path);
  EXPECT_HAS(bad_member_error(path, {{"input_shape", {1, 10, 10}}}),
             "input_shape [1, 10, 10] holds 100 values per sample, but dataset");
  // A network made for 10 x 10 images gets the dataset's 12 x 12 ones.
  const std::string small = file("small");
  save_net(testing_zoo::conv_fixture(1, 10, 10, ds_.num_classes, false, 1), small);
  const std::string wrong_size = bad_member_error(small);
  EXPECT_HAS(wrong_size, "does not run on input of shape [1, 1, 12, 12]");
  EXPECT_EQ(wrong_size.find('\n'), std::string::npos) << "one line, no interpreter traceback";
  EXPECT_HAS(bad_member_error(small, {{"mean", {0.1, 0.2}}}),
             "mean has 2 values; give 1, one per channel (1) or one per feature (144)");
}

TEST_P(BadExternal, NonFiniteOutputs) {
  FixtureNet net = testing_zoo::conv_fixture(1, 12, 12, ds_.num_classes, false, 1);
  net.layers.back().bias[2] = std::nanf("");
  const std::string path = file("nan");
  save_net(net, path);
  EXPECT_HAS(bad_member_error(path), "outputs nan for sample 0, class 2");
  net.layers.back().bias[2] = INFINITY;
  const std::string inf = file("inf");
  save_net(net, inf);
  // OpenCV's Gemm turns the infinite bias into NaN; TorchScript keeps inf.
  EXPECT_HAS(bad_member_error(inf), GetParam() == "onnx" ? "outputs nan for sample 0, class 2"
                                                         : "outputs inf for sample 0, class 2");
}

TEST_P(BadExternal, LogitsAreNotProbabilities) {
  const std::string path = file("logits");
  save_net(testing_zoo::conv_fixture(1, 12, 12, ds_.num_classes, false, 1), path);
  EXPECT_HAS(bad_member_error(path, {{"outputs", "probabilities"}}), "outputs: probabilities, but");
}

// The config loader checks that the file exists (ExternalConfig below); one removed since then
// fails at build time.
TEST_P(BadExternal, FileRemovedAfterValidation) {
  const std::string path = file("gone");
  std::ofstream(path) << "x";
  EXPECT_HAS(bad_member_error(path, {}, [&] { fs::remove(path); }),
             "cannot be read (does it exist?)");
}

INSTANTIATE_TEST_SUITE_P(Formats, BadExternal, ::testing::Values("torchscript", "onnx"));

// A missing file is a config error naming file:line:column before any work.
TEST(ExternalConfig, MissingFileIsAConfigError) {
  for (const std::string arch : {"torchscript", "onnx"}) {
    const YAML::Node node = YAML::Load("{name: m, arch: " + arch + ",\n path: /no/such/model}");
    const auto* spec = testing_zoo::builtin_models().find(arch);
    try {
      parse_options(node, spec->options, "exp.yaml", "zoo[0]", {"name", "arch", "cost"});
      ADD_FAILURE() << arch << ": no error for a missing file";
    } catch (const ConfigError& e) {
      EXPECT_EQ(e.file(), "exp.yaml");
      EXPECT_EQ(e.line(), 2);
      EXPECT_EQ(e.key(), "zoo[0].path");
      EXPECT_HAS(std::string(e.what()), "'/no/such/model' does not exist");
    }
  }
}

const ZooMember& member(const Zoo& zoo, const std::string& name) {
  for (const auto& m : zoo.members)
    if (m.name == name) return m;
  throw std::runtime_error("no member " + name);
}

// One network as TorchScript and as ONNX through build_zoo: the same logits, costs measured,
// the cache reused while the file is unchanged and recomputed when its bytes change.
TEST(ExternalBuildZoo, BothFormatsCacheAndFollowTheFilesContent) {
  const Dataset ds = images();
  TempDir dir;
  const FixtureNet net = testing_zoo::conv_fixture(1, 12, 12, ds.num_classes, false, 7);
  const std::string pt = dir.file("net.pt"), onnx = dir.file("net.onnx");
  net.save_torchscript(pt);
  net.save_onnx(onnx);
  const ModelRegistry& registry = testing_zoo::builtin_models();
  auto entry = [&](const std::string& name, const std::string& arch, const std::string& path) {
    return ZooEntry{name, arch,
                    default_options(registry.find(arch)->options,
                                    {{"path", path}, {"mean", {0.5}}, {"std", {0.5}}})};
  };
  const std::vector<ZooEntry> entries{entry("ts", "torchscript", pt), entry("ox", "onnx", onnx)};
  ZooOptions options;
  options.cache_dir = dir.file("cache");
  options.profile_repeats = 3;
  const Zoo cold = build_zoo(ds, entries, options, registry);
  ASSERT_EQ(cold.val.num_models(), 2) << member(cold, "ts").error << member(cold, "ox").error;
  for (const ZooMember& m : cold.members) {
    EXPECT_FALSE(m.from_cache);
    EXPECT_GT(m.latency_ms, 0);
    EXPECT_EQ(m.params, static_cast<double>(net.num_params()));
    EXPECT_EQ(m.train_seconds, 0);
    EXPECT_TRUE(fs::exists(m.logits_path));
  }
  EXPECT_FALSE(fs::exists(dir.file("cache/weights"))) << "external files are not copied";
  const size_t n = static_cast<size_t>(ds.val.num_samples) * ds.num_classes;
  std::vector<float> ts(cold.val.model_log_probs(0), cold.val.model_log_probs(0) + n);
  std::vector<float> ox(cold.val.model_log_probs(1), cold.val.model_log_probs(1) + n);
  EXPECT_LT(max_abs_diff(ts, ox), 1e-4);
  EXPECT_EQ(member(cold, "ts").val_accuracy, member(cold, "ox").val_accuracy);
  // The cache file holds the model's logits and its key the file's content hash.
  const CachedLogits cached = read_logit_cache(member(cold, "ts").logits_path, nullptr);
  EXPECT_TRUE(cached.key.contains("file_content"));
  EXPECT_EQ(cached.val_labels, ds.val.y);

  const Zoo warm = build_zoo(ds, entries, options, registry);
  for (const ZooMember& m : warm.members) EXPECT_TRUE(m.from_cache) << m.name;

  // The same file names, other weights: recomputed, under another key, with other logits.
  const FixtureNet other = testing_zoo::conv_fixture(1, 12, 12, ds.num_classes, false, 8);
  other.save_torchscript(pt);
  other.save_onnx(onnx);
  const Zoo changed = build_zoo(ds, entries, options, registry);
  for (size_t i = 0; i < 2; ++i) {
    const ZooMember& m = changed.members[i];
    EXPECT_FALSE(m.from_cache) << m.name;
    EXPECT_NE(m.cache_key, cold.members[i].cache_key) << m.name;
  }
  EXPECT_GT(max_abs_diff(std::vector<float>(changed.val.model_log_probs(0),
                                            changed.val.model_log_probs(0) + n),
                         ts),
            1e-3);

  // cost: macs needs MACs: OpenCV estimates the ONNX graph's, the TorchScript module has none.
  options.cost = CostUnit::kMacs;
  const Zoo by_macs = build_zoo(ds, entries, options, registry);
  EXPECT_HAS(member(by_macs, "ts").error, "MACs are unknown");
  EXPECT_TRUE(member(by_macs, "ox").error.empty()) << member(by_macs, "ox").error;
  EXPECT_GT(member(by_macs, "ox").cost, 0);
}

}  // namespace
}  // namespace lazystack
