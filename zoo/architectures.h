// The built-in network architectures as torch-free NetSpecs, with their declared options.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/options.h"
#include "datasets/dataset.h"
#include "zoo/net_spec.h"

namespace lazystack {

/// Softmax regression: one linear layer on the flattened input.
NetSpec softmax_net(const InputShape& in, int num_classes);
/// Multi-layer perceptron: Linear-ReLU(-Dropout) per hidden size, then a linear classifier.
NetSpec mlp_net(const InputShape& in, int num_classes, const std::vector<long>& hidden,
                double dropout);
/// LeNet-5 (LeCun et al., 1998) with ReLU and max pooling: conv5x5(6, padding 2) - pool2 -
/// conv5x5(16) - pool2 - 120 - 84 - classes. 61,706 params and 416,520 MACs on 1x28x28.
NetSpec lenet5_net(const InputShape& in, int num_classes);

/// A plain VGG-style CNN: per stage `convs_per_stage` 3x3 convs of `channels[s]` (BN optional),
/// ReLU, then 2x2 max pooling; then an optional hidden linear layer and the classifier.
struct CnnConfig {
  std::vector<long> channels = {32, 64};
  int convs_per_stage = 1;
  int hidden = 128;  ///< 0: the classifier sits directly on the last feature map
  bool batch_norm = true;
};
NetSpec cnn_net(const InputShape& in, int num_classes, const CnnConfig& config);

/// A small ResNet for small images (He et al., 2016, CIFAR variant): 3x3 stem of `width`
/// channels, `stages` stages of `blocks` basic blocks (width doubling and stride 2 from the
/// second stage on), global average pooling, linear classifier. Depth 2 + 2*stages*blocks.
NetSpec resnet_net(const InputShape& in, int num_classes, int width, int blocks, int stages);

/// One registrable network architecture: its options (including training options with this
/// arch's defaults) and how to build its NetSpec for a dataset.
struct TorchArch {
  std::string name;
  std::string description;
  std::vector<OptionSpec> options;
  std::function<NetSpec(const Options&, const Dataset&)> build;
};
/// softmax, mlp, lenet5, cnn, resnet.
std::vector<TorchArch> torch_architectures();

}  // namespace lazystack
