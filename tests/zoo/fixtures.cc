#include "fixtures.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <random>

namespace lazystack {
namespace testing_zoo {
namespace {

// Draws class `label`'s pattern at a jittered position into a side x side image.
void draw(int label, int side, std::mt19937_64& rng, float* img) {
  std::uniform_int_distribution<int> jitter(-1, 1);
  const int dx = jitter(rng), dy = jitter(rng);
  const int mid = side / 2;
  auto set = [&](int y, int x) {
    y += dy;
    x += dx;
    if (y >= 0 && y < side && x >= 0 && x < side) img[y * side + x] = 1.0f;
  };
  const int lo = side / 4, hi = side - side / 4;
  for (int i = lo; i < hi; ++i) {
    switch (label) {
      case 0:
        set(mid, i);
        break;  // horizontal bar
      case 1:
        set(i, mid);
        break;  // vertical bar
      case 2:
        set(i, i);
        break;  // diagonal
      default:  // hollow square
        set(lo, i), set(hi - 1, i), set(i, lo), set(i, hi - 1);
    }
  }
}

void fill_images(Split& s, int n, const InputShape& shape, std::mt19937_64& rng) {
  const int side = shape.width;
  std::normal_distribution<float> noise(0.0f, 0.2f);
  s.num_samples = n;
  s.x.assign(static_cast<size_t>(n) * side * side, 0.0f);
  s.y.resize(n);
  for (int i = 0; i < n; ++i) {
    s.y[i] = i % 4;
    float* img = s.x.data() + static_cast<size_t>(i) * side * side;
    draw(s.y[i], side, rng, img);
    for (int p = 0; p < side * side; ++p) img[p] = std::clamp(img[p] + noise(rng), 0.0f, 1.0f);
  }
}

void fill_tabular(Split& s, int n, const InputShape& shape, std::mt19937_64& rng) {
  const int features = shape.width;
  std::normal_distribution<float> noise(0.0f, 1.0f);
  s.num_samples = n;
  s.x.resize(static_cast<size_t>(n) * features);
  s.y.resize(n);
  for (int i = 0; i < n; ++i) {
    s.y[i] = i % 3;
    for (int f = 0; f < features; ++f)  // class c is centred at 4 on feature c, in units of 10
      s.x[static_cast<size_t>(i) * features + f] =
          10.0f * (noise(rng) + (f == s.y[i] ? 4.0f : 0.0f));
  }
}

using FillSplit = void (*)(Split&, int, const InputShape&, std::mt19937_64&);

Dataset assemble(const std::string& name, const std::string& domain, int num_classes,
                 const InputShape& shape, int train, int val, int test, uint64_t seed,
                 FillSplit fill) {
  Dataset ds;
  ds.name = name;
  ds.domain = domain;
  ds.num_classes = num_classes;
  ds.shape = shape;
  std::mt19937_64 rng(seed);
  fill(ds.train, train, shape, rng);
  fill(ds.val, val, shape, rng);
  fill(ds.test, test, shape, rng);
  ds.finalize();
  return ds;
}

}  // namespace

Dataset synthetic_images(int side, int train, int val, int test, uint64_t seed) {
  return assemble("synthetic-images", "vision", 4, {1, side, side, /*is_image=*/true}, train, val,
                  test, seed, fill_images);
}

Dataset synthetic_tabular(int features, int train, int val, int test, uint64_t seed) {
  return assemble("synthetic-tabular", "tabular", 3, {1, 1, features, /*is_image=*/false}, train,
                  val, test, seed, fill_tabular);
}

double accuracy(const std::vector<float>& logits, const std::vector<int32_t>& labels,
                int num_classes) {
  long right = 0;
  for (size_t n = 0; n < labels.size(); ++n) {
    const float* row = logits.data() + n * num_classes;
    right += std::max_element(row, row + num_classes) - row == labels[n];
  }
  return labels.empty() ? 0.0 : static_cast<double>(right) / labels.size();
}

const ModelRegistry& builtin_models() {
  static const ModelRegistry registry = [] {
    ModelRegistry r;
    register_builtin_models(r);
    return r;
  }();
  return registry;
}

TempDir::TempDir() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = std::string(info->test_suite_name()) + "_" + info->name();
  for (char& c : name)
    if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  path_ = std::filesystem::temp_directory_path() /
          ("lazystack_zoo_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace testing_zoo
}  // namespace lazystack
