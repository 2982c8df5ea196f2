package io.etcdj.server.cli;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.SequencedMap;
import java.util.regex.Pattern;

/**
 * URL lists as etcd reads them: comma-separated, each http, https, unix or unixs, each with a
 * "host:port" and no path, sorted; and the {@code name=url,...} map of {@code --initial-cluster}.
 * Error messages follow etcd's wording.
 */
final class EtcdUrls {
    private static final Pattern IPV4 =
            Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");

    private EtcdUrls() {}

    /** A host and port split as Go's {@code net.SplitHostPort} does; the port may be empty. */
    record HostPort(String host, String port) {}

    /** Parses a comma-separated list; an empty list is an error, as in etcd. */
    static List<URI> parseList(String commaSeparated) {
        List<URI> urls = new ArrayList<>();
        for (String item : commaSeparated.split(",", -1)) {
            urls.add(parseOne(item.strip()));
        }
        urls.sort(Comparator.comparing(URI::toString));
        return Collections.unmodifiableList(urls);
    }

    private static URI parseOne(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("parse \"" + text + "\": " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") && !scheme.equals("unix") && !scheme.equals("unixs")) {
            throw new IllegalArgumentException("URL scheme must be http, https, unix, or unixs: " + text);
        }
        try {
            splitHostPort(hostPortOf(uri));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("URL address does not have the form \"host:port\": " + text);
        }
        String path = uri.getRawPath();
        if (path != null && !path.isEmpty()) {
            throw new IllegalArgumentException("URL must not contain a path: " + text);
        }
        if (!scheme.equals(uri.getScheme())) {
            uri = URI.create(scheme + text.substring(scheme.length()));
        }
        return uri;
    }

    /** The "host:port" part of a URL, without any user info. */
    static String hostPortOf(URI uri) {
        String authority = uri.getRawAuthority();
        if (authority == null) {
            return "";
        }
        int at = authority.lastIndexOf('@');
        return at >= 0 ? authority.substring(at + 1) : authority;
    }

    /** Go's {@code net.SplitHostPort}; throws with Go's reason when the form is wrong. */
    static HostPort splitHostPort(String hostPort) {
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("address " + hostPort + ": missing ']' in address");
            }
            if (close + 1 == hostPort.length()) {
                throw new IllegalArgumentException("address " + hostPort + ": missing port in address");
            }
            if (hostPort.charAt(close + 1) != ':') {
                throw new IllegalArgumentException("address " + hostPort + ": unexpected ']' in address");
            }
            String rest = hostPort.substring(close + 2);
            if (rest.contains(":") || rest.contains("[") || rest.contains("]")) {
                throw new IllegalArgumentException("address " + hostPort + ": too many colons in address");
            }
            return new HostPort(hostPort.substring(1, close), rest);
        }
        int colon = hostPort.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("address " + hostPort + ": missing port in address");
        }
        String host = hostPort.substring(0, colon);
        if (host.contains(":")) {
            throw new IllegalArgumentException("address " + hostPort + ": too many colons in address");
        }
        if (host.contains("[") || host.contains("]")) {
            throw new IllegalArgumentException("address " + hostPort + ": unexpected '[' in address");
        }
        return new HostPort(host, hostPort.substring(colon + 1));
    }

    /**
     * etcd's rule for listen URLs: except for unix sockets, the host must be an IP address or
     * "localhost", since a server binds to addresses, not names.
     */
    static void checkBindable(List<URI> urls) {
        for (URI url : urls) {
            if (url.getScheme().equals("unix") || url.getScheme().equals("unixs")) {
                continue;
            }
            String host = splitHostPort(hostPortOf(url)).host();
            if (!host.equals("localhost") && !isIpLiteral(host)) {
                throw new IllegalArgumentException("expected IP in URL for binding (" + url + ")");
            }
        }
    }

    /** etcd's rule for advertised URLs: each must name a host. */
    static void checkHosts(String flag, List<URI> urls) {
        for (URI url : urls) {
            String reason = null;
            try {
                if (splitHostPort(hostPortOf(url)).host().isEmpty()) {
                    reason = "unexpected empty host (" + url + ")";
                }
            } catch (IllegalArgumentException e) {
                reason = e.getMessage();
            }
            if (reason != null) {
                throw new IllegalArgumentException(
                        "--" + flag + " \"" + join(urls) + "\" must be \"host:port\" (" + reason + ")");
            }
        }
    }

    static boolean isIpLiteral(String host) {
        if (IPV4.matcher(host).matches()) {
            return true;
        }
        if (!host.contains(":") || host.contains("%")) {
            return false;
        }
        try {
            // A string containing ':' is only ever parsed as an IPv6 literal, never looked up.
            InetAddress.getByName("[" + host + "]");
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * Parses {@code name=url[,name=url...]}: a name may repeat to get several URLs. Names keep the
     * order of their first appearance; each name's URLs are sorted, as in etcd.
     */
    static SequencedMap<String, List<URI>> parseCluster(String text) {
        SequencedMap<String, List<String>> raw = new LinkedHashMap<>();
        for (String pair : text.split(",", -1)) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq >= 0 ? pair.substring(0, eq) : pair;
            String url = eq >= 0 ? pair.substring(eq + 1) : "";
            raw.computeIfAbsent(name, k -> new ArrayList<>()).add(url);
        }
        SequencedMap<String, List<URI>> cluster = new LinkedHashMap<>();
        raw.forEach((name, urls) -> cluster.put(name, parseList(String.join(",", urls))));
        return Collections.unmodifiableSequencedMap(cluster);
    }

    /** etcd's text form of a cluster map: every {@code name=url} pair, sorted, comma-joined. */
    static String clusterToString(SequencedMap<String, List<URI>> cluster) {
        List<String> pairs = new ArrayList<>();
        cluster.forEach((name, urls) -> urls.forEach(u -> pairs.add(name + "=" + u)));
        Collections.sort(pairs);
        return String.join(",", pairs);
    }

    static String join(List<URI> urls) {
        return String.join(",", urls.stream().map(URI::toString).toList());
    }
}
