// csv and the scikit-learn datasets: header detection, label columns by name and index,
// categorical and integer labels, quoted cells, gzip, a separate test file, the sklearn header,
// the real scikit-learn files, and every malformed input naming file:line (and column).
#include <fmt/core.h>
#include <zlib.h>

#include <cmath>
#include <numeric>

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
using testing_util::write_text;

// Rows "f1,f2,label" for 3 classes x 10 rows: f1 = the row number, f2 = the class index times
// 10, so every sample can be traced back to its row and class.
std::string rows_text(const std::vector<std::string>& class_labels, int per_class = 10) {
  std::string text;
  int row = 0;
  for (int k = 0; k < per_class; ++k)
    for (size_t c = 0; c < class_labels.size(); ++c, ++row)
      text += fmt::format("{},{},{}\n", row, 10 * c, class_labels[c]);
  return text;
}

class CsvDataset : public testing_util::TempDirTest {
 protected:
  std::unique_ptr<Dataset> load(const std::string& text, json overrides = json::object()) {
    write_text(path("data.csv"), text);
    overrides["path"] = path("data.csv");
    if (!overrides.contains("standardize")) overrides["standardize"] = false;
    return load_builtin("csv", overrides, 0);
  }
  std::string load_error(const std::string& text, json overrides = json::object()) {
    return error_of([&] { load(text, overrides); });
  }
  // Every sample of every split: feature 2 / 10 is its class under `names` sorted.
  static void expect_labels_follow_features(const Dataset& ds, const std::vector<int>& class_of) {
    for (const Split* s : {&ds.train, &ds.val, &ds.test})
      for (int i = 0; i < s->num_samples; ++i)
        EXPECT_EQ(s->y[i], class_of.at(static_cast<int>(s->x[i * 2 + 1] / 10)));
  }
};

TEST_F(CsvDataset, HeaderIsDetectedAndClassNamesAreSorted) {
  const auto ds = load("row, shift ,species\n" + rows_text({"versicolor", "setosa", "virginica"}),
                       {{"label", "species"}});
  EXPECT_EQ(ds->name, "csv-data");
  EXPECT_EQ(ds->domain, "tabular");
  EXPECT_EQ(ds->num_classes, 3);
  EXPECT_EQ(ds->class_names, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
  EXPECT_FALSE(ds->shape.is_image);
  EXPECT_EQ(ds->shape.feature_dim(), 2);
  EXPECT_EQ(ds->train.num_samples + ds->val.num_samples + ds->test.num_samples, 30);
  EXPECT_EQ(ds->val.num_samples, 6);
  EXPECT_EQ(ds->test.num_samples, 6);
  for (const Split* s : {&ds->val, &ds->test})
    EXPECT_EQ(label_counts(*s, 3), (std::vector<int>{2, 2, 2}));
  expect_labels_follow_features(*ds, {1, 0, 2});  // file class 0 is versicolor = class 1
}

TEST_F(CsvDataset, TextLabelsAloneDoNotMakeAHeader) {
  // The first row's label is text, but so is the second's: data, not a header.
  const auto ds = load(rows_text({"b", "a"}));
  EXPECT_EQ(ds->train.num_samples + ds->val.num_samples + ds->test.num_samples, 20);
  EXPECT_EQ(ds->class_names, (std::vector<std::string>{"a", "b"}));
  expect_labels_follow_features(*ds, {1, 0});
  // A numeric-looking first row is data unless header: true says otherwise.
  const auto numeric = load("1,2,3\n" + rows_text({"7", "5"}));
  EXPECT_EQ(numeric->class_names, (std::vector<std::string>{"3", "5", "7"}));
}

TEST_F(CsvDataset, IntegerLabelsAreSortedNumericallyAndByIndex) {
  // Labels in the first column: 10, 2, -1 (and "2.0" is class 2 too).
  std::string text;
  for (int k = 0; k < 10; ++k) {
    text += fmt::format("10,{},0\n", k);
    text += fmt::format("{},{},10\n", k == 0 ? "2.0" : "2", k);
    text += fmt::format("-1,{},20\n", k);
  }
  for (const char* label : {"0", "-3"}) {
    const auto ds = load(text, {{"label", label}});
    EXPECT_EQ(ds->class_names, (std::vector<std::string>{"-1", "2", "10"})) << label;
    // Features are columns 2 and 3: column 3 / 10 = 0 for label 10, 1 for 2, 2 for -1.
    expect_labels_follow_features(*ds, {2, 1, 0});
  }
}

TEST_F(CsvDataset, ForcedHeaderAndQuotedCells) {
  // header: true keeps a numeric-looking first row out of the data.
  const auto forced = load("1,2,3\n" + rows_text({"7", "5"}), {{"header", "true"}, {"label", "3"}});
  EXPECT_EQ(forced->class_names, (std::vector<std::string>{"5", "7"}));
  EXPECT_EQ(forced->train.num_samples + forced->val.num_samples + forced->test.num_samples, 20);
  // Quoted cells keep commas and doubled quotes; a quoted number is a number.
  std::string text = "\"x, first\",\"y\",label\n";
  for (int k = 0; k < 10; ++k)
    text += fmt::format("{},\"{}\",\"big, \"\"red\"\"\"\n{}, 10 ,small\n", k, 0, k);
  const auto quoted = load(text, {{"label", "label"}});
  EXPECT_EQ(quoted->class_names, (std::vector<std::string>{"big, \"red\"", "small"}));
  expect_labels_follow_features(*quoted, {0, 1});
}

TEST_F(CsvDataset, SemicolonsGzipAndStandardisation) {
  std::string text = rows_text({"a", "b"}, 20);
  for (char& c : text)
    if (c == ',') c = ';';
  const std::string file = path("data.txt.gz");
  gzFile f = gzopen(file.c_str(), "wb");
  ASSERT_TRUE(f);
  gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
  gzclose(f);
  const auto ds = load_builtin("csv", {{"path", file}, {"separator", "semicolon"}}, 4);
  EXPECT_EQ(ds->name, "csv-data");
  EXPECT_EQ(ds->train.num_samples, 24);
  // Standardised with train statistics: the train mean of feature 2 (0 or 10) is 0.
  double sum = 0;
  for (int i = 0; i < ds->train.num_samples; ++i) sum += ds->train.x[i * 2 + 1];
  EXPECT_NEAR(sum, 0.0, 1e-4);
  for (int i = 0; i < ds->train.num_samples; ++i)
    EXPECT_NEAR(std::abs(ds->train.x[i * 2 + 1]), 1.0, 1e-5);  // two equal groups: +-1 sd
  testing_util::expect_fingerprints_follow_seed("csv", {{"path", file}, {"separator", "semicolon"}},
                                                4, 5);
}

TEST_F(CsvDataset, SeparateTestFile) {
  write_text(path("test.csv"), "row,shift,y\n" + rows_text({"b", "a"}, 3));
  const auto ds = load("row,shift,y\n" + rows_text({"a", "b"}), {{"test_path", path("test.csv")}});
  EXPECT_EQ(ds->train.num_samples, 16);
  EXPECT_EQ(ds->val.num_samples, 4);
  ASSERT_EQ(ds->test.num_samples, 6);
  for (int i = 0; i < 6; ++i) {  // the test file's rows in order; its "b" is class 1
    EXPECT_EQ(ds->test.x[i * 2], static_cast<float>(i));
    EXPECT_EQ(ds->test.y[i], i % 2 == 0 ? 1 : 0);
  }
  write_text(path("test.csv"), "row,shift,y\n0,0,c\n");
  EXPECT_THAT(
      load_error("row,shift,y\n" + rows_text({"a", "b"}), {{"test_path", path("test.csv")}}),
      HasSubstr(path("test.csv") + ":2: label 'c' is not a class of"));
  write_text(path("test.csv"), "row,offset,y\n0,0,a\n");
  EXPECT_THAT(
      load_error("row,shift,y\n" + rows_text({"a", "b"}), {{"test_path", path("test.csv")}}),
      HasSubstr("test.csv:1: column 2 is 'offset', but in"));
}

TEST_F(CsvDataset, SklearnHeaderNamesTheClasses) {
  const auto ds =
      load("30,2,alpha,beta,gamma\n" + rows_text({"0", "1", "2"}), {{"header", "sklearn"}});
  EXPECT_EQ(ds->class_names, (std::vector<std::string>{"alpha", "beta", "gamma"}));
  expect_labels_follow_features(*ds, {0, 1, 2});
  // header: auto recognises the sklearn line when its counts match the file.
  EXPECT_EQ(load("30,2,alpha,beta,gamma\n" + rows_text({"0", "1", "2"}))->class_names,
            (std::vector<std::string>{"alpha", "beta", "gamma"}));
  // With counts that do not match, it is an ordinary (here: ragged) header row.
  EXPECT_THAT(load_error("31,2,alpha,beta,gamma\n" + rows_text({"0", "1", "2"})),
              HasSubstr("data.csv:2: 3 fields, expected 5 (as on line 1)"));
  EXPECT_THAT(load_error("31,2,a,b,c\n" + rows_text({"0", "1", "2"}), {{"header", "sklearn"}}),
              HasSubstr("data.csv:1: the header declares 31 samples, the file has 30"));
  EXPECT_THAT(load_error("30,3,a,b,c\n" + rows_text({"0", "1", "2"}), {{"header", "sklearn"}}),
              HasSubstr("data.csv:1: the header declares 3 features"));
  EXPECT_THAT(load_error("30,2,a,b\n" + rows_text({"0", "1", "2"}), {{"header", "sklearn"}}),
              HasSubstr("the header names 2 classes, so labels must be 0..1, but label 2 occurs"));
  EXPECT_THAT(load_error("n,2,a,b\n" + rows_text({"0", "1"}), {{"header", "sklearn"}}),
              HasSubstr("data.csv:1: expected scikit-learn's header"));
}

TEST_F(CsvDataset, MalformedFilesNameFileLineAndColumn) {
  const std::string good = "a,b,y\n" + rows_text({"p", "q"});
  const std::string file = path("data.csv");
  std::string ragged = good;
  ragged.insert(ragged.find("\n", ragged.find("\n") + 1), ",9");  // line 2 gets a 4th field
  EXPECT_THAT(load_error(ragged), HasSubstr(file + ":2: 4 fields, expected 3 (as on line 1)"));
  std::string text_cell = good;
  text_cell.replace(text_cell.find("\n1,10,q") + 3, 2, "zero");  // line 3, column 2
  EXPECT_THAT(load_error(text_cell), HasSubstr(file + ":3: column 2 ('b') is 'zero', expected a"));
  EXPECT_THAT(load_error("a,b,y\n0,,p\n1,2,q\n"), HasSubstr(":2: column 2 ('b') is ''"));
  EXPECT_THAT(load_error("0,1,p\n1,nan,q\n"), HasSubstr(file + ":2: column 2 is 'nan'"));
  EXPECT_THAT(load_error(""), HasSubstr(file + ": empty file: no rows"));
  EXPECT_THAT(load_error("\n  \n"), HasSubstr("empty file"));
  EXPECT_THAT(load_error("a,b,y\n", {{"header", "true"}}), HasSubstr("only a header row"));
  EXPECT_THAT(load_error(good, {{"label", "z"}}),
              HasSubstr(file + ": label column 'z' does not exist; the columns are: a, b, y"));
  EXPECT_THAT(load_error(good, {{"label", "3"}}),
              HasSubstr("label column 3 does not exist: the file has 3 columns"));
  EXPECT_THAT(load_error(good, {{"label", "-4"}}), HasSubstr("label column -4 does not exist"));
  EXPECT_THAT(load_error(rows_text({"p", "q"}), {{"label", "y"}}),
              HasSubstr("label 'y' names a column, but the file has no header row"));
  EXPECT_THAT(load_error("a,b,y\n" + rows_text({"p"})),
              HasSubstr(file + ": the label column 3 ('y') holds a single class ('p')"));
  EXPECT_THAT(load_error("0,1,2.5\n1,1,1\n"), HasSubstr(file + ":1: label '2.5' is a number"));
  EXPECT_THAT(load_error("a,b,y\n0,1,\n1,1,q\n"),
              HasSubstr(":2: column 3 ('y') (the label) is empty"));
  EXPECT_THAT(load_error("a,b,y\n0,1,\"p\n"), HasSubstr(file + ":2:5: quoted field is not closed"));
  EXPECT_THAT(load_error("a,b,y\n0,1,\"p\"x\n"), HasSubstr(":2:8: unexpected 'x' after a closing"));
  EXPECT_THAT(load_error("1\n2\n"), HasSubstr(":1: one column only"));
  EXPECT_THAT(load_error("a,b,y\n0,1,p\n1,1,q\n", {{"val_fraction", 0.1}}),
              HasSubstr("empty split"));
}

TEST_F(CsvDataset, MissingPathIsAConfigErrorAtTheKey) {
  const ConfigError e =
      testing_util::dataset_config_error("csv", "{name: csv,\n  path: " + path("absent.csv") + "}");
  EXPECT_EQ(e.key(), "dataset.path");
  EXPECT_EQ(e.line(), 2);
  EXPECT_EQ(e.column(), 9);
  EXPECT_THAT(e.what(), HasSubstr("absent.csv' does not exist"));
  // `path` has no default: leaving it out is an error too.
  EXPECT_EQ(testing_util::dataset_config_error("csv", "{name: csv}").key(), "dataset.path");
}

// The real files of the Debian package python3-sklearn.
TEST(SklearnDatasets, LoadWithTheirClassNames) {
  struct Expected {
    const char* name;
    int rows, features;
    std::vector<int> class_sizes;
    std::string first_class;
  };
  const std::vector<Expected> all = {
      {"iris", 150, 4, {50, 50, 50}, "setosa"},
      {"wine", 178, 13, {59, 71, 48}, "class_0"},
      {"breast-cancer", 569, 30, {212, 357}, "malignant"},
      {"sklearn-digits", 1797, 64, {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, "0"},
  };
  for (const Expected& e : all) {
    const auto ds = load_builtin(e.name, json::object(), 0);
    EXPECT_EQ(ds->name, e.name);
    EXPECT_EQ(ds->shape.feature_dim(), e.features) << e.name;
    EXPECT_EQ(ds->class_names.front(), e.first_class) << e.name;
    const int k = static_cast<int>(e.class_sizes.size());
    ASSERT_EQ(ds->num_classes, k) << e.name;
    std::vector<int> sizes(k, 0);
    for (const Split* s : {&ds->train, &ds->val, &ds->test}) {
      const auto counts = label_counts(*s, k);
      for (int c = 0; c < k; ++c) sizes[c] += counts[c];
    }
    EXPECT_EQ(sizes, e.class_sizes) << e.name;
    EXPECT_EQ(ds->val.num_samples, static_cast<int>(std::lround(e.rows * 0.25))) << e.name;
  }
}

// The generic loader reads the same file to the same splits: header auto-detected as sklearn's.
TEST(SklearnDatasets, CsvLoaderReadsTheSameFileToTheSameSplits) {
  const json fractions = {{"val_fraction", 0.3}, {"test_fraction", 0.3}};
  const auto named = load_builtin("wine", fractions, 3);
  json overrides = fractions;
  overrides["path"] = "/usr/lib/python3/dist-packages/sklearn/datasets/data/wine_data.csv";
  const auto generic = load_builtin("csv", overrides, 3);
  EXPECT_EQ(generic->name, "csv-wine_data");
  EXPECT_EQ(generic->class_names, named->class_names);
  for (const char* which : {"train", "val", "test"})
    EXPECT_EQ(generic->split(which).fingerprint, named->split(which).fingerprint) << which;
}

}  // namespace
}  // namespace lazystack
