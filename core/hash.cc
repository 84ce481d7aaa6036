#include "core/hash.h"

#include <fmt/core.h>

#include <cstring>

#include "core/random.h"

namespace lazystack {
namespace {

constexpr uint64_t kPrime = 0x100000001b3ull;

// The splitmix64 finaliser spreads FNV's weak high bits.
uint64_t mix(uint64_t x) { return lazystack::splitmix64_mix(x); }

}  // namespace

Hasher& Hasher::update(const void* data, size_t bytes) {
  const auto* p = static_cast<const unsigned char*>(data);
  size_t i = 0;
  for (; i + 8 <= bytes; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    state_ = (state_ ^ w) * kPrime;
  }
  for (; i < bytes; ++i) state_ = (state_ ^ p[i]) * kPrime;
  length_ += bytes;
  return *this;
}

Hasher& Hasher::update(const std::string& s) {
  update(static_cast<uint64_t>(s.size()));
  return update(s.data(), s.size());
}

uint64_t Hasher::digest() const { return mix(state_ ^ mix(length_)); }

std::string Hasher::hex() const { return fmt::format("{:016x}", digest()); }

std::string hash_hex(const void* data, size_t bytes) { return Hasher().update(data, bytes).hex(); }
std::string hash_hex(const std::string& s) { return Hasher().update(s).hex(); }

std::string CacheKey::hash() const { return hash_hex(fields.dump()); }  // keys sorted: canonical

std::string CacheKey::file_stem() const {
  std::string safe;
  for (char c : prefix)
    safe += (isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '_';
  return safe + "-" + hash().substr(0, 12);
}

}  // namespace lazystack
