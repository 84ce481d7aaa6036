// MlpWeights: the stacker MLP's layers, checked, and their JSON and binary file formats.
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
#include "methods/common/mlp.h"

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

}  // namespace lazystack
