#include "core/hash.h"

#include <gtest/gtest.h>

namespace lazystack {
namespace {

TEST(Hash, StableAndSensitive) {
  EXPECT_EQ(hash_hex("abc"), hash_hex("abc"));
  EXPECT_NE(hash_hex("abc"), hash_hex("abd"));
  EXPECT_EQ(hash_hex("abc").size(), 16u);
  // Streaming in pieces equals the length-prefixed whole only when pieces match; raw bytes:
  const char data[] = "0123456789abcdef0123";
  EXPECT_NE(hash_hex(data, 20), hash_hex(data, 19));
}

TEST(CacheKey, FileStemIsPrefixPlusShortHashOfSortedFields) {
  CacheKey a{"cnn-s", {{"b", 1}, {"a", "x"}}};
  CacheKey b{"cnn-s", {{"a", "x"}, {"b", 1}}};
  EXPECT_EQ(a.file_stem(), b.file_stem());
  EXPECT_EQ(a.file_stem().rfind("cnn-s-", 0), 0u);
  EXPECT_EQ(a.file_stem().size(), std::string("cnn-s-").size() + 12);
  CacheKey c{"cnn-s", {{"a", "x"}, {"b", 2}}};
  EXPECT_NE(a.file_stem(), c.file_stem());
  CacheKey weird{"a/b c", {}};
  EXPECT_EQ(weird.file_stem().substr(0, 5), "a_b_c");
}

}  // namespace
}  // namespace lazystack
