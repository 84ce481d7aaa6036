// digits: OpenCV's digits.png cut into 20x20 cells; real file, damaged fixtures.
#include <map>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/options.h"
#include "tests/datasets/test_util.h"

namespace lazystack {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing_util::error_of;
using testing_util::label_counts;
using testing_util::load_builtin;

constexpr const char* kFile = "/usr/share/doc/opencv-doc/examples/data/digits.png";

TEST(Digits, LimitedLoadIsStratifiedAndSeeded) {
  const auto a = load_builtin("digits", {{"limit", 200}}, 0);
  EXPECT_EQ(a->domain, "vision");
  EXPECT_EQ(a->num_classes, 10);
  EXPECT_TRUE(a->shape.is_image);
  EXPECT_EQ(a->shape.feature_dim(), 400);
  EXPECT_EQ(a->class_names[7], "7");
  for (const Split* s : {&a->train, &a->val, &a->test}) {
    EXPECT_EQ(s->num_samples, 200);
    EXPECT_EQ(label_counts(*s, 10), std::vector<int>(10, 20));
  }
  testing_util::expect_fingerprints_follow_seed("digits", {{"limit", 200}}, 0, 1);
}

// Every sample of every split is a cell of the sheet with that cell's digit (rows 5k..5k+4 of
// cells hold digit k), and together the splits use each of the 5000 cells once.
TEST(Digits, SplitsPartitionTheSheetsCellsWithTheirLabels) {
  const auto ds = load_builtin("digits", {{"val_fraction", 0.1}, {"test_fraction", 0.3}}, 5);
  EXPECT_EQ(ds->train.num_samples, 3000);
  EXPECT_EQ(ds->val.num_samples, 500);
  EXPECT_EQ(ds->test.num_samples, 1500);
  EXPECT_EQ(label_counts(ds->test, 10), std::vector<int>(10, 150));

  const cv::Mat sheet = cv::imread(kFile, cv::IMREAD_GRAYSCALE);
  ASSERT_EQ(sheet.cols, 2000);
  std::map<std::pair<std::vector<float>, int>, int> unused;  // (pixels, label) -> count
  for (int r = 0; r < 50; ++r)
    for (int c = 0; c < 100; ++c) {
      std::vector<float> cell;
      for (int y = 0; y < 20; ++y)
        for (int x = 0; x < 20; ++x)
          cell.push_back(sheet.at<uint8_t>(r * 20 + y, c * 20 + x) / 255.0f);
      ++unused[{cell, r / 5}];
    }
  for (const Split* s : {&ds->train, &ds->val, &ds->test})
    for (int i = 0; i < s->num_samples; ++i) {
      const std::vector<float> cell(s->x.begin() + i * 400, s->x.begin() + (i + 1) * 400);
      auto it = unused.find({cell, s->y[i]});
      ASSERT_TRUE(it != unused.end() && it->second > 0)
          << "sample " << i << " (label " << s->y[i] << ") is no unused cell of that digit";
      --it->second;
    }
}

TEST(Digits, FractionsAreValidatedAsConfig) {
  const auto entry = testing_util::builtin_entry("digits");
  EXPECT_THROW(default_options(entry.options, {{"val_fraction", 0.0}}), ConfigError);
  EXPECT_THROW(default_options(entry.options, {{"test_fraction", 0.5}}), ConfigError);
  EXPECT_THROW(default_options(entry.options, {{"val_size", 100}}), ConfigError);
  const Options o = default_options(entry.options);
  EXPECT_EQ(o.get_string("path"), kFile);
  EXPECT_DOUBLE_EQ(o.get_double("val_fraction"), 0.2);
  EXPECT_DOUBLE_EQ(o.get_double("test_fraction"), 0.2);
}

class DigitsFixture : public testing_util::TempDirTest {};

TEST_F(DigitsFixture, WrongSheetSizeIsAnError) {
  cv::imwrite(path("small.png"), cv::Mat(100, 200, CV_8UC1, cv::Scalar(3)));
  const std::string msg = error_of([&] {
    load_builtin("digits", {{"path", path("small.png")}}, 0);
  });
  EXPECT_THAT(msg, HasSubstr(path("small.png")));
  EXPECT_THAT(msg, HasSubstr("found 200x100"));
}

TEST_F(DigitsFixture, UndecodableFileIsAnError) {
  testing_util::write_text(path("broken.png"), "\x89PNG but not really");
  EXPECT_THAT(error_of([&] {
                load_builtin("digits", {{"path", path("broken.png")}}, 0);
              }),
              HasSubstr("cannot decode"));
}

// The default path is not checked at validation; a missing default file says how to get it.
TEST_F(DigitsFixture, MissingFileSaysWhichPackageProvidesIt) {
  const auto entry = testing_util::builtin_entry("digits");
  json values = default_options(entry.options).json();
  values["path"] = path("digits.png");
  const std::string msg = error_of([&] { entry.make(Options(values), 0); });
  EXPECT_THAT(msg, HasSubstr(path("digits.png")));
  EXPECT_THAT(msg, HasSubstr("opencv-doc"));
  EXPECT_THAT(msg, HasSubstr("scripts/install-deps.sh"));
}

}  // namespace
}  // namespace lazystack
