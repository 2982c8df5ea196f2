package io.etcdj.server.cli;

import java.util.List;
import java.util.Set;

/**
 * The TLS cipher suite names etcd accepts in --cipher-suites: those Go's crypto/tls knows. They are
 * IANA names, which are also the JSSE names, except two short Go aliases for the ChaCha20 suites.
 */
final class CipherSuites {
    private static final Set<String> GO_NAMES = Set.of(
            "TLS_AES_128_GCM_SHA256",
            "TLS_AES_256_GCM_SHA384",
            "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            "TLS_RSA_WITH_RC4_128_SHA",
            "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
            "TLS_RSA_WITH_AES_128_CBC_SHA",
            "TLS_RSA_WITH_AES_256_CBC_SHA",
            "TLS_RSA_WITH_AES_128_CBC_SHA256",
            "TLS_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA",
            "TLS_ECDHE_RSA_WITH_RC4_128_SHA",
            "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA",
            "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256");

    private CipherSuites() {}

    /** Throws with etcd's message when a name is not one Go knows. */
    static void check(List<String> names) {
        for (String name : names) {
            if (!GO_NAMES.contains(toIana(name))) {
                throw new IllegalArgumentException("unexpected TLS cipher suite \"" + name + "\"");
            }
        }
    }

    /** Maps Go's short ChaCha20 aliases to their IANA names; other names are returned as given. */
    static List<String> toIana(List<String> names) {
        return names.stream().map(CipherSuites::toIana).toList();
    }

    private static String toIana(String name) {
        return switch (name) {
            case "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305" -> "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256";
            case "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305" -> "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256";
            default -> name;
        };
    }
}
