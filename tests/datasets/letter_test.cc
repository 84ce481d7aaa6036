// letter: the UCI CSV (real file, limited and full), standardisation with train statistics only,
// and malformed CSV fixtures whose errors name file:line.
#include <cmath>

#include "core/options.h"
#include "datasets/csv.h"
#include "tests/datasets/test_util.h"

namespace lazystack {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using testing_util::error_of;
using testing_util::label_counts;
using testing_util::load_builtin;

constexpr const char* kFile = "/usr/share/doc/opencv-doc/examples/data/letter-recognition.data";

// Per-feature mean and population standard deviation of a split.
void feature_stats(const Split& s, int dim, std::vector<double>* mean, std::vector<double>* sd) {
  mean->assign(dim, 0.0);
  sd->assign(dim, 0.0);
  for (int i = 0; i < s.num_samples; ++i)
    for (int j = 0; j < dim; ++j) (*mean)[j] += s.x[i * dim + j];
  for (auto& m : *mean) m /= s.num_samples;
  for (int i = 0; i < s.num_samples; ++i)
    for (int j = 0; j < dim; ++j) (*sd)[j] += std::pow(s.x[i * dim + j] - (*mean)[j], 2);
  for (auto& v : *sd) v = std::sqrt(v / s.num_samples);
}

TEST(Letter, LimitedLoadIsStratifiedAndSeeded) {
  const auto a = load_builtin("letter", {{"limit", 520}}, 0);
  EXPECT_EQ(a->domain, "tabular");
  EXPECT_EQ(a->num_classes, 26);
  EXPECT_FALSE(a->shape.is_image);
  EXPECT_EQ(a->shape.channels, 1);
  EXPECT_EQ(a->shape.height, 1);
  EXPECT_EQ(a->shape.width, 16);
  EXPECT_EQ(a->class_names.front(), "A");
  EXPECT_EQ(a->class_names.back(), "Z");
  // Class sizes in the file range from 734 to 813 of 20000: 520 samples give 19..21 per class.
  for (const Split* s : {&a->train, &a->val, &a->test}) {
    EXPECT_EQ(s->num_samples, 520);
    for (int n : label_counts(*s, 26)) {
      EXPECT_GE(n, 18);
      EXPECT_LE(n, 22);
    }
  }
  testing_util::expect_fingerprints_follow_seed("letter", {{"limit", 520}}, 0, 1);
}

TEST(Letter, FullLoadIsStandardisedWithTrainStatisticsOnly) {
  for (long limit : {0L, 300L}) {
    const auto ds = load_builtin("letter", {{"limit", limit}}, 2);
    if (limit == 0) {
      EXPECT_EQ(ds->train.num_samples, 12000);
      EXPECT_EQ(ds->val.num_samples, 4000);
      EXPECT_EQ(ds->test.num_samples, 4000);
    }
    std::vector<double> mean, sd;
    feature_stats(ds->train, 16, &mean, &sd);
    for (int j = 0; j < 16; ++j) {
      EXPECT_NEAR(mean[j], 0.0, 1e-4) << "feature " << j << ", limit " << limit;
      EXPECT_NEAR(sd[j], 1.0, 1e-4) << "feature " << j << ", limit " << limit;
    }
    // Standardising val or test with their own statistics would zero their means too.
    for (const Split* s : {&ds->val, &ds->test}) {
      feature_stats(*s, 16, &mean, &sd);
      double largest = 0;
      for (double m : mean) largest = std::max(largest, std::abs(m));
      EXPECT_GT(largest, 1e-3) << "limit " << limit;
    }
  }
}

class LetterFixture : public testing_util::TempDirTest {
 protected:
  // 26 letters x 5 rows: feature 1 = the class index, feature 2 = 7 (constant), others = row.
  std::string good_csv(const std::string& eol = "\n") {
    std::string text;
    for (int k = 0; k < 5; ++k)
      for (int c = 0; c < 26; ++c) {
        text += std::string(1, static_cast<char>('A' + c)) + "," + std::to_string(c) + ",7";
        for (int j = 3; j <= 16; ++j) text += "," + std::to_string((k * 26 + c + j) % 16);
        text += eol;
      }
    return text;
  }
  std::string load_error(const std::string& text) {
    testing_util::write_text(path("bad.csv"), text);
    return error_of([&] { load_builtin("letter", {{"path", path("bad.csv")}}, 0); });
  }
};

// Train holds 3 rows of each letter (78 = 130 - 26 - 26), so feature 1 has train mean 12.5 and
// standard deviation sqrt((26^2 - 1) / 12) = 7.5: every split maps class c to (c - 12.5) / 7.5.
TEST_F(LetterFixture, StandardisesWithStatisticsComputedByHand) {
  testing_util::write_text(path("letters.csv"), good_csv("\r\n") + "\n\n");
  const auto ds = load_builtin("letter", {{"path", path("letters.csv")}}, 3);
  ASSERT_EQ(ds->train.num_samples, 78);
  ASSERT_EQ(ds->val.num_samples, 26);
  ASSERT_EQ(ds->test.num_samples, 26);
  for (const Split* s : {&ds->train, &ds->val, &ds->test})
    for (int i = 0; i < s->num_samples; ++i) {
      EXPECT_NEAR(s->x[i * 16], (s->y[i] - 12.5) / 7.5, 1e-6);
      EXPECT_EQ(s->x[i * 16 + 1], 0.0f);  // constant feature: centred, scale 1
    }
}

TEST_F(LetterFixture, RaggedRowNamesFileAndLine) {
  std::string text = good_csv();
  const size_t line3 = text.find('\n', text.find('\n') + 1) + 1;
  text.erase(text.find(',', line3), 2);  // line 3 loses its first feature: 16 fields
  const std::string msg = load_error(text);
  EXPECT_THAT(msg, HasSubstr(path("bad.csv") + ":3:"));
  EXPECT_THAT(msg, HasSubstr("found 16"));
}

TEST_F(LetterFixture, NonNumericFieldNamesFileLineAndField) {
  std::string text = good_csv();
  const size_t line2 = text.find('\n') + 1;
  size_t field5 = line2;
  for (int k = 0; k < 4; ++k) field5 = text.find(',', field5) + 1;
  text.replace(field5, text.find(',', field5) - field5, "abc");
  const std::string msg = load_error(text);
  EXPECT_THAT(msg, HasSubstr(path("bad.csv") + ":2:"));
  EXPECT_THAT(msg, HasSubstr("field 5 is 'abc'"));
}

TEST_F(LetterFixture, BadClassFieldAndEmptyFileAreErrors) {
  EXPECT_THAT(load_error("a" + good_csv().substr(1)), HasSubstr("bad.csv:1: field 1 is 'a'"));
  EXPECT_THAT(load_error("\n \n"), HasSubstr("no data rows"));
  EXPECT_THAT(load_error(good_csv() + "Q,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,nan\n"),
              HasSubstr("bad.csv:131: field 17 is 'nan'"));
}

TEST_F(LetterFixture, MissingFileSaysWhichPackageProvidesIt) {
  const auto entry = testing_util::builtin_entry("letter");
  json values = default_options(entry.options).json();
  values["path"] = path("letter-recognition.data");
  const std::string msg = error_of([&] { entry.make(Options(values), 0); });
  EXPECT_THAT(msg, HasSubstr("letter-recognition.data not found"));
  EXPECT_THAT(msg, HasSubstr("opencv-doc"));
  EXPECT_THAT(msg, HasSubstr("scripts/install-deps.sh"));
}

TEST(Csv, SplitsTrimsAndKeepsLineNumbers) {
  const std::string file = testing::TempDir() + "/lazystack_csv_test.csv";
  testing_util::write_text(file, "a, 1 ,2\n\n b ,3,\r\n");
  const auto rows = read_csv_rows(file);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].line, 1);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"a", "1", "2"}));
  EXPECT_EQ(rows[1].line, 3);
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"b", "3", ""}));
  EXPECT_DOUBLE_EQ(parse_csv_number(rows[0], 1, file), 1.0);
  EXPECT_THROW(parse_csv_number(rows[1], 2, file), std::runtime_error);  // empty field
  std::remove(file.c_str());
}

}  // namespace
}  // namespace lazystack
