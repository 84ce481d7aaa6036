// Compact, checksummed binary sections for LazyStack's fitted state. Each part (policy, trie,
// later the substackers) is one section on a std::ostream, so the full artifact is the parts'
// sections written one after another and a reader checks each before trusting it.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>

namespace lazystack {
namespace lazy {

/// Appends little-endian fixed-width values to a byte buffer.
class ByteWriter {
 public:
  void u8(uint8_t v) { bytes_.push_back(static_cast<char>(v)); }
  void u16(uint16_t v);
  void u32(uint32_t v);
  void u64(uint64_t v);
  void i32(int32_t v) { u32(static_cast<uint32_t>(v)); }
  void f64(double v);
  /// Length (u32) then the bytes.
  void str(const std::string& s);
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

/// Reads what ByteWriter wrote; running past the end throws std::runtime_error naming `what`.
class ByteReader {
 public:
  ByteReader(std::string bytes, std::string what)
      : bytes_(std::move(bytes)), what_(std::move(what)) {}
  uint8_t u8();
  uint16_t u16();
  uint32_t u32();
  uint64_t u64();
  int32_t i32() { return static_cast<int32_t>(u32()); }
  double f64();
  std::string str();
  /// Throws unless every byte was consumed (trailing bytes mean a format mismatch).
  void expect_end() const;
  /// Throws std::runtime_error "<what>: <message>".
  [[noreturn]] void fail(const std::string& message) const;

 private:
  const char* take(size_t n);
  std::string bytes_;
  std::string what_;
  size_t pos_ = 0;
};

/// Writes one section: 8-byte tag, u32 format version, u64 payload length, the payload, and a
/// u64 hash of the payload (core Hasher).
void write_section(std::ostream& out, const char (&tag)[9], uint32_t version,
                   const std::string& payload);

/// Reads the next section and returns its payload. Throws std::runtime_error on a different
/// tag, an unsupported version, a truncated stream or a checksum mismatch.
std::string read_section(std::istream& in, const char (&tag)[9], uint32_t version);

}  // namespace lazy
}  // namespace lazystack
