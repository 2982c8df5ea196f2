package io.etcdj.server.http;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.security.cert.CertificateException;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each TLS handshake a listener refuses, as etcd logs it ("rejected connection", the remote address and Go's
 * error text): a certificate this side refused ("client certificate authentication failed", "transport: certificate
 * serial ... revoked"), or the alert the other side sent when it refused this side's certificate
 * ("remote error: tls: bad certificate"). Operators, and etcd's e2e tests, read those lines. Stateless: one instance
 * serves every connection.
 */
@ChannelHandler.Sharable
final class RejectedConnections extends ChannelInboundHandlerAdapter {
    static final RejectedConnections INSTANCE = new RejectedConnections();
    private static final Logger LOG = LoggerFactory.getLogger(RejectedConnections.class);
    /** BoringSSL/OpenSSL's reason for a received alert, e.g. SSLV3_ALERT_BAD_CERTIFICATE. */
    private static final Pattern OPENSSL_ALERT = Pattern.compile("(?:SSLV3|TLSV1|TLSV1_3)_ALERT_([A-Z_]+)");
    /** The JDK's message for a received alert. */
    private static final Pattern JDK_ALERT = Pattern.compile("Received fatal alert: ([a-z_]+)");
    /** Go's text of the alerts a refused handshake ends with (crypto/tls alertText). */
    private static final Map<String, String> GO_ALERT_TEXT = Map.ofEntries(
            Map.entry("handshake_failure", "handshake failure"),
            Map.entry("bad_certificate", "bad certificate"),
            Map.entry("unsupported_certificate", "unsupported certificate"),
            Map.entry("certificate_revoked", "revoked certificate"),
            Map.entry("certificate_expired", "expired certificate"),
            Map.entry("certificate_unknown", "unknown certificate"),
            Map.entry("unknown_ca", "unknown certificate authority"),
            Map.entry("certificate_required", "certificate required"),
            Map.entry("protocol_version", "protocol version not supported"),
            Map.entry("insufficient_security", "insufficient security level"),
            Map.entry("internal_error", "internal error"),
            Map.entry("decrypt_error", "error decrypting message"),
            Map.entry("decode_error", "error decoding message"),
            Map.entry("illegal_parameter", "illegal parameter"),
            Map.entry("no_application_protocol", "no application protocol"));

    private RejectedConnections() {}

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
            LOG.warn(
                    "rejected connection: remote-addr={} error=\"{}\"",
                    ctx.channel().remoteAddress(),
                    goText(done.cause()));
        }
        super.userEventTriggered(ctx, evt);
    }

    /** What Go's crypto/tls (or etcd's check) would say about the failed handshake {@code cause}. */
    static String goText(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof CertificateException
                    && t.getMessage() != null
                    && (t.getMessage().equals(CertificateChecks.IDENTITY_REFUSED)
                            || t instanceof RevocationList.RevokedException)) {
                return t.getMessage();
            }
        }
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String alert = receivedAlert(t.getMessage());
            if (alert != null) {
                return "remote error: tls: " + GO_ALERT_TEXT.getOrDefault(alert, alert.replace('_', ' '));
            }
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    /** The TLS name of the alert {@code message} reports as received (e.g. bad_certificate), or null. */
    private static String receivedAlert(String message) {
        if (message == null) {
            return null;
        }
        Matcher jdk = JDK_ALERT.matcher(message);
        if (jdk.find()) {
            return jdk.group(1);
        }
        Matcher openssl = OPENSSL_ALERT.matcher(message);
        return openssl.find() ? openssl.group(1).toLowerCase(Locale.ROOT) : null;
    }
}
