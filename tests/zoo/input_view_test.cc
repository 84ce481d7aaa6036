// Input views (zoo/input_view.h): crop, downsample and feature selection on hand-made inputs,
// the shape checks, and a viewed model that trains and infers on the view only.
#include "zoo/input_view.h"

#include <gtest/gtest.h>

#include <numeric>

#include "zoo/training_subset.h"

namespace lazystack {
namespace {

// A 1 x 4 x 6 image whose pixel (r, c) holds 10 r + c.
std::vector<float> image_4x6() {
  std::vector<float> x(24);
  for (int r = 0; r < 4; ++r)
    for (int c = 0; c < 6; ++c) x[r * 6 + c] = static_cast<float>(10 * r + c);
  return x;
}
const InputShape kImage{1, 4, 6, true};

TEST(InputView, CropDownsampleFeatures) {
  const std::vector<float> x = image_4x6();
  InputView crop;
  crop.crop = {1, 2, 2, 3};  // rows 1-2, columns 2-4
  EXPECT_EQ(input_view_problem(crop, kImage), "");
  const InputShape s = view_shape(crop, kImage);
  EXPECT_EQ(s.height, 2);
  EXPECT_EQ(s.width, 3);
  EXPECT_TRUE(s.is_image);
  std::vector<float> out(6);
  apply_view(crop, kImage, x.data(), out.data());
  EXPECT_EQ(out, (std::vector<float>{12, 13, 14, 22, 23, 24}));

  InputView down;
  down.downsample = 2;  // 2x3 blocks' means
  std::vector<float> pooled(6);
  apply_view(down, kImage, x.data(), pooled.data());
  EXPECT_EQ(pooled, (std::vector<float>{5.5f, 7.5f, 9.5f, 25.5f, 27.5f, 29.5f}));

  InputView both;  // crop to rows 0-1, columns 2-5, downsample 2, then keep feature 1
  both.crop = {0, 2, 2, 4};
  both.downsample = 2;
  both.features = {1};
  EXPECT_EQ(input_view_problem(both, kImage), "");
  const InputShape t = view_shape(both, kImage);
  EXPECT_FALSE(t.is_image);
  EXPECT_EQ(t.feature_dim(), 1);
  float one = 0;
  apply_view(both, kImage, x.data(), &one);
  EXPECT_FLOAT_EQ(one, (4 + 5 + 14 + 15) / 4.0f);
}

TEST(InputView, Problems) {
  InputView v;
  v.crop = {2, 0, 3, 6};  // rows 2-4 of 4
  EXPECT_NE(input_view_problem(v, kImage).find("inside the 4x6 image"), std::string::npos);
  v.crop = {};
  v.downsample = 4;  // does not divide 6
  EXPECT_NE(input_view_problem(v, kImage).find("does not divide"), std::string::npos);
  v.downsample = 1;
  v.features = {3, 24};
  EXPECT_NE(input_view_problem(v, kImage).find("outside [0, 24)"), std::string::npos);
  v.features = {3, 3};
  EXPECT_NE(input_view_problem(v, kImage).find("twice"), std::string::npos);
  const InputShape tabular{1, 1, 16, false};
  InputView c;
  c.crop = {0, 0, 1, 4};
  EXPECT_NE(input_view_problem(c, tabular).find("needs image inputs"), std::string::npos);
  InputView f;
  f.features = {0, 15};
  EXPECT_EQ(input_view_problem(f, tabular), "");
}

// A model that records what it was given: the viewed model must hand it the viewed shape,
// the viewed (and subsampled) training rows and viewed inputs.
class Recorder : public ZooModel {
 public:
  explicit Recorder(const Dataset& ds) : shape(ds.shape) {}
  void train(const Dataset& ds, uint64_t) override {
    train_x = ds.train.x;
    train_y = ds.train.y;
  }
  void save(const std::string&) const override {}
  void load(const std::string&) override {}
  std::vector<float> logits(const Split& split) override { return split.x; }
  void logits_one(const float* x, float* out) override { std::copy_n(x, shape.feature_dim(), out); }
  double macs() const override { return 0; }
  double params() const override { return 0; }
  InputShape shape;
  std::vector<float> train_x;
  std::vector<int32_t> train_y;
};

TEST(InputView, ViewedModelSeesOnlyTheView) {
  Dataset ds;
  ds.num_classes = 2;
  ds.shape = InputShape{1, 1, 4, false};
  ds.train.num_samples = 10;
  for (int n = 0; n < 10; ++n) {
    for (int f = 0; f < 4; ++f) ds.train.x.push_back(static_cast<float>(10 * n + f));
    ds.train.y.push_back(n % 2);
  }
  Recorder* recorder = nullptr;
  ModelRegistry::Entry arch{"recorder", "", {}, [&](const Options&, const Dataset& d) {
                              auto m = std::make_unique<Recorder>(d);
                              recorder = m.get();
                              return std::unique_ptr<ZooModel>(std::move(m));
                            }};
  InputView view;
  view.features = {3, 1};
  view.max_train = 4;
  auto model = make_viewed_model(view, Options(), ds, arch);
  ASSERT_NE(recorder, nullptr);
  EXPECT_EQ(recorder->shape.feature_dim(), 2);
  model->train(ds, 7);
  ASSERT_EQ(recorder->train_x.size(), 8u);  // 4 rows x 2 features
  for (size_t r = 0; r < 4; ++r) {
    const float row = recorder->train_x[2 * r + 1] / 10.0f;  // feature 1 of sample n is 10 n + 1
    EXPECT_FLOAT_EQ(recorder->train_x[2 * r], 10.0f * static_cast<int>(row) + 3);
    EXPECT_EQ(recorder->train_y[r], static_cast<int>(row) % 2);
  }
  const float x[4] = {0.5f, 1.5f, 2.5f, 3.5f};
  float out[2] = {0, 0};
  model->logits_one(x, out);
  EXPECT_FLOAT_EQ(out[0], 3.5f);
  EXPECT_FLOAT_EQ(out[1], 1.5f);
  Split split;
  split.num_samples = 1;
  split.x.assign(x, x + 4);
  split.y = {0};
  EXPECT_EQ(model->logits(split), (std::vector<float>{3.5f, 1.5f}));
  // A view that does not fit the inputs is refused before anything is built.
  InputView bad;
  bad.features = {4};
  EXPECT_THROW(make_viewed_model(bad, Options(), ds, arch), std::invalid_argument);
}

}  // namespace
}  // namespace lazystack

namespace lazystack {
namespace {

// The subset is drawn with core/random.h's seeded_shuffle, whose output the standard fixes
// (mt19937_64 and the Fisher-Yates loop): these rows hold with every standard library.
// std::shuffle, used before kTrainingSubsetVersion 2, chose {5, 8, 9, 10, 16} with libstdc++.
TEST(TrainingSubset, PortableRowsAndTheirCacheVersion) {
  EXPECT_EQ(training_rows(20, 5, 7), (std::vector<int>{2, 4, 12, 14, 18}));
  EXPECT_EQ(training_rows(4, 0, 7), (std::vector<int>{0, 1, 2, 3}));  // 0: all rows
  EXPECT_EQ(training_rows(4, 9, 7), (std::vector<int>{0, 1, 2, 3}));  // fewer rows than asked
  EXPECT_TRUE(keeps_training_subset(Options(nlohmann::json{{"max_train", 100}})));
  EXPECT_FALSE(keeps_training_subset(Options(nlohmann::json{{"max_train", 0}})));
  EXPECT_FALSE(keeps_training_subset(Options(nlohmann::json{{"epochs", 3}})));
  EXPECT_GE(kTrainingSubsetVersion, 2);
}

}  // namespace
}  // namespace lazystack
