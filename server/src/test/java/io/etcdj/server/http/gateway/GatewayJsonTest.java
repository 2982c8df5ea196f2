package io.etcdj.server.http.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.protobuf.ByteString;
import io.etcdj.api.etcdserverpb.Compare;
import io.etcdj.api.etcdserverpb.PutRequest;
import io.etcdj.api.etcdserverpb.RangeResponse;
import io.etcdj.api.etcdserverpb.ResponseHeader;
import io.etcdj.api.etcdserverpb.TxnRequest;
import io.etcdj.api.mvccpb.KeyValue;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

class GatewayJsonTest {
    @Test
    void printsAsEtcdsGatewayDoes() {
        RangeResponse r = RangeResponse.newBuilder()
                .setHeader(ResponseHeader.newBuilder().setClusterId(-1L).setRevision(2))
                .addKvs(KeyValue.newBuilder()
                        .setKey(ByteString.copyFromUtf8("foo"))
                        .setCreateRevision(2)
                        .setValue(ByteString.copyFromUtf8("bar")))
                .setCount(1)
                .build();
        // snake_case names, 64-bit integers as strings (uint64 unsigned), bytes in base64, defaults left out
        assertEquals(
                "{\"header\":{\"cluster_id\":\"18446744073709551615\",\"revision\":\"2\"},"
                        + "\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":\"2\",\"value\":\"YmFy\"}],\"count\":\"1\"}",
                GatewayJson.print(r));
    }

    @Test
    void parsesGoClientsJsonWithNumbersAndEnumsEitherWay() {
        TxnRequest t = (TxnRequest) GatewayJson.parse(
                "{\"compare\":[{\"result\":\"EQUAL\",\"target\":1,"
                        + "\"key\":\"Zm9v\",\"create_revision\":0,\"TargetUnion\":null}]}",
                TxnRequest.getDefaultInstance());
        assertEquals(Compare.CompareTarget.CREATE, t.getCompare(0).getTarget());
        assertEquals("foo", t.getCompare(0).getKey().toStringUtf8());
        PutRequest p =
                (PutRequest) GatewayJson.parse("{\"key\":\"Zm9v\",\"lease\":\"7\"}", PutRequest.getDefaultInstance());
        assertEquals(7, p.getLease());
    }

    @Test
    void badJsonIsInvalidArgument() {
        StatusRuntimeException e = assertThrows(
                StatusRuntimeException.class, () -> GatewayJson.parse("[1]", PutRequest.getDefaultInstance()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void errorsHaveEtcdsShapeAndHttpStatus() {
        Status s = Status.UNKNOWN.withDescription("\"leader\" field must be provided");
        assertEquals(
                "{\"error\":\"\\\"leader\\\" field must be provided\",\"message\":\"\\\"leader\\\" field must be"
                        + " provided\",\"code\":2}",
                GatewayJson.error(s));
        assertEquals(500, GatewayJson.httpStatus(s).code());
        assertEquals(400, GatewayJson.httpStatus(Status.INVALID_ARGUMENT).code());
        assertEquals(412, GatewayJson.httpStatus(Status.FAILED_PRECONDITION).code());
        assertEquals(503, GatewayJson.httpStatus(Status.UNAVAILABLE).code());
        assertEquals(
                "{\"error\":{\"grpc_code\":14,\"http_code\":503,\"message\":\"etcdserver: no leader\","
                        + "\"http_status\":\"Service Unavailable\"}}",
                GatewayJson.streamError(Status.UNAVAILABLE.withDescription("etcdserver: no leader")));
        assertEquals("\"a\\u003cb\\u0026\"", GatewayJson.quote("a<b&"));
    }
}
