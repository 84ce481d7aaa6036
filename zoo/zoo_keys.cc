#include "zoo/zoo_keys.h"

#include <fmt/core.h>

#include <fstream>
#include <stdexcept>

#include "core/hash.h"
#include "core/provenance.h"
#include "zoo/threads.h"
#include "zoo/training_subset.h"

namespace lazystack {
namespace zoo_detail {
namespace {

// 16 hex digits of the hash of a file's bytes.
std::string file_content_hash(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("file '{}' cannot be read (does it exist?)", path));
  Hasher hasher;
  std::vector<char> chunk(1 << 20);
  while (in.read(chunk.data(), static_cast<std::streamsize>(chunk.size())) || in.gcount() > 0)
    hasher.update(chunk.data(), static_cast<size_t>(in.gcount()));
  if (in.bad()) throw std::runtime_error(fmt::format("reading '{}' failed", path));
  return hasher.hex();
}

}  // namespace

int parent_index(const std::vector<ZooEntry>& entries, size_t i) {
  const ZooEntry& entry = entries[i];
  if (!entry.options.has("parent")) return -1;
  const std::string parent = entry.options.get_string("parent");
  for (size_t j = 0; j < entries.size(); ++j) {
    if (entries[j].name != parent) continue;
    if (j >= i)
      throw std::invalid_argument(
          fmt::format("its parent '{}' must be an earlier zoo entry ({})", parent,
                      j == i ? "it names itself" : "list it before this one"));
    return static_cast<int>(j);
  }
  throw std::invalid_argument(fmt::format("its parent '{}' is not a zoo entry", parent));
}

const ModelRegistry::Entry& find_arch(const BuildContext& ctx, const ZooEntry& entry) {
  const auto* arch = ctx.registry.find(entry.arch);
  if (!arch)
    throw std::invalid_argument("unknown architecture '" + entry.arch +
                                "'; known: " + ctx.registry.joined_names());
  return *arch;
}

CacheKey weights_key(const BuildContext& ctx, size_t i) {
  const ZooEntry& entry = ctx.entries[i];
  CacheKey key;
  key.prefix = entry.name;
  key.fields = {{"kind", "zoo-weights"},
                {"dataset", ctx.ds.name},
                {"dataset_fingerprint", ctx.ds.fingerprint()},
                {"arch", entry.arch},
                {"options", entry.options.json()},
                {"seed", ctx.options.seed},
                {"tool_version", tool_version()},
                {"zoo_cache_version", kZooCacheVersion}};
  // Entries that train on a subset: the subset's version (older entries chose other rows).
  if (keeps_training_subset(entry.options))
    key.fields["training_subset_version"] = kTrainingSubsetVersion;
  // A derived model is what its parent was plus the refinement: the parent's key is part of it.
  if (const int p = parent_index(ctx.entries, i); p >= 0)
    key.fields["parent"] = weights_key(ctx, p).fields;
  // A file an option names (an external model's `path`) counts by its content: a changed file
  // means new logits.
  for (const OptionSpec& spec : find_arch(ctx, entry).options)
    if (spec.must_exist && spec.type == OptionType::kString && entry.options.has(spec.name))
      key.fields["file_content"][spec.name] =
          file_content_hash(entry.options.get_string(spec.name));
  return key;
}

CacheKey logits_key(const CacheKey& weights, const ZooOptions& options) {
  CacheKey key = weights;
  key.fields["kind"] = "zoo-logits";
  key.fields["weights"] = weights.file_stem();
  key.fields["hardware"] = hardware_fingerprint();
  key.fields["profile_repeats"] = options.profile_repeats;
  // Batched inference splits its sums over the threads: another count, other low bits.
  key.fields["compute_threads"] = default_compute_threads();
  if (const auto it = options.measured_on.find(weights.prefix); it != options.measured_on.end())
    for (const char* field : {"hardware", "compute_threads"})
      if (it->second.contains(field)) key.fields[field] = it->second.at(field);
  return key;
}

}  // namespace zoo_detail
}  // namespace lazystack
