#pragma once
// User authentication of one SSH session (public keys only: agent, then identity files).

#include <optional>
#include <string>

#include "deploy/ssh/ssh_session.hpp"
#include "deploy/transport.hpp"

namespace picket {

/// `~/rest` with the user's home directory (from the password database) put in front.
std::string expand_home(const std::string& path);

/// Authenticates the handshaken session as `user`: every ssh-agent identity first (the agent
/// at SSH_AUTH_SOCK, if any), then `identity` (or ~/.ssh/id_ed25519 and ~/.ssh/id_ecdsa when
/// none is configured), decrypted with `passphrase`. RSA keys are refused with a clear
/// message: libssh2 1.10 signs only ssh-rsa (SHA-1), which OpenSSH >= 8.8 rejects.
Result<void> authenticate(SshSession& session, const std::string& user,
                          const std::optional<std::string>& identity, const std::string& passphrase);

}  // namespace picket
