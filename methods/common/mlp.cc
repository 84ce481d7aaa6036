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

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
              "the binary MLP format is little-endian and written with memcpy");

constexpr char kMagic[8] = {'L', 'S', 'M', 'L', 'P', '0', '0', '1'};
constexpr const char* kJsonFormat = "lazystack-mlp";
constexpr int kJsonVersion = 1;
// Sanity bounds for files read from disk: far above any stacker, far below a corrupt size.
constexpr int kMaxLayers = 1024;
constexpr int64_t kMaxWidth = int64_t{1} << 24;
constexpr int64_t kMaxLayerParams = int64_t{1} << 28;

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

template <class T>
void write_pod(std::ostream& out, T value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof value);
}

template <class T>
T read_pod(std::istream& in, const char* what) {
  T value{};
  in.read(reinterpret_cast<char*>(&value), sizeof value);
  if (!in) throw std::runtime_error(fmt::format("MLP blob truncated while reading {}", what));
  return value;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

bool has_suffix(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool MlpLayer::operator==(const MlpLayer& other) const {
  return in == other.in && out == other.out && same_bits(weight, other.weight) &&
         same_bits(bias, other.bias);
}

MlpWeights MlpWeights::zeros(int input_dim, const std::vector<int>& hidden, int output_dim) {
  MlpWeights w;
  int in = input_dim;
  std::vector<int> widths = hidden;
  widths.push_back(output_dim);
  for (int out : widths) {
    if (in <= 0 || out <= 0)
      throw std::invalid_argument(
          fmt::format("MLP layer widths must be positive, got {} -> {}", in, out));
    MlpLayer layer;
    layer.in = in;
    layer.out = out;
    layer.weight.assign(static_cast<size_t>(in) * out, 0.0f);
    layer.bias.assign(out, 0.0f);
    w.layers.push_back(std::move(layer));
    in = out;
  }
  return w;
}

std::vector<int> MlpWeights::hidden_sizes() const {
  std::vector<int> sizes;
  for (size_t l = 0; l + 1 < layers.size(); ++l) sizes.push_back(layers[l].out);
  return sizes;
}

int MlpWeights::max_width() const {
  int width = 0;
  for (const auto& layer : layers) width = std::max(width, layer.out);
  return width;
}

int64_t MlpWeights::num_parameters() const {
  int64_t n = 0;
  for (const auto& layer : layers) n += static_cast<int64_t>(layer.in + 1) * layer.out;
  return n;
}

std::string MlpWeights::architecture() const {
  if (layers.empty()) return "empty";
  std::string s = std::to_string(layers.front().in);
  for (const auto& layer : layers) s += "-" + std::to_string(layer.out);
  return s;
}

void MlpWeights::validate() const {
  if (layers.empty()) throw std::invalid_argument("MLP has no layers");
  for (size_t l = 0; l < layers.size(); ++l) {
    const MlpLayer& layer = layers[l];
    if (layer.in <= 0 || layer.out <= 0 || layer.in > kMaxWidth || layer.out > kMaxWidth)
      throw std::invalid_argument(
          fmt::format("MLP layer {}: bad shape {} -> {}", l, layer.in, layer.out));
    if (l > 0 && layer.in != layers[l - 1].out)
      throw std::invalid_argument(fmt::format("MLP layer {} takes {} inputs but layer {} gives {}",
                                              l, layer.in, l - 1, layers[l - 1].out));
    if (layer.weight.size() != static_cast<size_t>(layer.in) * layer.out ||
        layer.bias.size() != static_cast<size_t>(layer.out))
      throw std::invalid_argument(fmt::format(
          "MLP layer {} ({} -> {}): weight has {} values (expected {}), bias {} (expected {})", l,
          layer.in, layer.out, layer.weight.size(), static_cast<size_t>(layer.in) * layer.out,
          layer.bias.size(), layer.out));
    auto finite = [](float v) { return std::isfinite(v); };
    if (!std::all_of(layer.weight.begin(), layer.weight.end(), finite) ||
        !std::all_of(layer.bias.begin(), layer.bias.end(), finite))
      throw std::invalid_argument(fmt::format("MLP layer {} has a non-finite weight", l));
  }
}

nlohmann::json MlpWeights::to_json() const {
  nlohmann::json j;
  j["format"] = kJsonFormat;
  j["version"] = kJsonVersion;
  j["architecture"] = architecture();
  j["layers"] = nlohmann::json::array();
  for (const auto& layer : layers)
    j["layers"].push_back(
        {{"in", layer.in}, {"out", layer.out}, {"weight", layer.weight}, {"bias", layer.bias}});
  return j;
}

MlpWeights MlpWeights::from_json(const nlohmann::json& j) {
  MlpWeights w;
  try {
    if (j.at("format").get<std::string>() != kJsonFormat)
      throw std::invalid_argument("format is not '" + std::string(kJsonFormat) + "'");
    if (j.at("version").get<int>() != kJsonVersion)
      throw std::invalid_argument(fmt::format("version {} is not the supported {}",
                                              j.at("version").get<int>(), kJsonVersion));
    for (const auto& jl : j.at("layers")) {
      MlpLayer layer;
      layer.in = jl.at("in").get<int>();
      layer.out = jl.at("out").get<int>();
      layer.weight = jl.at("weight").get<std::vector<float>>();
      layer.bias = jl.at("bias").get<std::vector<float>>();
      w.layers.push_back(std::move(layer));
    }
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("MLP JSON: ") + e.what());
  }
  w.validate();
  return w;
}

void MlpWeights::write_binary(std::ostream& out) const {
  validate();
  out.write(kMagic, sizeof kMagic);
  write_pod<uint32_t>(out, static_cast<uint32_t>(layers.size()));
  for (const auto& layer : layers) {
    write_pod<int32_t>(out, layer.in);
    write_pod<int32_t>(out, layer.out);
    out.write(reinterpret_cast<const char*>(layer.weight.data()),
              static_cast<std::streamsize>(layer.weight.size() * sizeof(float)));
    out.write(reinterpret_cast<const char*>(layer.bias.data()),
              static_cast<std::streamsize>(layer.bias.size() * sizeof(float)));
  }
  if (!out) throw std::runtime_error("cannot write the MLP blob");
}

MlpWeights MlpWeights::read_binary(std::istream& in) {
  char magic[sizeof kMagic];
  in.read(magic, sizeof magic);
  if (!in || std::memcmp(magic, kMagic, sizeof kMagic) != 0)
    throw std::runtime_error("not an MLP blob (expected the magic LSMLP001)");
  const uint32_t count = read_pod<uint32_t>(in, "the layer count");
  if (count == 0 || count > kMaxLayers)
    throw std::runtime_error(fmt::format("MLP blob claims {} layers", count));
  MlpWeights w;
  for (uint32_t l = 0; l < count; ++l) {
    MlpLayer layer;
    layer.in = read_pod<int32_t>(in, "a layer shape");
    layer.out = read_pod<int32_t>(in, "a layer shape");
    if (layer.in <= 0 || layer.out <= 0 || layer.in > kMaxWidth || layer.out > kMaxWidth ||
        static_cast<int64_t>(layer.in) * layer.out > kMaxLayerParams)
      throw std::runtime_error(
          fmt::format("MLP blob layer {}: bad shape {} -> {}", l, layer.in, layer.out));
    layer.weight.resize(static_cast<size_t>(layer.in) * layer.out);
    layer.bias.resize(layer.out);
    in.read(reinterpret_cast<char*>(layer.weight.data()),
            static_cast<std::streamsize>(layer.weight.size() * sizeof(float)));
    in.read(reinterpret_cast<char*>(layer.bias.data()),
            static_cast<std::streamsize>(layer.bias.size() * sizeof(float)));
    if (!in) throw std::runtime_error(fmt::format("MLP blob truncated in layer {}", l));
    w.layers.push_back(std::move(layer));
  }
  try {
    w.validate();
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(std::string("MLP blob: ") + e.what());
  }
  return w;
}

void MlpWeights::save(const std::string& path) const {
  write_file_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw WriteError("cannot open " + tmp + " for writing");
    if (has_suffix(path, ".json"))
      out << to_json().dump() << "\n";
    else
      write_binary(out);
    out.close();
    if (!out) throw WriteError("cannot write " + tmp);
  });
}

MlpWeights MlpWeights::load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open MLP weights " + path);
  try {
    if (has_suffix(path, ".json")) return from_json(nlohmann::json::parse(in));
    return read_binary(in);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

bool MlpWeights::operator==(const MlpWeights& other) const { return layers == other.layers; }

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
