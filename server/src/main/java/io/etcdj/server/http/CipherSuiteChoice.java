package io.etcdj.server.http;

import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.util.ArrayList;
import java.util.List;

/**
 * --cipher-suites on a Netty TLS context. Go (and so etcd) restricts only TLS 1.2 with its list: TLS 1.3's suites
 * are not configurable there and stay enabled, so they are added here. Names this TLS engine does not support are
 * left out (the flag was already checked against Go's list of names at start-up).
 */
public final class CipherSuiteChoice {
    private static final List<String> TLS13 =
            List.of("TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256");

    private CipherSuiteChoice() {}

    /** The suites to enable for {@code configured} (IANA names); empty when nothing was configured. */
    public static List<String> withTls13(List<String> configured) {
        if (configured.isEmpty()) {
            return List.of();
        }
        List<String> all = new ArrayList<>(TLS13);
        configured.stream().filter(c -> !all.contains(c)).forEach(all::add);
        return List.copyOf(all);
    }

    /** Restricts {@code ssl} to {@code suites} (from {@link #withTls13}); nothing when empty. */
    public static void apply(SslContextBuilder ssl, List<String> suites) {
        if (!suites.isEmpty()) {
            ssl.ciphers(suites, SupportedCipherSuiteFilter.INSTANCE);
        }
    }
}
