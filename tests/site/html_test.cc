// HTML escaping, relative URLs and reports::Table as HTML: a name is text, never markup, and a
// folder name never leaves its URL segment.
#include "site/html.h"

#include <gtest/gtest.h>

namespace lazystack::site {
namespace {

TEST(Html, EscapesEveryMarkupCharacter) {
  EXPECT_EQ(escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(escape("&lt;"), "&amp;lt;");  // already-escaped text stays what it says
  EXPECT_EQ(escape("plain-name_1.5"), "plain-name_1.5");
}

TEST(Html, UrlSegmentsCannotLeaveTheirSegment) {
  EXPECT_EQ(url_segment("cnn-s_1.5~x"), "cnn-s_1.5~x");
  EXPECT_EQ(url_segment("a b/c?d#e"), "a%20b%2Fc%3Fd%23e");
  EXPECT_EQ(url_segment("javascript:alert(1)"), "javascript%3Aalert%281%29");
  EXPECT_EQ(url_segment("\"><img>"), "%22%3E%3Cimg%3E");
  EXPECT_EQ(url_segment("."), "%2E");
  EXPECT_EQ(relative_url({"..", "exp", "run id", "index.html"}), "../exp/run%20id/index.html");
}

TEST(Html, LinkEscapesItsText) {
  EXPECT_EQ(link("a/index.html", "<b>"), "<a href=\"a/index.html\">&lt;b&gt;</a>");
}

reports::Table small_table() {
  reports::Table t;
  t.columns = {{"method", "", "method", reports::Align::kLeft},
               {"acc. (%)", "", "accuracy"},
               {"cost", "", "cost"},
               {"raw error", "", "error", reports::Align::kLeft, /*display=*/false}};
  t.add_row({{{"<script>x</script>", "<script>x</script>"},
              {"92.50", "0.925"},
              {"1.5", "1.5"},
              {"", ""}}});
  reports::TableRow failed{
      {{"gatekeeper", "gatekeeper"}, {"\u2014", ""}, {"\u2014", ""}, {"boom", "boom"}}};
  failed.note = "failed: <oops> & more";
  failed.note_from = 1;
  t.add_row(failed);
  t.caption = "Caption <i>";
  t.notes = {"Note & more"};
  return t;
}

TEST(Html, TableIsSortableEscapedAndSpansNotes) {
  const std::string html = table_html(small_table(), "headline");
  EXPECT_NE(html.find("<table class=\"sortable\" id=\"headline\">"), std::string::npos) << html;
  EXPECT_NE(html.find("<caption>Caption &lt;i&gt;</caption>"), std::string::npos) << html;
  // Three shown columns; the CSV-only one is left out.
  EXPECT_NE(html.find("<th scope=\"col\" class=\"r\" tabindex=\"0\" title=\"sort\">acc. (%)</th>"),
            std::string::npos);
  EXPECT_EQ(html.find("raw error"), std::string::npos);
  // Cells escaped; numeric raw values become sort keys, text ones do not.
  EXPECT_NE(html.find("&lt;script&gt;x&lt;/script&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"r\" data-v=\"0.925\">92.50</td>"), std::string::npos) << html;
  EXPECT_EQ(html.find("data-v=\"&lt;"), std::string::npos);
  // The failed row: its note spans the two shown columns from note_from on.
  EXPECT_NE(html.find("<tr class=\"failed\"><td class=\"l\">gatekeeper</td><td class=\"note\" "
                      "colspan=\"2\">failed: &lt;oops&gt; &amp; more</td></tr>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("<p class=\"table-note\">Note &amp; more</p>"), std::string::npos);
}

TEST(Html, PageLinksItsAssetsRelativelyAndEscapesTheTitle) {
  const std::string html = page("<t>", "../../", "<p>body</p>");
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_NE(html.find("<title>&lt;t&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("href=\"../../_site/site.css\""), std::string::npos);
  EXPECT_NE(html.find("src=\"../../_site/sort.js\""), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);  // nothing from elsewhere
}

}  // namespace
}  // namespace lazystack::site
