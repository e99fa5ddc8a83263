// OAuth 1.0a signatures (RFC 5849) against the RFC's own examples and
// Twitter's published one.
#include "oauth1.h"

#include <gtest/gtest.h>

namespace connauth {
namespace {

// RFC 5849 §3.4.1.1: the signature base string example (a form body, a query
// with encoded and repeated names; realm is not signed).
TEST(OAuth1, Rfc5849SignatureBaseString) {
  QueryParams oauth = {{"oauth_consumer_key", "9djdj82h48djs9d2"},
                       {"oauth_token", "kkk9d7dh3k39sjv7"},
                       {"oauth_signature_method", "HMAC-SHA1"},
                       {"oauth_timestamp", "137131201"},
                       {"oauth_nonce", "7d8f3e4a"}};
  auto base = oauth1_base_string("POST", "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
                                 "c2&a3=2+q", oauth);
  ASSERT_TRUE(base);
  EXPECT_EQ(*base,
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%"
            "26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-"
            "SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7");
}

// RFC 5849 §1.2: the photos example, from base string to signature.
TEST(OAuth1, Rfc5849PhotosExample) {
  QueryParams oauth = {{"oauth_consumer_key", "dpf43f3p2l4k3l03"},
                       {"oauth_token", "nnch734d00sl2jdk"},
                       {"oauth_signature_method", "HMAC-SHA1"},
                       {"oauth_timestamp", "137131202"},
                       {"oauth_nonce", "chapoH"}};
  auto base = oauth1_base_string("GET", "http://photos.example.net/photos?file=vacation.jpg&size=original", "", oauth);
  ASSERT_TRUE(base);
  EXPECT_EQ(*base,
            "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvacation.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%"
            "26oauth_nonce%3DchapoH%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131202%26oauth_token%"
            "3Dnnch734d00sl2jdk%26size%3Doriginal");
  std::string signature = oauth1_signature(*base, "kd94hf93k423kf44", "pfkkdhi9sl3r4s00");
  EXPECT_EQ(signature, "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
  oauth.emplace_back("oauth_signature", signature);
  EXPECT_EQ(oauth1_header(oauth),
            "OAuth oauth_consumer_key=\"dpf43f3p2l4k3l03\", oauth_token=\"nnch734d00sl2jdk\", "
            "oauth_signature_method=\"HMAC-SHA1\", oauth_timestamp=\"137131202\", oauth_nonce=\"chapoH\", "
            "oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\"");
}

// Twitter developer documentation, "Creating a signature" (a form body with
// reserved characters, https, oauth_version).
TEST(OAuth1, TwitterDocumentationExample) {
  QueryParams oauth = {{"oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog"},
                       {"oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"},
                       {"oauth_signature_method", "HMAC-SHA1"},
                       {"oauth_timestamp", "1318622958"},
                       {"oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb"},
                       {"oauth_version", "1.0"}};
  auto base = oauth1_base_string("post", "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
                                 "status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21", oauth);
  ASSERT_TRUE(base);
  EXPECT_EQ(oauth1_signature(*base, "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                             "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"),
            "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");
}

// §3.4.1.2: scheme and host in lower case, a default port dropped, another kept.
TEST(OAuth1, BaseUriNormalization) {
  auto base = oauth1_base_string("GET", "HTTP://Example.COM:80/r%20v", "", {});
  ASSERT_TRUE(base);
  EXPECT_EQ(*base, "GET&http%3A%2F%2Fexample.com%2Fr%2520v&");
  base = oauth1_base_string("GET", "https://www.example.net:8080/?q=1", "", {});
  ASSERT_TRUE(base);
  EXPECT_EQ(*base, "GET&https%3A%2F%2Fwww.example.net%3A8080%2F&q%3D1");
  EXPECT_FALSE(oauth1_base_string("GET", "/relative", "", {}));
}

}  // namespace
}  // namespace connauth
