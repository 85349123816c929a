package emulator.auth;

import java.security.PublicKey;

/**
 * The login data the emulated org accepts: one connected app (client id/secret, optional JWT
 * signing certificate's public key) and one integration user (username, password, security token).
 */
public record Credentials(String clientId, String clientSecret, String username, String password,
                          String securityToken, PublicKey jwtPublicKey) {

    public Credentials withJwtPublicKey(PublicKey key) {
        return new Credentials(clientId, clientSecret, username, password, securityToken, key);
    }

    /** The password-grant value: the password with the security token appended. */
    public String passwordWithToken() {
        return securityToken == null ? password : password + securityToken;
    }
}
