package io.etcdj.server.http.gateway;

import com.google.api.AnnotationsProto;
import com.google.api.HttpRule;
import com.google.protobuf.Descriptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import java.util.HashMap;
import java.util.Map;

/**
 * HTTP paths of the gateway, read from the protos' google.api.http annotations ("/v3/kv/range" -> KV/Range, with
 * additional bindings such as "/v3/kv/lease/revoke"). Immutable once built.
 */
public final class GatewayRoutes {
    private final Map<String, ServerMethodDefinition<?, ?>> byPath;

    private GatewayRoutes(Map<String, ServerMethodDefinition<?, ?>> byPath) {
        this.byPath = byPath;
    }

    public static GatewayRoutes of(LocalMethods methods) {
        Map<String, ServerMethodDefinition<?, ?>> byPath = new HashMap<>();
        for (ServerMethodDefinition<?, ?> m : methods.all()) {
            if (!(m.getMethodDescriptor().getSchemaDescriptor() instanceof ProtoMethodDescriptorSupplier s)) {
                continue;
            }
            Descriptors.MethodDescriptor proto = s.getMethodDescriptor();
            if (!proto.getOptions().hasExtension(AnnotationsProto.http)) {
                continue;
            }
            HttpRule rule = proto.getOptions().getExtension(AnnotationsProto.http);
            add(byPath, rule, m);
            rule.getAdditionalBindingsList().forEach(b -> add(byPath, b, m));
        }
        return new GatewayRoutes(Map.copyOf(byPath));
    }

    private static void add(
            Map<String, ServerMethodDefinition<?, ?>> byPath, HttpRule rule, ServerMethodDefinition<?, ?> m) {
        // etcd's gateway takes every call as a POST with the whole request in the body
        if (rule.getPatternCase() == HttpRule.PatternCase.POST) {
            byPath.put(rule.getPost(), m);
        }
    }

    /** The method served at {@code path} (a /v3/ path), or null. */
    public ServerMethodDefinition<?, ?> method(String path) {
        return byPath.get(path);
    }

    public int size() {
        return byPath.size();
    }
}
