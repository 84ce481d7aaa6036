// IDX reader: round trip, gzip or plain, and every kind of damage is an error naming the file.
#include "datasets/idx_file.h"

#include <fstream>
#include <random>

#include "tests/datasets/test_util.h"

namespace lazystack {
namespace {

using ::testing::HasSubstr;
using testing_util::error_of;
using testing_util::write_idx;

class IdxFileTest : public testing_util::TempDirTest {
 protected:
  // n images of 28x28 noise: big enough that half the gzip stream is missing data.
  std::vector<uint8_t> noise(int n) {
    std::mt19937 rng(5);
    std::vector<uint8_t> v(static_cast<size_t>(n) * 28 * 28);
    for (auto& b : v) b = static_cast<uint8_t>(rng() % 7);  // compressible, like real images
    return v;
  }
};

TEST_F(IdxFileTest, ReadsGzipAndPlainFiles) {
  const std::vector<uint8_t> data = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  write_idx(path("a.gz"), 0x00000803, {3, 2, 2}, data);
  write_idx(path("a.idx"), 0x00000803, {3, 2, 2}, data, /*gzip=*/false);
  for (const char* name : {"a.gz", "a.idx"}) {
    const IdxArray a = read_idx_ubyte(path(name), {2, 2});
    EXPECT_EQ(a.dims, (std::vector<int>{3, 2, 2})) << name;
    EXPECT_EQ(a.data, data) << name;
  }
  write_idx(path("labels.gz"), 0x00000801, {4}, {0, 9, 3, 3});
  EXPECT_EQ(read_idx_ubyte(path("labels.gz"), {}).data, (std::vector<uint8_t>{0, 9, 3, 3}));
}

TEST_F(IdxFileTest, WrongMagicNamesFileAndBothNumbers) {
  write_idx(path("labels.gz"), 0x00000801, {4}, {0, 1, 2, 3});
  const std::string msg = error_of([&] { read_idx_ubyte(path("labels.gz"), {28, 28}); });
  EXPECT_THAT(msg, HasSubstr(path("labels.gz")));
  EXPECT_THAT(msg, HasSubstr("magic"));
  EXPECT_THAT(msg, HasSubstr("0x00000801"));
  EXPECT_THAT(msg, HasSubstr("0x00000803"));
  write_idx(path("floats.gz"), 0x00000d01, {1}, {0, 0, 0, 0});  // 0x0d: float32 values
  EXPECT_THAT(error_of([&] { read_idx_ubyte(path("floats.gz"), {}); }), HasSubstr("magic"));
}

TEST_F(IdxFileTest, WrongImageSizeIsAnError) {
  write_idx(path("a.gz"), 0x00000803, {2, 27, 28}, std::vector<uint8_t>(2 * 27 * 28));
  EXPECT_THAT(error_of([&] {
                read_idx_ubyte(path("a.gz"), {28, 28});
              }),
              HasSubstr("dimension 1 is 27, expected 28"));
}

TEST_F(IdxFileTest, TruncatedGzipStreamIsAnError) {
  write_idx(path("a.gz"), 0x00000803, {200, 28, 28}, noise(200));
  const auto size = testing_util::fs::file_size(path("a.gz"));
  testing_util::fs::resize_file(path("a.gz"), size / 2);
  const std::string msg = error_of([&] { read_idx_ubyte(path("a.gz"), {28, 28}); });
  EXPECT_THAT(msg, HasSubstr(path("a.gz")));
  EXPECT_THAT(msg, HasSubstr("truncated"));
}

TEST_F(IdxFileTest, FileShorterThanItsHeaderSaysIsAnError) {
  std::vector<uint8_t> data = noise(10);
  data.resize(data.size() - 100);
  write_idx(path("a.gz"), 0x00000803, {10, 28, 28}, data);
  EXPECT_THAT(error_of([&] {
                read_idx_ubyte(path("a.gz"), {28, 28});
              }),
              HasSubstr("read 7740 of the 7840 bytes"));
  testing_util::write_text(path("tiny.gz"), "ab");
  EXPECT_THAT(error_of([&] { read_idx_ubyte(path("tiny.gz"), {}); }), HasSubstr("magic number"));
}

TEST_F(IdxFileTest, TrailingDataIsAnError) {
  write_idx(path("a.gz"), 0x00000801, {3}, {1, 2, 3, 4});
  EXPECT_THAT(error_of([&] { read_idx_ubyte(path("a.gz"), {}); }), HasSubstr("more data"));
}

TEST_F(IdxFileTest, BadGzipChecksumIsAnError) {
  write_idx(path("a.gz"), 0x00000803, {20, 28, 28}, noise(20));
  const auto size = testing_util::fs::file_size(path("a.gz"));
  {
    std::fstream f(path("a.gz"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(static_cast<std::streamoff>(size) - 8);  // first byte of the CRC-32 trailer
    char c;
    f.read(&c, 1);
    f.seekp(static_cast<std::streamoff>(size) - 8);
    c = static_cast<char>(c ^ 0x5a);
    f.write(&c, 1);
  }
  const std::string msg = error_of([&] { read_idx_ubyte(path("a.gz"), {28, 28}); });
  EXPECT_THAT(msg, HasSubstr(path("a.gz")));
  EXPECT_THAT(msg, HasSubstr("corrupt"));
}

// All values present but the gzip trailer (CRC-32 and length) cut off: only the read past the
// end notices.
TEST_F(IdxFileTest, MissingGzipTrailerIsAnError) {
  write_idx(path("a.gz"), 0x00000803, {20, 28, 28}, noise(20));
  testing_util::fs::resize_file(path("a.gz"), testing_util::fs::file_size(path("a.gz")) - 8);
  const std::string msg = error_of([&] { read_idx_ubyte(path("a.gz"), {28, 28}); });
  EXPECT_THAT(msg, HasSubstr(path("a.gz")));
  EXPECT_THAT(msg, HasSubstr("corrupt"));
}

TEST_F(IdxFileTest, MissingFileIsAnError) {
  EXPECT_THAT(error_of([&] { read_idx_ubyte(path("absent.gz"), {}); }),
              HasSubstr("absent.gz: cannot open"));
}

}  // namespace
}  // namespace lazystack
