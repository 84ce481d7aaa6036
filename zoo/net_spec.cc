#include "zoo/net_spec.h"

#include <fmt/core.h>

#include <stdexcept>

namespace lazystack {
namespace {

const char* kind_name(LayerKind kind) {
  switch (kind) {
    case LayerKind::kLinear:
      return "linear";
    case LayerKind::kConv:
      return "conv";
    case LayerKind::kBatchNorm:
      return "batch_norm";
    case LayerKind::kReLU:
      return "relu";
    case LayerKind::kMaxPool:
      return "max_pool";
    case LayerKind::kGlobalAvgPool:
      return "global_avg_pool";
    case LayerKind::kDropout:
      return "dropout";
    case LayerKind::kBasicBlock:
      return "basic_block";
  }
  return "?";
}

// Output side of a convolution or pooling window along one axis.
int window_out(int in, int kernel, int stride, int padding) {
  if (in + 2 * padding < kernel) return 0;
  return (in + 2 * padding - kernel) / stride + 1;
}

double conv_macs(const ActShape& in, const ActShape& out, int kernel) {
  return static_cast<double>(out.numel()) * in.c * kernel * kernel;
}

LayerCost analyse_layer(const LayerSpec& l, const ActShape& in) {
  LayerCost c;
  c.in = in;
  c.out = in;
  switch (l.kind) {
    case LayerKind::kLinear:
      c.out = {l.out, 1, 1};
      c.macs = static_cast<double>(in.numel()) * l.out;
      c.params = c.macs + l.out;
      break;
    case LayerKind::kConv:
      c.out = {l.out, window_out(in.h, l.kernel, l.stride, l.padding),
               window_out(in.w, l.kernel, l.stride, l.padding)};
      c.macs = conv_macs(in, c.out, l.kernel);
      c.params = static_cast<double>(l.out) * in.c * l.kernel * l.kernel + (l.bias ? l.out : 0);
      break;
    case LayerKind::kBatchNorm:
      c.params = 2.0 * in.c;
      break;
    case LayerKind::kMaxPool:
      c.out = {in.c, in.h / l.kernel, in.w / l.kernel};
      break;
    case LayerKind::kGlobalAvgPool:
      c.out = {in.c, 1, 1};
      break;
    case LayerKind::kReLU:
    case LayerKind::kDropout:
      break;
    case LayerKind::kBasicBlock: {
      const ActShape mid{l.out, window_out(in.h, 3, l.stride, 1), window_out(in.w, 3, l.stride, 1)};
      c.out = mid;
      c.macs = conv_macs(in, mid, 3) + conv_macs(mid, mid, 3);
      c.params = 9.0 * l.out * in.c + 9.0 * l.out * l.out + 2 * (2.0 * l.out);
      if (l.stride != 1 || in.c != l.out) {  // projection shortcut: 1x1 conv + BN
        c.macs += conv_macs(in, mid, 1);
        c.params += static_cast<double>(l.out) * in.c + 2.0 * l.out;
      }
      break;
    }
  }
  return c;
}

LayerSpec make_layer(LayerKind kind, int out = 0, int kernel = 1, int stride = 1, int padding = 0,
                     bool bias = true) {
  return {kind, out, kernel, stride, padding, bias};
}

}  // namespace

std::string ActShape::str() const { return fmt::format("{}x{}x{}", c, h, w); }

LayerSpec LayerSpec::linear(int out) { return make_layer(LayerKind::kLinear, out); }

LayerSpec LayerSpec::conv(int out, int kernel, int stride, int padding, bool bias) {
  return make_layer(LayerKind::kConv, out, kernel, stride, padding, bias);
}

LayerSpec LayerSpec::batch_norm() { return make_layer(LayerKind::kBatchNorm); }

LayerSpec LayerSpec::relu() { return make_layer(LayerKind::kReLU); }

LayerSpec LayerSpec::max_pool(int kernel) {
  return make_layer(LayerKind::kMaxPool, 0, kernel, /*stride=*/kernel);
}

LayerSpec LayerSpec::global_avg_pool() { return make_layer(LayerKind::kGlobalAvgPool); }

LayerSpec LayerSpec::dropout(double rate) {
  LayerSpec l = make_layer(LayerKind::kDropout);
  l.rate = rate;
  return l;
}

LayerSpec LayerSpec::basic_block(int out, int stride) {
  return make_layer(LayerKind::kBasicBlock, out, /*kernel=*/3, stride, /*padding=*/1,
                    /*bias=*/false);
}

nlohmann::json NetSpec::to_json() const {
  nlohmann::json layers_json = nlohmann::json::array();
  for (const auto& l : layers) {
    nlohmann::json j = {{"kind", kind_name(l.kind)}};
    if (l.out) j["out"] = l.out;
    if (l.kind == LayerKind::kConv || l.kind == LayerKind::kMaxPool ||
        l.kind == LayerKind::kBasicBlock) {
      j["kernel"] = l.kernel;
      j["stride"] = l.stride;
    }
    if (l.kind == LayerKind::kConv) {
      j["padding"] = l.padding;
      j["bias"] = l.bias;
    }
    if (l.kind == LayerKind::kDropout) j["rate"] = l.rate;
    layers_json.push_back(j);
  }
  return {{"arch", arch}, {"input", input.str()}, {"layers", layers_json}};
}

std::vector<LayerCost> analyse(const NetSpec& net) {
  std::vector<LayerCost> costs;
  ActShape shape = net.input;
  for (size_t i = 0; i < net.layers.size(); ++i) {
    LayerCost c = analyse_layer(net.layers[i], shape);
    if (c.out.c < 1 || c.out.h < 1 || c.out.w < 1)
      throw std::invalid_argument(fmt::format(
          "{}: layer {} ({}) turns a {} activation into {}: the input {} is too small for this "
          "architecture (fewer poolings or stages, or a larger input)",
          net.arch, i + 1, kind_name(net.layers[i].kind), shape.str(), c.out.str(),
          net.input.str()));
    shape = c.out;
    costs.push_back(c);
  }
  return costs;
}

NetCost net_cost(const NetSpec& net) {
  NetCost total;
  total.output = net.input;
  for (const LayerCost& c : analyse(net)) {
    total.macs += c.macs;
    total.params += c.params;
    total.output = c.out;
  }
  return total;
}

}  // namespace lazystack
