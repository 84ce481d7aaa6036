// image-folder: PNG fixtures written with OpenCV; classes from sorted folder names, CHW in [0, 1]
// in RGB order, resize, grayscale, mean/std, and every bad folder naming what is wrong.
#include <chrono>
#include <opencv2/imgcodecs.hpp>

#include "core/size_check.h"
#include "datasets/builtin.h"
#include "tests/datasets/test_util.h"

namespace lazystack {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using testing_util::error_of;
using testing_util::label_counts;
using testing_util::load_builtin;

class ImageFolder : public testing_util::TempDirTest {
 protected:
  // Writes root/<cls>/<i>.png: a height x width BGR image whose blue channel is 10 * class
  // index + i, green 100 and red 200 everywhere (as a grey image: the blue value).
  void write_class(const std::string& cls, int class_index, int count, int height = 4,
                   int width = 6, int channels = 3, const std::string& tree = "root") {
    fs::create_directories(dir_ / tree / cls);
    for (int i = 0; i < count; ++i) {
      const int blue = 10 * class_index + i;
      cv::Mat image = channels == 1 ? cv::Mat(height, width, CV_8UC1, cv::Scalar(blue))
                                    : cv::Mat(height, width, CV_8UC3, cv::Scalar(blue, 100, 200));
      ASSERT_TRUE(cv::imwrite((dir_ / tree / cls / (std::to_string(i) + ".png")).string(), image));
    }
  }
  std::unique_ptr<Dataset> load(json overrides = json::object()) {
    overrides["root"] = path("root");
    return load_builtin("image-folder", overrides, 0);
  }
  std::string load_error(json overrides = json::object()) {
    return error_of([&] { load(overrides); });
  }
};

TEST_F(ImageFolder, ClassesAreSortedFoldersAndPixelsAreRgbChw) {
  write_class("zebra", 2, 10);
  write_class("ant", 0, 10);
  write_class("cat", 1, 10);
  fs::create_directories(dir_ / "root" / ".hidden");  // ignored, as are non-image files
  testing_util::write_text(path("root/ant/notes.txt"), "not an image");
  const auto ds = load();
  EXPECT_EQ(ds->name, "image-folder-root");
  EXPECT_EQ(ds->domain, "vision");
  EXPECT_EQ(ds->class_names, (std::vector<std::string>{"ant", "cat", "zebra"}));
  EXPECT_TRUE(ds->shape.is_image);
  EXPECT_EQ(ds->shape.channels, 3);
  EXPECT_EQ(ds->shape.height, 4);
  EXPECT_EQ(ds->shape.width, 6);
  EXPECT_EQ(ds->train.num_samples, 18);
  EXPECT_EQ(label_counts(ds->val, 3), (std::vector<int>{2, 2, 2}));
  const int plane = 24;
  for (const Split* s : {&ds->train, &ds->val, &ds->test})
    for (int i = 0; i < s->num_samples; ++i) {
      const float* x = s->x.data() + i * 3 * plane;
      EXPECT_FLOAT_EQ(x[0], 200.0f / 255);          // red plane first
      EXPECT_FLOAT_EQ(x[plane + 5], 100.0f / 255);  // green
      const int blue = static_cast<int>(std::lround(x[2 * plane + 23] * 255));
      EXPECT_EQ(blue / 10, s->y[i]);  // blue = 10 * class + image number
    }
}

TEST_F(ImageFolder, ResizeGrayscaleAndNormalisation) {
  write_class("a", 0, 5, /*height=*/8, /*width=*/8);
  write_class("b", 1, 5, /*height=*/4, /*width=*/6);
  EXPECT_THAT(load_error(), HasSubstr("0.png: 4x6 pixels (height x width), but "));
  const auto ds = load({{"resize", {2, 3}},
                        {"grayscale", true},
                        {"mean", {0.5}},
                        {"std", {0.25}},
                        {"val_fraction", 0.2},
                        {"test_fraction", 0.2}});
  EXPECT_EQ(ds->shape.channels, 1);
  EXPECT_EQ(ds->shape.height, 2);
  EXPECT_EQ(ds->shape.width, 3);
  for (const Split* s : {&ds->train, &ds->val, &ds->test})
    for (int i = 0; i < s->num_samples; ++i) {
      // Uniform images stay uniform when resized; grey = 0.299 R + 0.587 G + 0.114 B with
      // R = 200, G = 100, B = 0..14: 118.5..120.1 of 255, give or take rounding.
      const float grey = s->x[i * 6] * 0.25f + 0.5f;
      EXPECT_NEAR(grey, 119.0f / 255, 1.6f / 255);
      for (int k = 1; k < 6; ++k) EXPECT_FLOAT_EQ(s->x[i * 6 + k], s->x[i * 6]);
    }
  EXPECT_THAT(load_error({{"resize", {2, 3}}, {"mean", {0.5, 0.5}}}),
              HasSubstr("mean has 2 values, but the images have 3 channel(s)"));
  EXPECT_THAT(load_error({{"resize", {2}}}), HasSubstr("resize has 1 values, expected [height"));
}

TEST_F(ImageFolder, SeparateTestTree) {
  write_class("a", 0, 10);
  write_class("b", 1, 10);
  write_class("b", 1, 3, 4, 6, 3, /*tree=*/"test");  // the test tree may lack a class
  const auto ds = load({{"test_root", path("test")}, {"val_fraction", 0.3}});
  EXPECT_EQ(ds->train.num_samples, 14);
  EXPECT_EQ(ds->val.num_samples, 6);
  ASSERT_EQ(ds->test.num_samples, 3);
  for (int i = 0; i < 3; ++i) {  // test/b/0..2.png in order, blue = 10 + i
    EXPECT_EQ(ds->test.y[i], 1);
    EXPECT_EQ(std::lround(ds->test.x[i * 72 + 2 * 24] * 255), 10 + i);
  }
  write_class("c", 2, 1, 4, 6, 3, /*tree=*/"test");
  EXPECT_THAT(load_error({{"test_root", path("test")}}),
              HasSubstr(path("test/c") + " is not a class of root"));
}

TEST_F(ImageFolder, BadFoldersNameWhatIsWrong) {
  EXPECT_THAT(error_of([&] {
                load_builtin("image-folder", {{"root", path("")}}, 0);
              }),
              HasSubstr("holds 0 class folder(s)"));
  write_class("a", 0, 3);
  EXPECT_THAT(load_error(),
              HasSubstr("holds 1 class folder(s); expected one sub-folder per class"));
  fs::create_directories(dir_ / "root" / "b");
  testing_util::write_text(path("root/b/readme.md"), "text");
  EXPECT_THAT(load_error(), HasSubstr(path("root/b") + " holds no images"));
  testing_util::write_text(path("root/b/broken.png"), "these bytes are not a PNG");
  EXPECT_THAT(load_error(), HasSubstr(path("root/b/broken.png") + ": cannot read this image"));
  fs::remove(path("root/b/broken.png"));
  write_class("b", 1, 3, 4, 6, /*channels=*/1);
  EXPECT_THAT(load_error(), HasSubstr(path("root/b/0.png") + ": 1 channel(s), but " +
                                      path("root/a/0.png") + " has 3"));
  EXPECT_EQ(load({{"grayscale", true}})->shape.channels, 1);  // the fix the message suggests
  testing_util::write_text(path("file"), "");
  EXPECT_THAT(error_of([&] {
                load_builtin("image-folder", {{"root", path("file")}}, 0);
              }),
              HasSubstr("root " + path("file") + " is not a folder"));
}

// Sizes are checked before any image is loaded: a folder whose images (as float32, twice while
// splitting) exceed the memory this process may use is a SizeError (exit 2) naming the folder
// and the sizes, raised after reading one image, not an out-of-memory kill. The many images
// are hard links to one small PNG, resized to 4096 x 4096 by the config.
TEST_F(ImageFolder, TooBigForMemoryIsRefusedBeforeLoading) {
  write_class("a", 0, 1);
  write_class("b", 1, 1);
  const uint64_t per_image = 3ull * 4096 * 4096 * 4;
  const uint64_t needed = usable_memory_bytes() / (2 * per_image) + 1;  // just over
  for (uint64_t i = 1; i < needed; ++i)
    fs::create_hard_link(dir_ / "root/a/0.png", dir_ / "root/b" / (std::to_string(i) + ".png"));
  const ImageFolderSize size = image_folder_size(default_options(
      image_folder_entry().options, {{"root", path("root")}, {"resize", {4096, 4096}}}));
  EXPECT_EQ(size.images, needed + 1);
  EXPECT_EQ(size.classes, 2);
  EXPECT_EQ(size.channels, 3);
  EXPECT_EQ(size.height, 4096);
  EXPECT_EQ(size.float_bytes, (needed + 1) * per_image);
  const auto t0 = std::chrono::steady_clock::now();
  try {
    load({{"resize", {4096, 4096}}});
    ADD_FAILURE() << "a folder needing more than this machine's memory was loaded";
  } catch (const SizeError& e) {
    EXPECT_THAT(e.what(), HasSubstr(path("root")));
    EXPECT_THAT(e.what(), HasSubstr(std::to_string(needed + 1) + " images of 3x4096x4096"));
    EXPECT_THAT(e.what(), HasSubstr("this process may use"));
  }
  // Refused after one image: well under the time loading them would take.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 20.0);
  // At the images' own size (4 x 6) the same folder loads.
  EXPECT_EQ(load()->num_classes, 2);
}

TEST_F(ImageFolder, MissingRootIsAConfigErrorAtTheKey) {
  const ConfigError e = testing_util::dataset_config_error(
      "image-folder", "{name: image-folder, root: " + path("absent") + "}");
  EXPECT_EQ(e.key(), "dataset.root");
  EXPECT_THAT(e.what(), HasSubstr("exp.yaml:1:28: 'dataset.root': file or folder"));
  EXPECT_THAT(e.what(), HasSubstr("does not exist"));
}

}  // namespace
}  // namespace lazystack
