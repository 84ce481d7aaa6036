// fashion-mnist: the real Debian files (limited and full), a hand-made fixture folder with known
// content, and damaged or missing files.
#include <chrono>
#include <set>

#include "core/options.h"
#include "datasets/idx_file.h"
#include "tests/datasets/test_util.h"

namespace lazystack {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing_util::error_of;
using testing_util::label_counts;
using testing_util::load_builtin;
using testing_util::write_idx;

constexpr const char* kFolder = "/usr/share/datasets/fashion-mnist";

TEST(FashionMnist, LimitedLoadIsStratifiedAndScaled) {
  const auto ds = load_builtin("fashion-mnist", {{"limit", 300}}, /*seed=*/0);
  EXPECT_EQ(ds->name, "fashion-mnist");
  EXPECT_EQ(ds->domain, "vision");
  EXPECT_EQ(ds->num_classes, 10);
  ASSERT_EQ(ds->class_names.size(), 10u);
  EXPECT_EQ(ds->class_names[0], "T-shirt/top");
  EXPECT_EQ(ds->class_names[9], "Ankle boot");
  EXPECT_TRUE(ds->shape.is_image);
  EXPECT_EQ(ds->shape.channels, 1);
  EXPECT_EQ(ds->shape.height, 28);
  EXPECT_EQ(ds->shape.width, 28);
  for (const Split* s : {&ds->train, &ds->val, &ds->test}) {
    EXPECT_EQ(s->num_samples, 300);
    EXPECT_EQ(s->x.size(), 300u * 784);
    // Every pool is balanced (6000 / 1000 per class), so 300 is exactly 30 per class.
    EXPECT_EQ(label_counts(*s, 10), std::vector<int>(10, 30));
    const auto [lo, hi] = std::minmax_element(s->x.begin(), s->x.end());
    EXPECT_EQ(*lo, 0.0f);
    EXPECT_EQ(*hi, 1.0f);
  }
}

// With a limit, the test split too is a seeded subsample (of the official test set).
TEST(FashionMnist, FingerprintsFollowTheSeed) {
  testing_util::expect_fingerprints_follow_seed("fashion-mnist", {{"limit", 200}}, 1, 2);
}

// With a limit the test split is a subsequence of the official test set, in official order.
TEST(FashionMnist, LimitedTestSplitIsAnOrderedSubsetOfTheOfficialOne) {
  const auto ds = load_builtin("fashion-mnist", {{"limit", 100}}, 3);
  const IdxArray images =
      read_idx_ubyte(std::string(kFolder) + "/t10k-images-idx3-ubyte.gz", {28, 28});
  size_t row = 0;
  for (int i = 0; i < ds->test.num_samples; ++i) {
    auto same = [&](size_t r) {
      for (int j = 0; j < 784; ++j)
        if (ds->test.x[i * 784 + j] != images.data[r * 784 + j] / 255.0f) return false;
      return true;
    };
    while (row < 10000 && !same(row)) ++row;
    ASSERT_LT(row, 10000u) << "test sample " << i << " is not in order in the official set";
    ++row;
  }
}

TEST(FashionMnist, FullLoadKeepsTheOfficialTestSet) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto ds = load_builtin("fashion-mnist", json::object(), /*seed=*/0);
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "[ info     ] full fashion-mnist load: " << load_s << " s\n";
  RecordProperty("load_s", std::to_string(load_s));
  EXPECT_EQ(ds->train.num_samples, 50000);
  EXPECT_EQ(ds->val.num_samples, 10000);
  EXPECT_EQ(label_counts(ds->train, 10), std::vector<int>(10, 5000));
  EXPECT_EQ(label_counts(ds->val, 10), std::vector<int>(10, 1000));
  ASSERT_EQ(ds->test.num_samples, 10000);

  const IdxArray labels = read_idx_ubyte(std::string(kFolder) + "/t10k-labels-idx1-ubyte.gz", {});
  const IdxArray images =
      read_idx_ubyte(std::string(kFolder) + "/t10k-images-idx3-ubyte.gz", {28, 28});
  EXPECT_EQ(std::vector<int32_t>(labels.data.begin(), labels.data.end()), ds->test.y);
  for (size_t k : {size_t{0}, size_t{784 * 5000 + 400}, images.data.size() - 1})
    EXPECT_EQ(ds->test.x[k], images.data[k] / 255.0f) << "pixel " << k;

  // The test split does not depend on the seed; train and val do.
  const auto other = load_builtin("fashion-mnist", json::object(), /*seed=*/9);
  EXPECT_EQ(ds->test.fingerprint, other->test.fingerprint);
  EXPECT_NE(ds->val.fingerprint, other->val.fingerprint);
}

TEST(FashionMnist, OptionsAreValidatedAsConfig) {
  const auto entry = testing_util::builtin_entry("fashion-mnist");
  EXPECT_THROW(default_options(entry.options, {{"val_size", 0}}), ConfigError);
  EXPECT_THROW(default_options(entry.options, {{"val_size", 59000}}), ConfigError);
  EXPECT_THROW(default_options(entry.options, {{"limit", -1}}), ConfigError);
  EXPECT_THROW(default_options(entry.options, {{"path", "/no/such/folder"}}), ConfigError);
  EXPECT_THROW(default_options(entry.options, {{"val_fraction", 0.2}}), ConfigError);
  const Options o = default_options(entry.options);
  EXPECT_EQ(o.get_string("path"), kFolder);
  EXPECT_EQ(o.get_int("val_size"), 10000);
  EXPECT_EQ(o.get_int("limit"), 0);
}

// A folder of small IDX files whose image i is filled with the value i and labelled i % 10.
class FashionFixture : public testing_util::TempDirTest {
 protected:
  void write_set(const std::string& prefix, int n, int first_value) {
    std::vector<uint8_t> images, labels;
    for (int i = 0; i < n; ++i) {
      images.insert(images.end(), 784, static_cast<uint8_t>(first_value + i));
      labels.push_back(static_cast<uint8_t>(i % 10));
    }
    write_idx(path(prefix + "-images-idx3-ubyte.gz"), 0x00000803,
              {static_cast<uint32_t>(n), 28, 28}, images);
    write_idx(path(prefix + "-labels-idx1-ubyte.gz"), 0x00000801, {static_cast<uint32_t>(n)},
              labels);
  }
  void SetUp() override {
    TempDirTest::SetUp();
    write_set("train", 40, 0);
    write_set("t10k", 20, 100);
  }
  std::unique_ptr<Dataset> load(json overrides = json::object()) {
    overrides["path"] = dir_.string();
    if (!overrides.contains("val_size")) overrides["val_size"] = 10;
    return load_builtin("fashion-mnist", overrides, 4);
  }
};

TEST_F(FashionFixture, LoadsKnownContent) {
  const auto ds = load();
  ASSERT_EQ(ds->train.num_samples, 30);
  ASSERT_EQ(ds->val.num_samples, 10);
  ASSERT_EQ(ds->test.num_samples, 20);
  EXPECT_EQ(label_counts(ds->val, 10), std::vector<int>(10, 1));
  // Train and val together hold each train image once, with its label.
  std::set<int> seen;
  for (const Split* s : {&ds->train, &ds->val})
    for (int i = 0; i < s->num_samples; ++i) {
      const int value = static_cast<int>(s->x[i * 784] * 255.0f + 0.5f);
      EXPECT_EQ(s->x[i * 784 + 783], s->x[i * 784]);
      EXPECT_EQ(s->y[i], value % 10);
      EXPECT_TRUE(seen.insert(value).second) << "image " << value << " twice";
    }
  EXPECT_EQ(seen.size(), 40u);
  // The test split is the t10k files in order.
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(ds->test.y[i], i % 10);
    EXPECT_EQ(ds->test.x[i * 784], (100 + i) / 255.0f);
  }
}

TEST_F(FashionFixture, ValSizeMustLeaveTrainingSamples) {
  EXPECT_THAT(error_of([&] { load({{"val_size", 40}}); }), HasSubstr("val_size 40"));
}

TEST_F(FashionFixture, TruncatedFileNamesTheFile) {
  const std::string file = path("train-images-idx3-ubyte.gz");
  testing_util::fs::resize_file(file, testing_util::fs::file_size(file) / 2);
  const std::string msg = error_of([&] { load(); });
  EXPECT_THAT(msg, HasSubstr(file));
  EXPECT_THAT(msg, HasSubstr("truncated"));
}

TEST_F(FashionFixture, WrongMagicNamesTheFile) {
  write_idx(path("t10k-labels-idx1-ubyte.gz"), 0x00000803, {20, 1, 1}, std::vector<uint8_t>(20));
  const std::string msg = error_of([&] { load(); });
  EXPECT_THAT(msg, HasSubstr(path("t10k-labels-idx1-ubyte.gz")));
  EXPECT_THAT(msg, HasSubstr("wrong magic number"));
}

TEST_F(FashionFixture, ImageAndLabelCountsMustAgree) {
  write_idx(path("t10k-labels-idx1-ubyte.gz"), 0x00000801, {19}, std::vector<uint8_t>(19));
  EXPECT_THAT(error_of([&] { load(); }), HasSubstr("holds 20 images but"));
}

TEST_F(FashionFixture, LabelOutOfRangeIsAnError) {
  std::vector<uint8_t> labels(20, 1);
  labels[7] = 10;
  write_idx(path("t10k-labels-idx1-ubyte.gz"), 0x00000801, {20}, labels);
  EXPECT_THAT(error_of([&] { load(); }), HasSubstr("label 10 at index 7"));
}

TEST_F(FashionFixture, MissingFileSaysWhichPackageProvidesIt) {
  testing_util::fs::remove(path("t10k-images-idx3-ubyte.gz"));
  const std::string msg = error_of([&] { load(); });
  EXPECT_THAT(msg, HasSubstr(path("t10k-images-idx3-ubyte.gz")));
  EXPECT_THAT(msg, HasSubstr("dataset-fashion-mnist"));
  EXPECT_THAT(msg, HasSubstr("scripts/install-deps.sh"));
}

}  // namespace
}  // namespace lazystack
