// Seeded random streams that draw the same numbers with every standard library. mt19937_64's
// output is fixed by the standard, std::shuffle and the std distributions are not (libstdc++
// and libc++ give other splits from one seed), so everything that decides a split, an order or
// a sample draws through these helpers.
#pragma once

#include <cstdint>
#include <random>
#include <utility>
#include <vector>

namespace lazystack {

/// The splitmix64 finaliser: a well-mixed 64-bit value from another (a bijection).
inline uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

/// One splitmix64 step: the golden-ratio increment, then the finaliser.
inline uint64_t splitmix64(uint64_t z) { return splitmix64_mix(z + 0x9e3779b97f4a7c15ull); }

/// Independent generator streams from one seed: stream k starts at splitmix64 of
/// seed + k * golden ratio.
inline std::mt19937_64 seeded_stream(uint64_t seed, uint64_t stream) {
  return std::mt19937_64(splitmix64(seed + 0x9e3779b97f4a7c15ull * stream));
}

/// A uniform index in [0, n) from one 64-bit draw: the high half of the 128-bit product
/// (bias below n / 2^64).
inline uint64_t uniform_below(uint64_t draw, uint64_t n) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(draw) * n) >> 64);
}

/// A uniform double in [0, 1) from one 64-bit draw (its high 53 bits).
inline double uniform_unit(uint64_t draw) { return static_cast<double>(draw >> 11) * 0x1.0p-53; }

/// Fisher-Yates over v, one draw per position from the back (rng() % i: bias below
/// i / 2^64).
template <class T>
void seeded_shuffle(std::vector<T>& v, std::mt19937_64& rng) {
  for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng() % i]);
}

}  // namespace lazystack
