// The backup archive: a round trip keeps every file whole; any change to the sealed bytes
// (a flipped byte anywhere, a record dropped, the end cut off, bytes appended) and another
// key are refused whole; and what counts as signing state or key material.
#include <gtest/gtest.h>

#include "deploy/backup_archive.hpp"

namespace picket {
namespace {

Archive sample() {
  Archive a;
  a.created = "2026-12-04T16:00:00Z";
  a.entries.push_back({"val-1", "/home/cosmos/.gaia/config/node_key.json", 0600, "{\"priv_key\":\"x\"}"});
  a.entries.push_back({"val-1", "/home/cosmos/.gaia/config/config.toml", 0644, "moniker = \"v\"\n"});
  a.entries.push_back({"", "nodes/validator/node_key.json", 0600, std::string("\0binary\xff", 8)});
  a.entries.push_back({"kms-1", "/etc/empty", 0644, ""});
  return a;
}

std::string dump(const Archive& a) {
  std::string s = a.created + "\n";
  for (const ArchiveEntry& e : a.entries)
    s += e.host + "|" + e.path + "|" + std::to_string(e.mode) + "|" + std::to_string(e.content.size()) + "|" + e.content + "\n";
  return s;
}

TEST(BackupArchive, RoundTripKeepsEveryFileWhole) {
  const BackupKey key = new_backup_key();
  const std::string sealed = seal_archive(sample(), key);
  EXPECT_EQ(sealed.rfind("PICKETBACKUP1\n", 0), 0u);
  EXPECT_EQ(sealed.find("priv_key"), std::string::npos);  // nothing in the clear
  EXPECT_EQ(sealed.find("node_key.json"), std::string::npos);  // not even the names
  const auto opened = open_archive(sealed, key);
  ASSERT_TRUE(opened) << opened.error();
  EXPECT_EQ(dump(*opened), dump(sample()));
}

TEST(BackupArchive, EveryAlteredByteIsRefused) {
  const BackupKey key = new_backup_key();
  const std::string sealed = seal_archive(sample(), key);
  std::size_t refused = 0;
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    std::string bad = sealed;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    const auto opened = open_archive(bad, key);
    EXPECT_FALSE(opened) << "byte " << i << " altered and accepted";
    refused += opened ? 0 : 1;
  }
  EXPECT_EQ(refused, sealed.size());
}

TEST(BackupArchive, TruncatedExtendedOrAnotherKeyIsRefusedWithTheReason) {
  const BackupKey key = new_backup_key();
  const std::string sealed = seal_archive(sample(), key);
  // The FINAL record is its 4-byte length and 17 bytes of tag: without it the archive ends
  // where record 5 should start; 4 bytes more and record 4 is cut short.
  EXPECT_EQ(open_archive(sealed.substr(0, sealed.size() - 21), key).error(),
            "the archive is truncated at record 5");
  EXPECT_EQ(open_archive(sealed.substr(0, sealed.size() - 21 - 4), key).error(),
            "the archive is truncated or damaged at record 4");
  EXPECT_EQ(open_archive(sealed + "x", key).error(),
            "the archive does not end where it was sealed: it was truncated or extended");
  EXPECT_EQ(open_archive(sealed, new_backup_key()).error(),
            "record 0 fails authentication: the archive was altered, or the key is not the one it was made with");
  EXPECT_EQ(open_archive("PK\x03\x04", key).error(), "not a picket backup archive");
}

TEST(BackupArchive, KeyTextRoundTripsAndRejectsOtherText) {
  const BackupKey key = new_backup_key();
  const std::string text = backup_key_text(key);
  EXPECT_EQ(text.size(), 45u);
  ASSERT_TRUE(parse_backup_key(text));
  EXPECT_EQ(*parse_backup_key(text), key);
  EXPECT_FALSE(parse_backup_key("hunter2\n"));
  EXPECT_FALSE(parse_backup_key(text.substr(0, 40)));
}

TEST(BackupArchive, SigningStateAndKeyMaterial) {
  for (const char* p : {"/home/c/.gaia/data/priv_validator_state.json", "/home/c/.tmkms/state/cosmoshub-4-consensus.json",
                        "/home/c/.horcrux/state/cosmoshub-4_priv_validator_state.json", "/home/c/.horcrux/state/cosmoshub-4_share_sign_state.json"})
    EXPECT_TRUE(is_signing_state(p)) << p;
  for (const char* p : {"/home/c/.gaia/config/node_key.json", "/home/c/.gaia/config/config.toml", "/etc/wireguard/picket.conf",
                        "/home/c/.tmkms/tmkms.toml"})
    EXPECT_FALSE(is_signing_state(p)) << p;
  EXPECT_TRUE(is_key_material({"h", "/home/c/.gaia/config/node_key.json", 0600, ""}));
  // horcrux: the shard and the cosigners' ECIES keys are key material; config.yaml is not.
  EXPECT_TRUE(is_key_material({"h", "/home/c/.horcrux/cosmoshub-4_shard.json", 0600, ""}));
  EXPECT_TRUE(is_key_material({"h", "/home/c/.horcrux/ecies_keys.json", 0600, ""}));
  EXPECT_FALSE(is_key_material({"h", "/home/c/.horcrux/config.yaml", 0600, ""}));
  EXPECT_FALSE(is_signing_state("/home/c/.horcrux/cosmoshub-4_shard.json"));
  EXPECT_FALSE(is_signing_state("/home/c/.horcrux/ecies_keys.json"));
  EXPECT_TRUE(is_key_material({"h", "/etc/wireguard/picket.conf", 0600, ""}));
  EXPECT_TRUE(is_key_material({"h", "/home/c/.tmkms/secrets/cosmoshub-4-consensus.key", 0600, ""}));
  EXPECT_TRUE(is_key_material({"", "wireguard/h.key", 0600, ""}));
  EXPECT_FALSE(is_key_material({"h", "/home/c/.gaia/config/config.toml", 0644, ""}));
  EXPECT_FALSE(is_key_material({"h", "/etc/nftables.d/picket.nft", 0644, ""}));
}

}  // namespace
}  // namespace picket
