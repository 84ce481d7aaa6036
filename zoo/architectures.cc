#include "zoo/architectures.h"

#include <fmt/core.h>

#include <stdexcept>

#include "zoo/torch_classifier.h"

namespace lazystack {
namespace {

ActShape act_shape(const InputShape& in) { return {in.channels, in.height, in.width}; }

// Convolutional architectures need a spatial input; say so instead of failing in a conv layer.
void require_image(const std::string& arch, const InputShape& in) {
  if (!in.is_image)
    throw std::invalid_argument(fmt::format(
        "{} is a convolutional network and needs image input, but this dataset is tabular "
        "({} features): use softmax or mlp",
        arch, in.feature_dim()));
}

// Arch options followed by the training options with this arch's defaults.
std::vector<OptionSpec> with_training(std::vector<OptionSpec> arch_specs,
                                      const TrainConfig& defaults) {
  for (auto& spec : train_option_specs(defaults)) arch_specs.push_back(std::move(spec));
  return arch_specs;
}

TrainConfig train_defaults(int epochs, int batch_size, double lr, double weight_decay) {
  return {epochs, batch_size, lr, weight_decay};  // adam, cosine
}

}  // namespace

NetSpec softmax_net(const InputShape& in, int num_classes) {
  return {"softmax", act_shape(in), {LayerSpec::linear(num_classes)}};
}

NetSpec mlp_net(const InputShape& in, int num_classes, const std::vector<long>& hidden,
                double dropout) {
  NetSpec net{"mlp", act_shape(in), {}};
  for (long width : hidden) {
    net.layers.push_back(LayerSpec::linear(static_cast<int>(width)));
    net.layers.push_back(LayerSpec::relu());
    if (dropout > 0) net.layers.push_back(LayerSpec::dropout(dropout));
  }
  net.layers.push_back(LayerSpec::linear(num_classes));
  return net;
}

NetSpec lenet5_net(const InputShape& in, int num_classes) {
  require_image("lenet5", in);
  return {"lenet5",
          act_shape(in),
          {LayerSpec::conv(6, 5, /*stride=*/1, /*padding=*/2, /*bias=*/true), LayerSpec::relu(),
           LayerSpec::max_pool(2), LayerSpec::conv(16, 5, /*stride=*/1, /*padding=*/0, true),
           LayerSpec::relu(), LayerSpec::max_pool(2), LayerSpec::linear(120), LayerSpec::relu(),
           LayerSpec::linear(84), LayerSpec::relu(), LayerSpec::linear(num_classes)}};
}

NetSpec cnn_net(const InputShape& in, int num_classes, const CnnConfig& config) {
  require_image("cnn", in);
  NetSpec net{"cnn", act_shape(in), {}};
  for (long channels : config.channels) {
    for (int i = 0; i < config.convs_per_stage; ++i) {
      net.layers.push_back(LayerSpec::conv(static_cast<int>(channels), 3, /*stride=*/1,
                                           /*padding=*/1, /*bias=*/!config.batch_norm));
      if (config.batch_norm) net.layers.push_back(LayerSpec::batch_norm());
      net.layers.push_back(LayerSpec::relu());
    }
    net.layers.push_back(LayerSpec::max_pool(2));
  }
  if (config.hidden > 0) {
    net.layers.push_back(LayerSpec::linear(config.hidden));
    net.layers.push_back(LayerSpec::relu());
  }
  net.layers.push_back(LayerSpec::linear(num_classes));
  return net;
}

NetSpec resnet_net(const InputShape& in, int num_classes, int width, int blocks, int stages) {
  require_image("resnet", in);
  NetSpec net{"resnet", act_shape(in), {}};
  net.layers = {LayerSpec::conv(width, 3, /*stride=*/1, /*padding=*/1, /*bias=*/false),
                LayerSpec::batch_norm(), LayerSpec::relu()};
  for (int s = 0; s < stages; ++s)
    for (int b = 0; b < blocks; ++b)
      net.layers.push_back(LayerSpec::basic_block(width << s, (s > 0 && b == 0) ? 2 : 1));
  net.layers.push_back(LayerSpec::global_avg_pool());
  net.layers.push_back(LayerSpec::linear(num_classes));
  return net;
}

std::vector<TorchArch> torch_architectures() {
  std::vector<TorchArch> archs;
  archs.push_back(
      {"softmax", "softmax (multinomial logistic) regression on the flattened input",
       with_training({}, train_defaults(/*epochs=*/5, /*batch_size=*/256, /*lr=*/2e-3, 0.0)),
       [](const Options&, const Dataset& ds) { return softmax_net(ds.shape, ds.num_classes); }});
  archs.push_back(
      {"mlp", "multi-layer perceptron (ReLU), works on images and tabular features",
       with_training(
           {opt_ints("hidden", {256}, "hidden layer widths, input side first").range(1, 65536),
            opt_double("dropout", 0.0, "dropout rate after each hidden layer").range(0, 0.9)},
           train_defaults(/*epochs=*/10, /*batch_size=*/128, /*lr=*/1e-3, 0.0)),
       [](const Options& o, const Dataset& ds) {
         return mlp_net(ds.shape, ds.num_classes, o.get_ints("hidden"), o.get_double("dropout"));
       }});
  archs.push_back(
      {"lenet5", "LeNet-5 (ReLU, max pooling); image datasets only",
       with_training({}, train_defaults(/*epochs=*/10, /*batch_size=*/128, /*lr=*/2e-3, 0.0)),
       [](const Options&, const Dataset& ds) { return lenet5_net(ds.shape, ds.num_classes); }});
  archs.push_back(
      {"cnn", "VGG-style CNN: stages of 3x3 convs and 2x2 max pooling; image datasets only",
       with_training(
           {opt_ints("channels", {32, 64}, "channels of each stage (one 2x2 pooling per stage)")
                .range(1, 4096),
            opt_int("convs_per_stage", 1, "3x3 convolutions per stage").range(1, 8),
            opt_int("hidden", 128, "hidden linear layer width (0: none)").range(0, 65536),
            opt_bool("batch_norm", true, "batch normalisation after each convolution")},
           train_defaults(/*epochs=*/6, /*batch_size=*/128, /*lr=*/2e-3, 0.0)),
       [](const Options& o, const Dataset& ds) {
         CnnConfig c;
         c.channels = o.get_ints("channels");
         c.convs_per_stage = static_cast<int>(o.get_int("convs_per_stage"));
         c.hidden = static_cast<int>(o.get_int("hidden"));
         c.batch_norm = o.get_bool("batch_norm");
         return cnn_net(ds.shape, ds.num_classes, c);
       }});
  archs.push_back(
      {"resnet", "small ResNet of basic blocks (CIFAR-style); image datasets only",
       with_training(
           {opt_int("width", 16, "channels of the stem and first stage (doubling per stage)")
                .range(1, 1024),
            opt_int("blocks", 1, "basic blocks per stage").range(1, 16),
            opt_int("stages", 3, "stages (stride 2 from the second on)").range(1, 5)},
           train_defaults(/*epochs=*/8, /*batch_size=*/128, /*lr=*/2e-3, 0.0)),
       [](const Options& o, const Dataset& ds) {
         return resnet_net(ds.shape, ds.num_classes, static_cast<int>(o.get_int("width")),
                           static_cast<int>(o.get_int("blocks")),
                           static_cast<int>(o.get_int("stages")));
       }});
  return archs;
}

}  // namespace lazystack
