package io.etcdj.server.rpc;

import io.etcdj.api.v3electionpb.CampaignRequest;
import io.etcdj.api.v3electionpb.CampaignResponse;
import io.etcdj.api.v3electionpb.ElectionGrpc;
import io.etcdj.api.v3electionpb.LeaderRequest;
import io.etcdj.api.v3electionpb.LeaderResponse;
import io.etcdj.api.v3electionpb.ProclaimRequest;
import io.etcdj.api.v3electionpb.ProclaimResponse;
import io.etcdj.api.v3electionpb.ResignRequest;
import io.etcdj.api.v3electionpb.ResignResponse;
import io.etcdj.server.auth.AuthInfo;
import io.etcdj.server.concurrency.Elections;
import io.etcdj.server.concurrency.LeaderObserver;
import io.etcdj.server.concurrency.RecipeError;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;

/**
 * etcd's Election service: Campaign waits (holding no thread) until the candidate leads, the client cancels (its
 * key is removed) or its lease ends; Proclaim, Resign and Leader answer at once; Observe streams the leader's
 * states until the client cancels. The logic is {@link Elections}'.
 */
public final class ElectionService extends ElectionGrpc.ElectionImplBase {
    private final Elections elections;

    private final AuthGate gate;

    public ElectionService(Elections elections, AuthGate gate) {
        this.elections = elections;
        this.gate = gate;
    }

    /** The elections service as the call's caller, or null after answering {@code out} with the token's error. */
    private Elections elections(StreamObserver<?> out) {
        AuthInfo caller = gate.callerOrFail(out);
        return caller == null ? null : elections.as(caller);
    }

    @Override
    public void campaign(CampaignRequest r, StreamObserver<CampaignResponse> out) {
        Elections as = elections(out);
        if (as != null) {
            LockService.replyUnlessCancelled(as.campaign(r.getName(), r.getLease(), r.getValue()), out);
        }
    }

    @Override
    public void proclaim(ProclaimRequest r, StreamObserver<ProclaimResponse> out) {
        Elections as = elections(out);
        if (as != null) {
            LockService.reply(
                    r.hasLeader()
                            ? as.proclaim(r.getLeader(), r.getValue())
                            : CompletableFuture.failedFuture(RecipeError.MISSING_LEADER_KEY.exception()),
                    out);
        }
    }

    @Override
    public void resign(ResignRequest r, StreamObserver<ResignResponse> out) {
        Elections as = elections(out);
        if (as != null) {
            LockService.reply(
                    r.hasLeader()
                            ? as.resign(r.getLeader())
                            : CompletableFuture.failedFuture(RecipeError.MISSING_LEADER_KEY.exception()),
                    out);
        }
    }

    @Override
    public void leader(LeaderRequest r, StreamObserver<LeaderResponse> out) {
        Elections as = elections(out);
        if (as != null) {
            LockService.reply(as.leader(r.getName()), out);
        }
    }

    @Override
    public void observe(LeaderRequest r, StreamObserver<LeaderResponse> out) {
        Elections as = elections(out);
        if (as == null) {
            return;
        }
        ServerCallStreamObserver<LeaderResponse> call = (ServerCallStreamObserver<LeaderResponse>) out;
        LeaderObserver observer = as.observer(r.getName(), new LeaderObserver.Sink() {
            @Override
            public boolean isReady() {
                return call.isReady();
            }

            @Override
            public void send(LeaderResponse response) {
                call.onNext(response);
            }

            @Override
            public void fail(Throwable error) {
                call.onError(RecipeStatus.of(error));
            }
        });
        call.setOnCancelHandler(observer::close);
        call.setOnReadyHandler(observer::onReady);
        observer.start();
    }
}
