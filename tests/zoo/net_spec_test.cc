// Analytic cost of the architectures against hand-computed MACs and parameter counts, and the
// shape errors a person sees for inputs an architecture cannot take.
#include "zoo/net_spec.h"

#include <gtest/gtest.h>

#include "core/options.h"
#include "zoo/architectures.h"
#include "zoo/model.h"
#include "zoo/torch_classifier.h"

namespace lazystack {
namespace {

const InputShape kFashion{1, 28, 28, /*is_image=*/true};

TEST(NetSpec, SoftmaxOn784FeaturesIs7840Macs) {
  const NetCost c = net_cost(softmax_net(kFashion, 10));
  EXPECT_EQ(c.macs, 7840);
  EXPECT_EQ(c.params, 7850);  // + 10 biases
  EXPECT_EQ(c.output.numel(), 10);
}

TEST(NetSpec, MlpCountsEveryLinearLayer) {
  const NetCost c = net_cost(mlp_net(kFashion, 10, {128}, /*dropout=*/0.2));
  EXPECT_EQ(c.macs, 784 * 128 + 128 * 10);
  EXPECT_EQ(c.params, 784 * 128 + 128 + 128 * 10 + 10);
}

TEST(NetSpec, LeNet5MatchesTheClassicCounts) {
  const NetSpec net = lenet5_net(kFashion, 10);
  const NetCost c = net_cost(net);
  // conv1 6*28*28*25 + conv2 16*10*10*150 + 400*120 + 120*84 + 84*10
  EXPECT_EQ(c.macs, 117600 + 240000 + 48000 + 10080 + 840);
  EXPECT_EQ(c.params, 61706);
  const auto layers = analyse(net);
  EXPECT_EQ(layers[0].out.str(), "6x28x28");
  EXPECT_EQ(layers[2].out.str(), "6x14x14");
  EXPECT_EQ(layers[3].out.str(), "16x10x10");
  EXPECT_EQ(layers[5].out.str(), "16x5x5");
}

TEST(NetSpec, CnnWithBatchNormHasNoConvBias) {
  CnnConfig config;
  config.channels = {4};
  config.hidden = 0;
  const NetCost c = net_cost(cnn_net({1, 8, 8, true}, 3, config));
  EXPECT_EQ(c.macs, 4 * 8 * 8 * 9 + 64 * 3);  // conv 1->4 at 8x8, then linear 4*4*4 -> 3
  EXPECT_EQ(c.params, 36 + 8 + 64 * 3 + 3);   // conv weights, BN scale+shift, linear
}

TEST(NetSpec, ResNetCountsBlocksAndProjectionShortcuts) {
  const NetSpec net = resnet_net({1, 8, 8, true}, 3, /*width=*/2, /*blocks=*/1, /*stages=*/2);
  const NetCost c = net_cost(net);
  const double stem = 2 * 64 * 9;                                      // 1 -> 2 at 8x8
  const double block1 = 2 * (2 * 64 * 2 * 9);                          // 2 -> 2, twice
  const double block2 = 4 * 16 * 2 * 9 + 4 * 16 * 4 * 9 + 4 * 16 * 2;  // stride 2 + 1x1 shortcut
  EXPECT_EQ(c.macs, stem + block1 + block2 + 4 * 3);
  const double params = (18 + 4) + (36 + 36 + 4 + 4) + (72 + 144 + 8 + 8 + 8 + 8) + (12 + 3);
  EXPECT_EQ(c.params, params);
  EXPECT_EQ(analyse(net).back().in.str(), "4x1x1");
  // The torch network built from the spec checks its own parameter count against this one.
  EXPECT_NO_THROW(make_torch_classifier(net, TrainConfig{}, 3));
}

TEST(NetSpec, TorchParameterCountsAgreeForEveryArchitecture) {
  for (const TorchArch& arch : torch_architectures()) {
    Dataset ds;
    ds.name = "shape-only";
    ds.num_classes = 7;
    ds.shape = {3, 20, 20, true};
    const Options o = default_options(arch.options);
    const NetSpec net = arch.build(o, ds);
    EXPECT_NO_THROW(make_torch_classifier(net, train_config(o), 7)) << arch.name;
  }
}

TEST(NetSpec, TooSmallAnInputIsAClearError) {
  try {
    net_cost(lenet5_net({1, 6, 6, true}, 10));
    FAIL() << "expected an error";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("too small"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("lenet5"), std::string::npos) << e.what();
  }
  CnnConfig four_poolings;
  four_poolings.channels = {4, 4, 4, 4};
  EXPECT_THROW(net_cost(cnn_net({1, 12, 12, true}, 10, four_poolings)), std::invalid_argument);
}

TEST(NetSpec, ConvolutionalArchitecturesRefuseTabularData) {
  const InputShape tabular{1, 1, 16, /*is_image=*/false};
  for (auto build : {+[](const InputShape& s) { return lenet5_net(s, 3); },
                     +[](const InputShape& s) { return cnn_net(s, 3, CnnConfig{}); },
                     +[](const InputShape& s) { return resnet_net(s, 3, 8, 1, 3); }}) {
    try {
      build(tabular);
      ADD_FAILURE() << "expected an error";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("needs image input"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(net_cost(mlp_net(tabular, 3, {8}, 0)).macs, 16 * 8 + 8 * 3);
}

TEST(NetSpec, DescriptionNamesEveryLayer) {
  const nlohmann::json j = lenet5_net(kFashion, 10).to_json();
  EXPECT_EQ(j["input"], "1x28x28");
  ASSERT_EQ(j["layers"].size(), 11u);
  EXPECT_EQ(j["layers"][0]["kind"], "conv");
  EXPECT_EQ(j["layers"][0]["padding"], 2);
}

}  // namespace
}  // namespace lazystack
