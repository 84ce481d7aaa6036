// A small multilayer perceptron for stackers: exported weights and a dependency-free, torch-free
// inference kernel. Training lives in mlp_train.h (LibTorch); inference never needs torch.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lazystack {

/// One fully connected layer, y = x W + b. `weight` is input-major ([in][out], row-major), the
/// transpose of torch.nn.Linear's [out][in], so the kernel's inner loop runs over contiguous
/// outputs and vectorises.
struct MlpLayer {
  int in = 0;
  int out = 0;
  std::vector<float> weight;  ///< [in][out]
  std::vector<float> bias;    ///< [out]

  float& w(int i, int o) { return weight[static_cast<size_t>(i) * out + o]; }
  float w(int i, int o) const { return weight[static_cast<size_t>(i) * out + o]; }
  bool operator==(const MlpLayer& other) const;
};

/// Weights of an MLP: input -> (Linear, ReLU) per hidden size -> Linear -> softmax over
/// `output_dim` classes. A default-constructed MlpWeights is empty (no layers).
struct MlpWeights {
  std::vector<MlpLayer> layers;

  /// Zero weights of the given shape; hidden = {} gives a linear (softmax regression) model.
  static MlpWeights zeros(int input_dim, const std::vector<int>& hidden, int output_dim);
  bool empty() const { return layers.empty(); }
  int input_dim() const { return layers.empty() ? 0 : layers.front().in; }
  int output_dim() const { return layers.empty() ? 0 : layers.back().out; }
  std::vector<int> hidden_sizes() const;
  /// Widest layer output.
  int max_width() const;
  int64_t num_parameters() const;
  /// "80-64-10": input, hidden and output widths, for logs and diagnostics.
  std::string architecture() const;
  /// Throws std::invalid_argument unless there is at least one layer, the layers chain
  /// (in == previous out), the vector sizes match and every value is finite.
  void validate() const;

  /// {"format": "lazystack-mlp", "version": 1, "layers": [{"in", "out", "weight", "bias"}]}.
  /// Floats survive the JSON round trip exactly.
  nlohmann::json to_json() const;
  /// Parses and validates; throws std::invalid_argument naming what is wrong.
  static MlpWeights from_json(const nlohmann::json& j);
  /// Compact little-endian blob: magic "LSMLP001", layer count (uint32), then per layer in, out
  /// (int32), weight, bias (float32). Appends to / reads from a stream so a larger artifact can
  /// embed several.
  void write_binary(std::ostream& out) const;
  /// Reads one blob written by write_binary; throws std::runtime_error on a bad magic, a
  /// truncated stream or an invalid shape.
  static MlpWeights read_binary(std::istream& in);
  /// Whole-file helpers; the format is chosen by the extension (".json" or anything else:
  /// binary). Writes go to a temporary file that is then renamed.
  void save(const std::string& path) const;
  static MlpWeights load(const std::string& path);

  bool operator==(const MlpWeights& other) const;
  bool operator!=(const MlpWeights& other) const { return !(*this == other); }
};

/// The inference kernel: a copy of MlpWeights laid out for speed (64-byte aligned, each layer's
/// outputs padded to a multiple of 16 with zero weights, so every tile is a full vector tile)
/// plus its activation buffers. One forward pass allocates nothing and runs the widest vector
/// code the CPU has (AVX-512, AVX2+FMA or the x86-64 baseline, picked at construction).
/// Not thread-safe (the buffers are shared): give each thread its own copy.
class MlpKernel {
 public:
  /// Instruction set of the forward pass.
  enum class Isa {
    kAuto,      ///< the widest the CPU has
    kAvx512,    ///< AVX-512 (F, VL, BW, DQ): 16-float vectors
    kAvx2,      ///< AVX2 + FMA: 8-float vectors
    kBaseline,  ///< what the build targets (x86-64: SSE2)
  };
  /// True when this CPU (and build) can run `isa`.
  static bool supported(Isa isa);

  MlpKernel() = default;
  /// Validates `weights` (throws std::invalid_argument) and prepares the padded copy. Asking
  /// for an instruction set the CPU lacks throws std::runtime_error (tests pin each path).
  explicit MlpKernel(const MlpWeights& weights, Isa isa = Isa::kAuto);
  MlpKernel(const MlpKernel& other);
  MlpKernel& operator=(const MlpKernel& other);
  MlpKernel(MlpKernel&&) noexcept = default;
  MlpKernel& operator=(MlpKernel&&) noexcept = default;
  ~MlpKernel() = default;

  bool empty() const { return layers_.empty(); }
  int input_dim() const { return input_dim_; }
  int output_dim() const { return output_dim_; }
  /// "avx512", "avx2" or "baseline": the code path this kernel runs.
  const char* isa() const;

  /// One sample: `x` has input_dim() floats; writes output_dim() logits (pre-softmax).
  void logits(const float* x, float* out_logits);
  /// As logits(), then softmax: writes output_dim() probabilities.
  void forward(const float* x, float* out_probs);

  /// One prepared layer and the signature of the per-instruction-set forward functions:
  /// public only so that those functions (internal to mlp.cc) can name them.
  struct Layer {
    int in = 0;          ///< rows: the previous layer's padded width (the true input for layer 0)
    int out_padded = 0;  ///< a multiple of 16
    size_t weight = 0;   ///< offset of [in][out_padded] in the buffer
    size_t bias = 0;     ///< offset of [out_padded]
  };
  using RunFn = void (*)(const Layer* layers, int num_layers, const float* params, const float* x,
                         float* act_a, float* act_b);

 private:
  struct FreeDeleter {
    void operator()(float* p) const;
  };
  void allocate(size_t floats);

  std::vector<Layer> layers_;
  int input_dim_ = 0;
  int output_dim_ = 0;
  size_t floats_ = 0;  ///< parameters, then two activation buffers of act_width_ floats
  size_t act_width_ = 0;
  std::unique_ptr<float[], FreeDeleter> buffer_;
  RunFn run_ = nullptr;
};

/// Softmax of `n` values in place (max-subtracted).
void softmax_inplace(float* v, int n);

}  // namespace lazystack
