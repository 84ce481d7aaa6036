#include "methods/lazystack/artifact.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "core/atomic_file.h"
#include "methods/lazystack/binary_io.h"

namespace lazystack {
namespace lazy {
namespace {
constexpr char kHeaderTag[9] = "LZSHEADR";
constexpr uint32_t kHeaderVersion = 1;
constexpr char kBundleTag[9] = "LZSBUNDL";
constexpr uint32_t kBundleVersion = 1;
/// Writes through `write` to a temporary file next to `path`, then renames it to `path`.
template <class Write>
void save_atomically(const std::string& path, const Write& write) {
  write_file_atomically(path, [&](const std::string& tmp) {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw WriteError("cannot write " + tmp);
    write(out);
    out.close();
    if (!out) throw WriteError("cannot write " + tmp);
  });
}

/// Opens `path` and reads it through `read`; errors name the path.
template <class Read>
auto load_file(const std::string& path, const Read& read) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open LazyStack artifact " + path);
  try {
    return read(in);
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

template <class Write>
size_t bytes_written(const Write& write) {
  std::ostringstream out;
  write(out);
  return out.str().size();
}
}  // namespace

/// Same betas: equal up to rounding (knobs pass through JSON and back).
bool same_beta(double a, double b) { return std::abs(a - b) <= 1e-12 * std::max(1.0, std::abs(a)); }

std::string betas_text(const std::vector<LazyStackArtifact>& artifacts) {
  std::string s;
  for (const LazyStackArtifact& a : artifacts)
    s += (s.empty() ? "" : ", ") + fmt::format("{:g}", a.beta);
  return "[" + s + "]";
}

ExecutionOrder parse_order(const std::string& name) {
  if (name == "mdp") return ExecutionOrder::kMdp;
  if (name == "cost") return ExecutionOrder::kCost;
  throw std::invalid_argument("LazyStack: order '" + name + "' is not one of mdp, cost");
}

const char* to_string(ExecutionOrder order) {
  return order == ExecutionOrder::kMdp ? "mdp" : "cost";
}

OnlineWalk parse_walk(const std::string& name) {
  if (name == "sets") return OnlineWalk::kSets;
  if (name == "trie") return OnlineWalk::kTrie;
  throw std::invalid_argument("LazyStack: walk '" + name + "' is not one of sets, trie");
}

const char* to_string(OnlineWalk walk) { return walk == OnlineWalk::kSets ? "sets" : "trie"; }

// --- Artifact ---------------------------------------------------------------------------------

void LazyStackArtifact::write(std::ostream& out) const {
  const nlohmann::json header = {{"format", "lazystack-artifact"},
                                 {"model_names", model_names},
                                 {"num_classes", num_classes},
                                 {"order", to_string(order)},
                                 {"beta", beta},
                                 {"walk", to_string(walk)},
                                 {"aggregator", to_string(substackers.kind)},
                                 {"thetas", thetas},
                                 {"notes", notes}};
  ByteWriter w;
  w.str(header.dump());
  write_section(out, kHeaderTag, kHeaderVersion, w.bytes());
  if (order == ExecutionOrder::kMdp) policy.write(out);
  trie.write(out);
  substackers.write(out);
}

LazyStackArtifact LazyStackArtifact::read(std::istream& in) {
  ByteReader r(read_section(in, kHeaderTag, kHeaderVersion), "LazyStack artifact header");
  const std::string text = r.str();
  r.expect_end();
  LazyStackArtifact a;
  try {
    const nlohmann::json h = nlohmann::json::parse(text);
    a.model_names = h.at("model_names").get<std::vector<std::string>>();
    a.num_classes = h.at("num_classes").get<int>();
    a.order = parse_order(h.at("order").get<std::string>());
    a.beta = h.value("beta", 0.0);                 // absent in files written before multi-beta fits
    a.walk = parse_walk(h.value("walk", "trie"));  // absent before the set walk: the trie
    a.thetas = h.at("thetas").get<std::vector<double>>();
    a.notes = h.at("notes").get<std::vector<std::string>>();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("LazyStack artifact header: ") + e.what());
  }
  if (a.order == ExecutionOrder::kMdp) a.policy = PolicyTable::read(in);
  a.trie = PrefixTrie::read(in);
  a.substackers = Substackers::read(in);
  const int m = static_cast<int>(a.model_names.size());
  if (a.substackers.num_models != m || a.substackers.num_classes != a.num_classes ||
      (a.order == ExecutionOrder::kMdp &&
       (a.policy.num_models() != m || a.policy.num_classes() != a.num_classes)))
    throw std::runtime_error("LazyStack artifact: parts disagree on the number of models/classes");
  return a;
}

void LazyStackArtifact::save(const std::string& path) const {
  save_atomically(path, [&](std::ostream& out) { write(out); });
}

LazyStackArtifact LazyStackArtifact::load(const std::string& path) {
  return load_file(path, [](std::istream& in) { return read(in); });
}

size_t LazyStackArtifact::size_bytes() const {
  return bytes_written([&](std::ostream& out) { write(out); });
}

// --- Bundle -----------------------------------------------------------------------------------

void LazyStackBundle::write(std::ostream& out) const {
  if (artifacts.empty()) throw std::invalid_argument("LazyStack bundle: no artifact to write");
  nlohmann::json betas = nlohmann::json::array();
  for (const LazyStackArtifact& a : artifacts) betas.push_back(a.beta);
  const nlohmann::json header = {
      {"format", "lazystack-bundle"}, {"count", artifacts.size()}, {"betas", betas}};
  ByteWriter w;
  w.str(header.dump());
  write_section(out, kBundleTag, kBundleVersion, w.bytes());
  for (const LazyStackArtifact& a : artifacts) a.write(out);
}

LazyStackBundle LazyStackBundle::read(std::istream& in) {
  // A lone artifact starts with its own header tag: peek at the first 8 bytes.
  const std::istream::pos_type start = in.tellg();
  if (start != std::istream::pos_type(-1)) {
    char tag[8] = {};
    in.read(tag, sizeof tag);
    const bool lone = in.gcount() == sizeof tag && std::equal(tag, tag + 8, kHeaderTag);
    in.clear();
    in.seekg(start);
    if (lone) {
      LazyStackBundle b;
      b.artifacts.push_back(LazyStackArtifact::read(in));
      return b;
    }
  }
  ByteReader r(read_section(in, kBundleTag, kBundleVersion), "LazyStack bundle header");
  const std::string text = r.str();
  r.expect_end();
  size_t count = 0;
  std::vector<double> betas;
  try {
    const nlohmann::json h = nlohmann::json::parse(text);
    count = h.at("count").get<size_t>();
    betas = h.at("betas").get<std::vector<double>>();
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("LazyStack bundle header: ") + e.what());
  }
  if (count == 0 || betas.size() != count)
    throw std::runtime_error(
        fmt::format("LazyStack bundle header: {} artifacts but {} betas", count, betas.size()));
  LazyStackBundle b;
  for (size_t i = 0; i < count; ++i) {
    b.artifacts.push_back(LazyStackArtifact::read(in));
    const LazyStackArtifact& a = b.artifacts.back();
    const LazyStackArtifact& first = b.artifacts.front();
    if (!same_beta(a.beta, betas[i]))
      throw std::runtime_error(
          fmt::format("LazyStack bundle: artifact {} has beta {:g}, the header says {:g}", i,
                      a.beta, betas[i]));
    if (a.model_names != first.model_names || a.num_classes != first.num_classes ||
        a.order != first.order || a.substackers.kind != first.substackers.kind)
      throw std::runtime_error(fmt::format(
          "LazyStack bundle: artifact {} disagrees with the first on models, classes, order or "
          "aggregator",
          i));
  }
  return b;
}

void LazyStackBundle::save(const std::string& path) const {
  save_atomically(path, [&](std::ostream& out) { write(out); });
}

LazyStackBundle LazyStackBundle::load(const std::string& path) {
  return load_file(path, [](std::istream& in) { return read(in); });
}

size_t LazyStackBundle::size_bytes() const {
  return bytes_written([&](std::ostream& out) { write(out); });
}

}  // namespace lazy
}  // namespace lazystack
