// Content hashing for fingerprints and cache keys.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

namespace lazystack {

/// Streaming 64-bit hash (FNV-1a over 8-byte words, finalised with a mixer). Not
/// cryptographic: it tells cache entries apart, it does not defend against adversaries.
class Hasher {
 public:
  Hasher& update(const void* data, size_t bytes);
  Hasher& update(const std::string& s);
  Hasher& update(uint64_t v) { return update(&v, sizeof v); }
  uint64_t digest() const;
  /// 16 lowercase hex digits.
  std::string hex() const;

 private:
  uint64_t state_ = 0xcbf29ce484222325ull;
  uint64_t length_ = 0;
};

std::string hash_hex(const void* data, size_t bytes);
std::string hash_hex(const std::string& s);

/// A printable cache key: a readable prefix plus the full JSON fields it was made from.
/// file_stem() = "<prefix>-<first 12 hex digits of hash(fields)>", and the full JSON goes in the
/// entry's attributes, so every cached file says what it holds.
struct CacheKey {
  std::string prefix;
  nlohmann::json fields = nlohmann::json::object();

  std::string hash() const;  ///< 16 hex digits of the canonical (sorted-key) JSON dump
  std::string file_stem() const;
  std::string to_string() const { return fields.dump(); }
};

}  // namespace lazystack
