#include "methods/lazystack/binary_io.h"

#include <fmt/core.h>

#include <cstring>
#include <istream>
#include <ostream>
#include <stdexcept>

#include "core/hash.h"

namespace lazystack {
namespace lazy {
namespace {

template <class T>
void put_le(std::string& out, T v) {
  for (size_t i = 0; i < sizeof(T); ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
}

template <class T>
T get_le(const char* p) {
  T v = 0;
  for (size_t i = 0; i < sizeof(T); ++i)
    v |= static_cast<T>(static_cast<unsigned char>(p[i])) << (8 * i);
  return v;
}

}  // namespace

void ByteWriter::u16(uint16_t v) { put_le(bytes_, v); }
void ByteWriter::u32(uint32_t v) { put_le(bytes_, v); }
void ByteWriter::u64(uint64_t v) { put_le(bytes_, v); }
void ByteWriter::f64(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  u64(bits);
}
void ByteWriter::str(const std::string& s) {
  u32(static_cast<uint32_t>(s.size()));
  bytes_ += s;
}

const char* ByteReader::take(size_t n) {
  if (bytes_.size() - pos_ < n)
    fail(fmt::format("truncated: needed {} more bytes at offset {} of {}", n, pos_, bytes_.size()));
  const char* p = bytes_.data() + pos_;
  pos_ += n;
  return p;
}
uint8_t ByteReader::u8() { return static_cast<uint8_t>(*take(1)); }
uint16_t ByteReader::u16() { return get_le<uint16_t>(take(2)); }
uint32_t ByteReader::u32() { return get_le<uint32_t>(take(4)); }
uint64_t ByteReader::u64() { return get_le<uint64_t>(take(8)); }
double ByteReader::f64() {
  const uint64_t bits = u64();
  double v;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}
std::string ByteReader::str() {
  const uint32_t n = u32();
  const char* p = take(n);
  return std::string(p, n);
}
void ByteReader::expect_end() const {
  if (pos_ != bytes_.size())
    fail(fmt::format("{} unexpected trailing bytes after offset {}", bytes_.size() - pos_, pos_));
}
void ByteReader::fail(const std::string& message) const {
  throw std::runtime_error(what_ + ": " + message);
}

void write_section(std::ostream& out, const char (&tag)[9], uint32_t version,
                   const std::string& payload) {
  std::string header(tag, 8);
  put_le(header, version);
  put_le(header, static_cast<uint64_t>(payload.size()));
  std::string trailer;
  put_le(trailer, Hasher().update(payload).digest());
  out.write(header.data(), static_cast<std::streamsize>(header.size()));
  out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
  out.write(trailer.data(), static_cast<std::streamsize>(trailer.size()));
  if (!out) throw std::runtime_error(fmt::format("section {}: write failed", std::string(tag, 8)));
}

std::string read_section(std::istream& in, const char (&tag)[9], uint32_t version) {
  const std::string name(tag, 8);
  auto fail = [&](const std::string& message) -> std::runtime_error {
    return std::runtime_error(fmt::format("section {}: {}", name, message));
  };
  char header[20];
  if (!in.read(header, sizeof header)) throw fail("truncated header");
  if (std::memcmp(header, tag, 8) != 0)
    throw fail(fmt::format("expected tag '{}', found '{}'", name, std::string(header, 8)));
  const uint32_t found_version = get_le<uint32_t>(header + 8);
  if (found_version != version)
    throw fail(fmt::format("format version {} is not the supported {}", found_version, version));
  const uint64_t length = get_le<uint64_t>(header + 12);
  // Read in bounded chunks so a corrupted length cannot make us allocate it up front.
  std::string payload;
  constexpr uint64_t kChunk = 1 << 20;
  while (payload.size() < length) {
    const size_t n = static_cast<size_t>(std::min<uint64_t>(kChunk, length - payload.size()));
    const size_t old = payload.size();
    payload.resize(old + n);
    if (!in.read(&payload[old], static_cast<std::streamsize>(n)))
      throw fail(fmt::format("truncated payload: {} of {} bytes", old + in.gcount(), length));
  }
  char trailer[8];
  if (!in.read(trailer, sizeof trailer)) throw fail("truncated checksum");
  if (get_le<uint64_t>(trailer) != Hasher().update(payload).digest())
    throw fail("checksum mismatch: the data is corrupted");
  return payload;
}

}  // namespace lazy
}  // namespace lazystack
