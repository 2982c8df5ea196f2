package io.etcdj.server.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads etcd's YAML configuration file. Keys are flag names; URL lists are comma-separated
 * strings; lists may also be YAML sequences; durations are Go duration strings or, as etcd writes
 * them, integer nanoseconds. TLS settings sit in {@code client-transport-security} and
 * {@code peer-transport-security} sections. A null value keeps the default, as in etcd.
 */
final class ConfigFileSource {
    /** Keys of a transport-security section, mapped to the client-side flag. */
    private static final Map<String, String> CLIENT_SECTION = Map.of(
            "cert-file", "cert-file",
            "key-file", "key-file",
            "client-cert-file", "client-cert-file",
            "client-key-file", "client-key-file",
            "client-cert-auth", "client-cert-auth",
            "trusted-ca-file", "trusted-ca-file",
            "auto-tls", "auto-tls",
            "crl-file", "client-crl-file",
            "allowed-hostname", "client-cert-allowed-hostname");
    /** The same keys, mapped to the peer-side flag. */
    private static final Map<String, String> PEER_SECTION = Map.of(
            "cert-file", "peer-cert-file",
            "key-file", "peer-key-file",
            "client-cert-file", "peer-client-cert-file",
            "client-key-file", "peer-client-key-file",
            "client-cert-auth", "peer-client-cert-auth",
            "trusted-ca-file", "peer-trusted-ca-file",
            "auto-tls", "peer-auto-tls",
            "crl-file", "peer-crl-file",
            "allowed-cn", "peer-cert-allowed-cn",
            "allowed-hostname", "peer-cert-allowed-hostname");
    /** Largest config file read; etcd's are a few kilobytes. */
    private static final long MAX_FILE_BYTES = 4L << 20;

    private ConfigFileSource() {}

    /** Reads the file into {@code raw}; throws {@link ConfigException} (exit code 1) on any problem. */
    static void apply(Path path, RawValues raw, List<String> warnings) {
        JsonNode root = read(path);
        if (root == null || root.isNull() || root.isMissingNode()) {
            return;
        }
        if (!root.isObject()) {
            throw new ConfigException(1, "config file " + path + " must hold a YAML mapping of flag names to values");
        }
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            String key = entry.getKey();
            JsonNode node = entry.getValue();
            switch (key) {
                case "client-transport-security" -> applySection(key, node, CLIENT_SECTION, raw, warnings);
                case "peer-transport-security" -> applySection(key, node, PEER_SECTION, raw, warnings);
                default -> {
                    FlagDef def = FlagTable.find(key).orElse(null);
                    if (def == null || def.group() == FlagGroup.COMMAND) {
                        warnings.add("unrecognized config file key \"" + key + "\" ignored");
                    } else {
                        applyValue(def, key, node, raw, warnings);
                    }
                }
            }
        }
    }

    private static JsonNode read(Path path) {
        try {
            if (Files.size(path) > MAX_FILE_BYTES) {
                throw new ConfigException(1, "config file " + path + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            return new YAMLMapper().readTree(Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            throw new ConfigException(1, "open " + path + ": no such file or directory");
        } catch (JacksonException e) {
            throw new ConfigException(1, "config file " + path + " is not valid YAML: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ConfigException(1, "cannot read config file " + path + ": " + e);
        }
    }

    private static void applySection(
            String section, JsonNode node, Map<String, String> keys, RawValues raw, List<String> warnings) {
        if (node.isNull()) {
            return;
        }
        if (!node.isObject()) {
            throw new ConfigException(1, "config file key \"" + section + "\" must be a mapping");
        }
        for (Map.Entry<String, JsonNode> entry : node.properties()) {
            String flag = keys.get(entry.getKey());
            String key = section + "." + entry.getKey();
            if (flag == null) {
                warnings.add("unrecognized config file key \"" + key + "\" ignored");
            } else {
                applyValue(FlagTable.get(flag), key, entry.getValue(), raw, warnings);
            }
        }
    }

    private static void applyValue(FlagDef def, String key, JsonNode node, RawValues raw, List<String> warnings) {
        if (node.isNull()) {
            return;
        }
        String value = text(def, key, node);
        boolean keepsDefaultWhenEmpty = def.kind() == FlagKind.URLS
                || def.kind() == FlagKind.URLS_OR_STAR
                || !def.choices().isEmpty();
        if (value.isEmpty() && keepsDefaultWhenEmpty) {
            return;
        }
        try {
            def.check(value);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(
                    1, "invalid value \"" + value + "\" for config file key \"" + key + "\": " + e.getMessage());
        }
        if (def.kind() == FlagKind.BOOL) {
            value = String.valueOf(GoValues.parseBool(value));
        }
        if (def.status() == FlagStatus.IGNORED) {
            warnings.add("config file key \"" + key + "\" is no longer supported - ignoring.");
        }
        raw.set(def.name(), value, FlagSource.CONFIG_FILE, "config file key \"" + key + "\"");
    }

    /** The flag text for a YAML value of the flag's kind. */
    private static String text(FlagDef def, String key, JsonNode node) {
        if (node.isObject()) {
            throw new ConfigException(1, "config file key \"" + key + "\" must be a single value, not a mapping");
        }
        if (node.isArray()) {
            boolean listKind = switch (def.kind()) {
                case URLS, URLS_OR_STAR, STRINGS, UNIQUE_STRINGS -> true;
                default -> false;
            };
            if (!listKind) {
                throw new ConfigException(1, "config file key \"" + key + "\" must be a single value, not a list");
            }
            List<String> items = new ArrayList<>();
            for (JsonNode item : node) {
                if (!item.isValueNode()) {
                    throw new ConfigException(1, "config file key \"" + key + "\" must be a list of plain values");
                }
                items.add(item.asText());
            }
            return String.join(",", items);
        }
        if (def.kind() == FlagKind.DURATION && node.isIntegralNumber()) {
            return node.asText() + "ns";
        }
        if (def.kind() == FlagKind.BOOL && node.isBoolean()) {
            return String.valueOf(node.booleanValue());
        }
        return node.asText();
    }
}
