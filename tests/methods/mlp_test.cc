#include "methods/common/mlp.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

namespace lazystack {
namespace {

MlpWeights random_weights(int in, const std::vector<int>& hidden, int out, uint64_t seed) {
  MlpWeights w = MlpWeights::zeros(in, hidden, out);
  // Scaled like trained layers (std 1/sqrt(fan_in)), so activations stay O(1) through depth and
  // the float32 kernel is held to 1e-5 of the double-precision definition.
  std::mt19937_64 rng(seed);
  for (auto& layer : w.layers) {
    std::normal_distribution<float> gauss(0.0f, 1.0f / std::sqrt(static_cast<float>(layer.in)));
    for (float& v : layer.weight) v = gauss(rng);
    for (float& v : layer.bias) v = gauss(rng);
  }
  return w;
}

// The definition, in double precision: x W + b, ReLU between layers.
std::vector<double> reference_logits(const MlpWeights& w, const std::vector<float>& x) {
  std::vector<double> a(x.begin(), x.end());
  for (size_t l = 0; l < w.layers.size(); ++l) {
    const MlpLayer& layer = w.layers[l];
    std::vector<double> y(layer.out);
    for (int o = 0; o < layer.out; ++o) {
      double s = layer.bias[o];
      for (int i = 0; i < layer.in; ++i) s += a[i] * layer.w(i, o);
      y[o] = (l + 1 < w.layers.size()) ? std::max(s, 0.0) : s;
    }
    a = std::move(y);
  }
  return a;
}

struct Shape {
  int in;
  std::vector<int> hidden;
  int out;
};

// Output widths cover full 64-wide tiles, 32/16 tails, padding (10, 17, 3, 2) and one-wide
// layers; input widths cover odd sizes and fewer inputs than partial sums.
const std::vector<Shape> kShapes = {{80, {64}, 10},       {5, {}, 3},      {7, {3}, 2},
                                    {33, {17, 65}, 9},    {16, {}, 16},    {1, {1}, 2},
                                    {100, {128, 64}, 10}, {12, {200}, 26}, {3, {96, 48, 40}, 4}};

// Every instruction set this CPU has, so the AVX2 and baseline paths are tested on an AVX-512
// machine too.
class MlpKernelIsa : public ::testing::TestWithParam<MlpKernel::Isa> {};

TEST_P(MlpKernelIsa, MatchesTheDefinitionOnManyShapes) {
  if (!MlpKernel::supported(GetParam())) GTEST_SKIP() << "not supported by this CPU";
  uint64_t seed = 1;
  for (const Shape& s : kShapes) {
    const MlpWeights w = random_weights(s.in, s.hidden, s.out, seed++);
    MlpKernel kernel(w, GetParam());
    EXPECT_EQ(kernel.input_dim(), s.in);
    EXPECT_EQ(kernel.output_dim(), s.out);
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<float> x(s.in);
      for (float& v : x) v = u(rng);
      const std::vector<double> want = reference_logits(w, x);
      std::vector<float> got(s.out), probs(s.out);
      kernel.logits(x.data(), got.data());
      kernel.forward(x.data(), probs.data());
      double max_logit = want[0], z = 0.0;
      for (double v : want) max_logit = std::max(max_logit, v);
      for (double v : want) z += std::exp(v - max_logit);
      for (int o = 0; o < s.out; ++o) {
        EXPECT_NEAR(got[o], want[o], 1e-5 * std::max(1.0, std::abs(want[o])))
            << w.architecture() << " output " << o;
        EXPECT_NEAR(probs[o], std::exp(want[o] - max_logit) / z, 1e-5);
      }
    }
  }
}

std::string isa_name(const ::testing::TestParamInfo<MlpKernel::Isa>& info) {
  switch (info.param) {
    case MlpKernel::Isa::kAvx512:
      return "avx512";
    case MlpKernel::Isa::kAvx2:
      return "avx2";
    case MlpKernel::Isa::kBaseline:
      return "baseline";
    default:
      return "auto";
  }
}

INSTANTIATE_TEST_SUITE_P(AllPaths, MlpKernelIsa,
                         ::testing::Values(MlpKernel::Isa::kAuto, MlpKernel::Isa::kAvx512,
                                           MlpKernel::Isa::kAvx2, MlpKernel::Isa::kBaseline),
                         isa_name);

TEST(MlpKernel, PathsAgreeWithEachOther) {
  const MlpWeights w = random_weights(80, {64}, 10, 21);
  std::vector<float> x(80, 0.3f), want(10), got(10);
  MlpKernel(w, MlpKernel::Isa::kBaseline).logits(x.data(), want.data());
  for (auto isa : {MlpKernel::Isa::kAvx512, MlpKernel::Isa::kAvx2}) {
    if (!MlpKernel::supported(isa)) continue;
    MlpKernel(w, isa).logits(x.data(), got.data());
    for (int o = 0; o < 10; ++o)
      EXPECT_NEAR(got[o], want[o], 1e-5f * std::max(1.0f, std::abs(want[o])));
  }
}

TEST(MlpKernel, CopiesAreIndependentAndEqual) {
  const MlpWeights w = random_weights(20, {64}, 10, 3);
  MlpKernel a(w);
  MlpKernel b = a;
  MlpKernel c;
  c = b;
  std::vector<float> x(20, 0.25f), ya(10), yc(10);
  a.logits(x.data(), ya.data());
  c.logits(x.data(), yc.data());
  EXPECT_EQ(ya, yc);
  EXPECT_STRNE(a.isa(), "");
}

TEST(MlpKernel, RejectsInvalidWeights) {
  MlpWeights w = random_weights(4, {8}, 3, 4);
  w.layers[1].in = 7;  // does not chain
  EXPECT_THROW(MlpKernel{w}, std::invalid_argument);
  MlpWeights nan = random_weights(4, {}, 3, 5);
  nan.layers[0].bias[1] = std::nanf("");
  EXPECT_THROW(MlpKernel{nan}, std::invalid_argument);
  EXPECT_THROW(MlpKernel{MlpWeights{}}, std::invalid_argument);
}

TEST(MlpWeights, ShapeQueries) {
  const MlpWeights w = random_weights(80, {64, 32}, 10, 6);
  EXPECT_EQ(w.input_dim(), 80);
  EXPECT_EQ(w.output_dim(), 10);
  EXPECT_EQ(w.hidden_sizes(), (std::vector<int>{64, 32}));
  EXPECT_EQ(w.max_width(), 64);
  EXPECT_EQ(w.num_parameters(), 81 * 64 + 65 * 32 + 33 * 10);
  EXPECT_EQ(w.architecture(), "80-64-32-10");
}

TEST(MlpWeights, JsonRoundTripIsBitExact) {
  const MlpWeights w = random_weights(13, {7}, 5, 7);
  const MlpWeights back = MlpWeights::from_json(nlohmann::json::parse(w.to_json().dump()));
  EXPECT_TRUE(back == w);
  MlpWeights nudged = back;
  nudged.layers[0].weight[3] = std::nextafter(nudged.layers[0].weight[3], 1.0f);
  EXPECT_FALSE(nudged == w);  // equality really is bitwise
}

TEST(MlpWeights, BinaryRoundTripIsBitExactAndEmbeddable) {
  const MlpWeights a = random_weights(13, {7}, 5, 8);
  const MlpWeights b = random_weights(6, {}, 2, 9);
  std::stringstream blob;
  a.write_binary(blob);
  b.write_binary(blob);
  blob << "trailing";
  EXPECT_TRUE(MlpWeights::read_binary(blob) == a);
  EXPECT_TRUE(MlpWeights::read_binary(blob) == b);
}

TEST(MlpWeights, SaveAndLoadFilesInBothFormats) {
  const auto dir =
      std::filesystem::temp_directory_path() /
      ("lazystack_mlp_test_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()));
  const MlpWeights w = random_weights(9, {16}, 4, 10);
  for (const char* name : {"w.json", "w.bin"}) {
    const std::string path = (dir / "sub" / name).string();
    w.save(path);
    EXPECT_TRUE(MlpWeights::load(path) == w) << name;
  }
  std::filesystem::remove_all(dir);
  EXPECT_THROW(MlpWeights::load((dir / "missing.bin").string()), std::runtime_error);
}

TEST(MlpWeights, CorruptBlobsAreRejected) {
  const MlpWeights w = random_weights(9, {16}, 4, 11);
  std::stringstream full;
  w.write_binary(full);
  const std::string bytes = full.str();

  std::stringstream truncated(bytes.substr(0, bytes.size() - 3));
  EXPECT_THROW(MlpWeights::read_binary(truncated), std::runtime_error);
  std::string bad_magic = bytes;
  bad_magic[0] = 'X';
  std::stringstream magic(bad_magic);
  EXPECT_THROW(MlpWeights::read_binary(magic), std::runtime_error);
  std::string huge = bytes;
  const int32_t giant = 1 << 30;
  std::memcpy(&huge[12], &giant, sizeof giant);  // first layer's `in`
  std::stringstream shape(huge);
  EXPECT_THROW(MlpWeights::read_binary(shape), std::runtime_error);
}

TEST(MlpWeights, BadJsonIsRejectedWithAReason) {
  nlohmann::json j = random_weights(3, {}, 2, 12).to_json();
  j["layers"][0]["weight"].erase(0);
  EXPECT_THROW(MlpWeights::from_json(j), std::invalid_argument);
  nlohmann::json wrong_format = random_weights(3, {}, 2, 12).to_json();
  wrong_format["format"] = "onnx";
  EXPECT_THROW(MlpWeights::from_json(wrong_format), std::invalid_argument);
  EXPECT_THROW(MlpWeights::from_json(nlohmann::json::object()), std::invalid_argument);
}

TEST(Softmax, SumsToOneAndSurvivesLargeLogits) {
  float v[] = {1000.0f, 999.0f, -1000.0f};
  softmax_inplace(v, 3);
  EXPECT_NEAR(v[0] + v[1] + v[2], 1.0f, 1e-6);
  EXPECT_NEAR(v[0] / v[1], std::exp(1.0f), 1e-4);
  EXPECT_EQ(v[2], 0.0f);
}

}  // namespace
}  // namespace lazystack
