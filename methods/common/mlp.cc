#include "methods/common/mlp.h"

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/atomic_file.h"

namespace lazystack {
namespace {

#define LAZYSTACK_INLINE inline __attribute__((always_inline))

constexpr int kPad = 16;            // layer outputs are padded to a multiple of this many floats
constexpr size_t kAlignBytes = 64;  // one cache line: full 16-float rows never straddle two

// L floats as one GCC/Clang vector (one AVX-512 register for L = 16, one AVX register for
// L = 8, or several SSE registers in the baseline build).
template <int L>
struct VecOf {
  typedef float type __attribute__((vector_size(L * sizeof(float))));
};

template <int L>
LAZYSTACK_INLINE typename VecOf<L>::type load_vec(const float* p) {
  typename VecOf<L>::type v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// One tile of W = L * K outputs: y[t] = bias[t] + sum_i x[i] * w[i * stride + t], then ReLU
// when asked. K vectors x P partial sums over the inputs stay in registers: K * P = 8
// independent multiply-add chains keep the FMA units busy (latency ~4, two per cycle).
template <int L, int K>
LAZYSTACK_INLINE void dense_tile(const float* x, int in, const float* w, int stride,
                                 const float* bias, float* y, bool relu) {
  typedef typename VecOf<L>::type Vec;
  static_assert(K >= 1 && K <= 8, "at most 8 vector accumulators per tile");
  constexpr int P = 8 / K;
  Vec acc[P][K];
  for (int p = 0; p < P; ++p)
    for (int k = 0; k < K; ++k) acc[p][k] = Vec{};
  int i = 0;
  for (; i + P <= in; i += P) {
    for (int p = 0; p < P; ++p) {
      const float xi = x[i + p];
      const float* row = w + static_cast<size_t>(i + p) * stride;
      for (int k = 0; k < K; ++k) acc[p][k] += xi * load_vec<L>(row + k * L);
    }
  }
  for (; i < in; ++i) {
    const float xi = x[i];
    const float* row = w + static_cast<size_t>(i) * stride;
    for (int k = 0; k < K; ++k) acc[0][k] += xi * load_vec<L>(row + k * L);
  }
  for (int k = 0; k < K; ++k) {
    Vec s = load_vec<L>(bias + k * L);
    for (int p = 0; p < P; ++p) s += acc[p][k];
    float lanes[L];
    std::memcpy(lanes, &s, sizeof s);
    for (int t = 0; t < L; ++t) y[k * L + t] = relu ? std::max(lanes[t], 0.0f) : lanes[t];
  }
}

// All layers of one sample with L-float vectors; widths are multiples of 16 = kPad. Tiles are
// 64 outputs wide where 8 vectors hold them (AVX2, AVX-512), else 32 (SSE), then 32 and 16.
template <int L>
LAZYSTACK_INLINE void run_layers(const MlpKernel::Layer* layers, int num_layers,
                                 const float* params, const float* x, float* act_a, float* act_b) {
  static_assert(kPad % L == 0 && 16 / L <= 8, "tiles are whole vectors, at most 8");
  constexpr int kWide = 8 * L < 64 ? 8 * L : 64;
  const float* input = x;
  float* buffers[2] = {act_a, act_b};
  for (int l = 0; l < num_layers; ++l) {
    const MlpKernel::Layer& layer = layers[l];
    const float* w = params + layer.weight;
    const float* b = params + layer.bias;
    float* y = buffers[l & 1];
    const bool relu = l + 1 < num_layers;
    const int out = layer.out_padded;
    int o = 0;
    for (; out - o >= kWide; o += kWide)
      dense_tile<L, kWide / L>(input, layer.in, w + o, out, b + o, y + o, relu);
    if (kWide > 32 && out - o >= 32) {
      dense_tile<L, 32 / L>(input, layer.in, w + o, out, b + o, y + o, relu);
      o += 32;
    }
    if (out - o >= 16) dense_tile<L, 16 / L>(input, layer.in, w + o, out, b + o, y + o, relu);
    input = y;
  }
}

#if defined(__GNUC__) && defined(__x86_64__)
#define LAZYSTACK_MLP_DISPATCH 1
// Compiled for AVX-512 and AVX2+FMA regardless of the build's -march; used only when the CPU
// has them. The default build targets baseline x86-64 (SSE2, no FMA).
__attribute__((target("arch=x86-64-v4"))) void run_avx512(const MlpKernel::Layer* layers, int n,
                                                          const float* params, const float* x,
                                                          float* a, float* b) {
  run_layers<16>(layers, n, params, x, a, b);
}
__attribute__((target("arch=x86-64-v3"))) void run_avx2(const MlpKernel::Layer* layers, int n,
                                                        const float* params, const float* x,
                                                        float* a, float* b) {
  run_layers<8>(layers, n, params, x, a, b);
}
#endif
// 4-float vectors: what SSE2 holds in one register (wider GCC vectors are split clumsily).
void run_baseline(const MlpKernel::Layer* layers, int n, const float* params, const float* x,
                  float* a, float* b) {
  run_layers<4>(layers, n, params, x, a, b);
}

MlpKernel::RunFn run_fn(MlpKernel::Isa isa) {
  switch (isa) {
#ifdef LAZYSTACK_MLP_DISPATCH
    case MlpKernel::Isa::kAvx512:
      return &run_avx512;
    case MlpKernel::Isa::kAvx2:
      return &run_avx2;
#endif
    case MlpKernel::Isa::kBaseline:
      return &run_baseline;
    default:
      return nullptr;
  }
}

size_t round_up(size_t n, size_t multiple) { return (n + multiple - 1) / multiple * multiple; }

}  // namespace

void MlpKernel::FreeDeleter::operator()(float* p) const { std::free(p); }

void MlpKernel::allocate(size_t floats) {
  floats_ = floats;
  const size_t bytes = round_up(std::max<size_t>(floats, 1) * sizeof(float), kAlignBytes);
  float* p = static_cast<float*>(std::aligned_alloc(kAlignBytes, bytes));
  if (!p) throw std::bad_alloc();
  buffer_.reset(p);
  std::memset(p, 0, bytes);
}

bool MlpKernel::supported(Isa isa) {
  switch (isa) {
    case Isa::kAuto:
    case Isa::kBaseline:
      return true;
#ifdef LAZYSTACK_MLP_DISPATCH
    case Isa::kAvx512:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
             __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq");
    case Isa::kAvx2:
      __builtin_cpu_init();
      return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
    default:
      return false;
  }
}

MlpKernel::MlpKernel(const MlpWeights& weights, Isa isa) {
  if (isa == Isa::kAuto) {
    isa = supported(Isa::kAvx512) ? Isa::kAvx512
          : supported(Isa::kAvx2) ? Isa::kAvx2
                                  : Isa::kBaseline;
  } else if (!supported(isa)) {
    throw std::runtime_error("MlpKernel: this CPU cannot run the requested instruction set");
  }
  run_ = run_fn(isa);
  weights.validate();
  input_dim_ = weights.input_dim();
  output_dim_ = weights.output_dim();
  size_t offset = 0;
  int rows = input_dim_;
  for (const MlpLayer& src : weights.layers) {
    Layer layer;
    layer.in = rows;
    layer.out_padded = static_cast<int>(round_up(src.out, kPad));
    layer.weight = offset;
    offset += round_up(static_cast<size_t>(layer.in) * layer.out_padded, kPad);
    layer.bias = offset;
    offset += layer.out_padded;
    act_width_ = std::max(act_width_, static_cast<size_t>(layer.out_padded));
    layers_.push_back(layer);
    rows = layer.out_padded;
  }
  allocate(offset + 2 * act_width_);
  float* params = buffer_.get();
  for (size_t l = 0; l < layers_.size(); ++l) {
    const MlpLayer& src = weights.layers[l];
    const Layer& dst = layers_[l];
    // Padded rows (inputs beyond src.in) and columns (outputs beyond src.out) stay zero, so
    // padded activations are exactly 0 after the bias and ReLU and contribute nothing.
    for (int i = 0; i < src.in; ++i)
      std::memcpy(params + dst.weight + static_cast<size_t>(i) * dst.out_padded,
                  src.weight.data() + static_cast<size_t>(i) * src.out, src.out * sizeof(float));
    std::memcpy(params + dst.bias, src.bias.data(), src.out * sizeof(float));
  }
}

MlpKernel::MlpKernel(const MlpKernel& other)
    : layers_(other.layers_),
      input_dim_(other.input_dim_),
      output_dim_(other.output_dim_),
      act_width_(other.act_width_),
      run_(other.run_) {
  if (other.buffer_) {
    allocate(other.floats_);
    std::memcpy(buffer_.get(), other.buffer_.get(), floats_ * sizeof(float));
  }
}

MlpKernel& MlpKernel::operator=(const MlpKernel& other) {
  if (this != &other) *this = MlpKernel(other);
  return *this;
}

const char* MlpKernel::isa() const {
#ifdef LAZYSTACK_MLP_DISPATCH
  if (run_ == &run_avx512) return "avx512";
  if (run_ == &run_avx2) return "avx2";
#endif
  return "baseline";
}

void MlpKernel::logits(const float* x, float* out_logits) {
  assert(!layers_.empty());
  const float* params = buffer_.get();
  float* act_a = buffer_.get() + (floats_ - 2 * act_width_);
  float* act_b = act_a + act_width_;
  const int n = static_cast<int>(layers_.size());
  run_(layers_.data(), n, params, x, act_a, act_b);
  std::memcpy(out_logits, (n & 1) ? act_a : act_b, output_dim_ * sizeof(float));
}

void MlpKernel::forward(const float* x, float* out_probs) {
  logits(x, out_probs);
  softmax_inplace(out_probs, output_dim_);
}

void softmax_inplace(float* v, int n) {
  if (n <= 0) return;
  const float max = *std::max_element(v, v + n);
  float sum = 0.0f;
  for (int i = 0; i < n; ++i) {
    v[i] = std::exp(v[i] - max);
    sum += v[i];
  }
  const float inv = 1.0f / sum;
  for (int i = 0; i < n; ++i) v[i] *= inv;
}

}  // namespace lazystack
