package io.etcdj.server.http.gateway;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import com.linecorp.armeria.common.HttpStatus;
import io.grpc.Status;

/**
 * JSON as etcd's grpc-gateway writes it: proto field names (snake_case), 64-bit integers as strings, bytes in
 * base64, enums by name, fields at their default value left out; errors as
 * {"error":message,"message":message,"code":grpcCode}.
 */
public final class GatewayJson {
    private static final JsonFormat.Printer PRINTER =
            JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
    /** etcd's gateway drops fields it does not know (checked against etcd 3.4.23). */
    private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

    private GatewayJson() {}

    public static String print(MessageOrBuilder m) {
        try {
            return PRINTER.print(m);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cannot print " + m.getClass().getSimpleName(), e);
        }
    }

    /** Parses {@code json} into a new message of {@code prototype}'s type; bad JSON is an INVALID_ARGUMENT status. */
    public static Message parse(String json, Message prototype) {
        Message.Builder b = prototype.newBuilderForType();
        try {
            PARSER.merge(json, b);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw Status.INVALID_ARGUMENT.withDescription(e.getMessage()).asRuntimeException();
        }
        return b.build();
    }

    /** etcd's JSON error body for a failed unary call. */
    public static String error(Status status) {
        String msg = quote(message(status));
        return "{\"error\":" + msg + ",\"message\":" + msg + ",\"code\":"
                + status.getCode().value() + "}";
    }

    /** The error object that ends a stream: {"error":{"grpc_code":..,"http_code":..,"message":..,"http_status":..}}. */
    public static String streamError(Status status) {
        HttpStatus http = httpStatus(status);
        return "{\"error\":{\"grpc_code\":" + status.getCode().value() + ",\"http_code\":" + http.code()
                + ",\"message\":" + quote(message(status)) + ",\"http_status\":" + quote(http.reasonPhrase()) + "}}";
    }

    private static String message(Status status) {
        return status.getDescription() != null ? status.getDescription() : "";
    }

    /** grpc-gateway's HTTP status for a gRPC code. */
    public static HttpStatus httpStatus(Status status) {
        return switch (status.getCode()) {
            case OK -> HttpStatus.OK;
            case CANCELLED -> HttpStatus.REQUEST_TIMEOUT;
            case INVALID_ARGUMENT, OUT_OF_RANGE -> HttpStatus.BAD_REQUEST;
            case DEADLINE_EXCEEDED -> HttpStatus.GATEWAY_TIMEOUT;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case ALREADY_EXISTS, ABORTED -> HttpStatus.CONFLICT;
            case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
            case UNAUTHENTICATED -> HttpStatus.UNAUTHORIZED;
            case RESOURCE_EXHAUSTED -> HttpStatus.TOO_MANY_REQUESTS;
            case FAILED_PRECONDITION -> HttpStatus.PRECONDITION_FAILED;
            case UNIMPLEMENTED -> HttpStatus.NOT_IMPLEMENTED;
            case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
            case UNKNOWN, INTERNAL, DATA_LOSS -> HttpStatus.INTERNAL_SERVER_ERROR;
        };
    }

    /** A JSON string literal; like Go's encoder, '<', '>' and '&' are escaped too. */
    public static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
