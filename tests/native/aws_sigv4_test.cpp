// AWS Signature Version 4 against the AWS SigV4 test suite (the
// "aws-sig-v4-test-suite" files of AWS's General Reference, as also shipped
// in aws-c-auth's tests/aws-signing-test-suite): credentials AKIDEXAMPLE /
// wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, region us-east-1, service
// "service", X-Amz-Date 20150830T123600Z.
#include "aws_sigv4.h"

#include <gtest/gtest.h>

#include "sha256.h"

namespace connauth {
namespace {

constexpr const char* kDate = "20150830T123600Z";
const SigV4Credentials kCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"};
const SigV4Scope kScope{"us-east-1", "service"};
const std::string kEmptyHash = sha256_hex("");

std::string authorization(std::string_view method, std::string_view url,
                          std::vector<std::pair<std::string, std::string>> extra = {}, std::string_view body = "") {
  std::string hash = sha256_hex(body);
  SigV4Request request{method, url, {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kDate}}, hash, kDate};
  for (auto& header : extra) request.headers.push_back(header);
  return sigv4_authorization(request, kCredentials, kScope);
}

std::string expected(std::string_view signed_headers, std::string_view signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=" +
         std::string(signed_headers) + ", Signature=" + std::string(signature);
}

TEST(AwsSigV4, GetVanilla) {
  EXPECT_EQ(authorization("GET", "https://example.amazonaws.com/"),
            expected("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
}

TEST(AwsSigV4, GetVanillaQueryOrderKeyCase) {
  EXPECT_EQ(authorization("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1"),
            expected("host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
}

TEST(AwsSigV4, PostVanilla) {
  EXPECT_EQ(authorization("POST", "https://example.amazonaws.com/"),
            expected("host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"));
}

TEST(AwsSigV4, PostVanillaQueryCanonicalRequest) {
  SigV4Request request{"POST", "https://example.amazonaws.com/?Param1=value1",
                       {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", kDate}}, kEmptyHash, kDate};
  EXPECT_EQ(sigv4_canonical_request(request, "service"),
            "POST\n/\nParam1=value1\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sigv4_authorization(request, kCredentials, kScope),
            expected("host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"));
}

TEST(AwsSigV4, PostXWwwFormUrlencoded) {
  EXPECT_EQ(authorization("POST", "https://example.amazonaws.com/",
                          {{"Content-Type", "application/x-www-form-urlencoded"}}, "Param1=value1"),
            expected("content-type;host;x-amz-date",
                     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

// The canonical URI: segments encoded once more than on the wire, empty and
// dot segments dropped; S3 takes the path as sent.
TEST(AwsSigV4, CanonicalPath) {
  SigV4Request request{"GET", "https://h.example/a//b/./c%20d/", {}, kEmptyHash, kDate};
  EXPECT_EQ(sigv4_canonical_request(request, "service"), "GET\n/a/b/c%2520d/\n\n\n\n" + kEmptyHash);
  EXPECT_EQ(sigv4_canonical_request(request, "s3"), "GET\n/a//b/./c%20d/\n\n\n\n" + kEmptyHash);
  EXPECT_EQ(sigv4_authorization({"GET", "not a url", {}, kEmptyHash, kDate}, kCredentials, kScope), "");
}

}  // namespace
}  // namespace connauth
