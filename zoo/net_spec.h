// Torch-free description of a feed-forward classifier: its layers, the shape of every activation
// and the analytic cost (multiply-accumulates, parameters). The LibTorch network is built from
// the same description, so the cost the zoo reports is the cost of the network it trains.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lazystack {

/// Shape of one activation: channels x height x width (a feature vector is c x 1 x 1).
struct ActShape {
  int c = 1, h = 1, w = 1;
  long numel() const { return static_cast<long>(c) * h * w; }
  std::string str() const;  ///< "16x14x14"
};

enum class LayerKind {
  kLinear,         ///< fully connected on the flattened input; `out` features, with bias
  kConv,           ///< `out` channels, square `kernel`, `stride`, `padding`; bias if `bias`
  kBatchNorm,      ///< per-channel scale and shift: 2 params per channel, no MACs (foldable)
  kReLU,           ///< no params, no MACs
  kMaxPool,        ///< `kernel` x `kernel` window, stride `kernel`, no MACs
  kGlobalAvgPool,  ///< c x h x w -> c x 1 x 1, no MACs
  kDropout,        ///< training only (`rate`); identity at inference
  /// ResNet basic block (He et al., 2016): 3x3 conv (stride) - BN - ReLU - 3x3 conv - BN, plus a
  /// shortcut (identity, or 1x1 conv with `stride` and BN when the shape changes), then ReLU.
  /// Convolutions have no bias (BN follows).
  kBasicBlock,
};

/// One layer. Unused fields keep their defaults.
struct LayerSpec {
  LayerKind kind = LayerKind::kReLU;
  int out = 0;  ///< output features (linear) or channels (conv, basic block)
  int kernel = 1;
  int stride = 1;
  int padding = 0;
  bool bias = true;   ///< conv only
  double rate = 0.0;  ///< dropout only

  static LayerSpec linear(int out);
  static LayerSpec conv(int out, int kernel, int stride, int padding, bool bias);
  static LayerSpec batch_norm();
  static LayerSpec relu();
  static LayerSpec max_pool(int kernel);
  static LayerSpec global_avg_pool();
  static LayerSpec dropout(double rate);
  static LayerSpec basic_block(int out, int stride);
};

/// A network: input shape and layers, applied in order. The last layer's output is the logits.
struct NetSpec {
  std::string arch;  ///< for messages: "lenet5"
  ActShape input;
  std::vector<LayerSpec> layers;

  nlohmann::json to_json() const;  ///< printable description (stored beside the weights)
};

/// Shapes and analytic cost of one layer at batch 1.
struct LayerCost {
  ActShape in, out;
  double macs = 0.0;    ///< multiply-accumulates: conv out*Ho*Wo*in*k*k, linear in*out
  double params = 0.0;  ///< trainable parameters (weights, biases, BN scale and shift)
};

/// Per-layer shapes and costs. Throws std::invalid_argument naming the arch and the layer when
/// an activation would become empty (e.g. too many poolings for a small image).
std::vector<LayerCost> analyse(const NetSpec& net);

/// Totals over analyse(net), and its output shape.
struct NetCost {
  double macs = 0.0, params = 0.0;
  ActShape output;
};
NetCost net_cost(const NetSpec& net);

}  // namespace lazystack
