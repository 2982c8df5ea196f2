package io.etcdj.embed;

/**
 * JVM-wide settings that a JVM running members should have, set only where the user has not set them (a -D flag
 * wins). Applied before any member class loads; Armeria's flags only count if Armeria was not used before in
 * this JVM.
 */
final class QuietDefaults {
    private QuietDefaults() {}

    static void apply() {
        // Netty's JFR allocation events make the JVM build JFR's metadata at the first allocation: seconds of start-up
        setDefault("io.netty.jfr.enabled", "false");
        // a killed member drops its connections at once, as a killed process does, instead of Armeria's one-second
        // drain of HTTP/2 connections on each side of every peer stream (a kill took 2 s, most of it these drains)
        setDefault("com.linecorp.armeria.defaultServerConnectionDrainDurationMicros", "0");
        setDefault("com.linecorp.armeria.defaultClientHttp2GracefulShutdownTimeoutMillis", "0");
        // the JDK's TLS engine: Armeria otherwise probes OpenSSL (and the JDK's TLS 1.3 support) when it first
        // builds a server, ~560 classes and a tenth of a cold start, whether or not any member uses TLS
        setDefault("com.linecorp.armeria.tlsEngineType", "jdk");
        // if slf4j-simple is the binding: a member's routine lines (started, elected, stopped) are not the test's
        setDefault("org.slf4j.simpleLogger.log.io.etcdj", "warn");
        setDefault("org.slf4j.simpleLogger.log.com.linecorp.armeria", "warn");
        // a peer stream cut by a member's stop or kill is logged once, in etcdj's words, by transport.PeerSender
        setDefault("org.slf4j.simpleLogger.log.com.linecorp.armeria.client.AbstractHttpRequestHandler", "error");
        setDefault("org.slf4j.simpleLogger.log.com.linecorp.armeria.server.HttpServerPipelineConfigurator", "error");
    }

    private static void setDefault(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
