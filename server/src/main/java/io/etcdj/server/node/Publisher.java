package io.etcdj.server.node;

import io.etcdj.api.internal.LogCommand;
import io.etcdj.api.internal.MemberAttributes;
import io.etcdj.server.cluster.MemberIds;
import io.etcdj.server.common.Versions;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the cluster this member's name and client URLs through the log, as etcd's members "publish" themselves
 * after start, retrying until the entry is applied. Logs etcd's ready lines, which harnesses wait for: "enabled
 * capabilities for version" once a leader is known, then "published" once the entry is applied.
 */
public final class Publisher {
    private static final Logger LOG = LoggerFactory.getLogger(Publisher.class);
    /** A member starts before it knows a leader: a short retry lets a single member serve within milliseconds. */
    private static final long RETRY_MS = 20;

    private final RaftMember member;
    private final LogCommand command;
    private final long clusterId;
    private final CompletableFuture<Void> published = new CompletableFuture<>();
    private final Executor retryDelay = CompletableFuture.delayedExecutor(RETRY_MS, TimeUnit.MILLISECONDS);
    /** Set once, by {@link #close}. */
    private volatile boolean closed;
    /** Whether the capabilities line was logged; only the retry chain (one at a time) touches it. */
    private boolean announced;

    private Publisher(RaftMember member, long clusterId, String name, List<String> clientUrls) {
        this.member = member;
        this.clusterId = clusterId;
        this.command = LogCommand.newBuilder()
                .setMemberAttributes(MemberAttributes.newBuilder()
                        .setId(member.id())
                        .setName(name)
                        .addAllClientUrls(clientUrls))
                .build();
    }

    /** Starts publishing; the returned publisher's {@link #published()} completes once the entry is applied. */
    public static Publisher start(RaftMember member, long clusterId, String name, List<String> clientUrls) {
        Publisher p = new Publisher(member, clusterId, name, clientUrls);
        p.attempt();
        return p;
    }

    public CompletableFuture<Void> published() {
        return published;
    }

    /** Waits up to 30 s until published; throws at once if the member fails meanwhile, saying why. */
    public void awaitPublished() throws IOException {
        try {
            CompletableFuture.anyOf(published, member.failure()).get(30, TimeUnit.SECONDS);
            var failure = member.failure().getNow(null);
            if (failure != null) { // e.g. replaying the log failed again: say why now, not after the 30 s
                throw new IOException(failure.message() + " (cause: " + failure.cause() + ")", failure.cause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while starting", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the member did not become ready within 30 s: " + e, e);
        }
    }

    private void attempt() {
        if (closed) {
            return;
        }
        if (!member.hasLeader()) {
            retryDelay.execute(this::attempt);
            return;
        }
        if (!announced) {
            announced = true;
            LOG.info("enabled capabilities for version {}", Versions.ETCD_API);
        }
        member.propose(command).whenComplete((result, error) -> {
            if (error == null) {
                LOG.info(
                        "published local member to cluster through raft: name={} memberId={} clusterId={}"
                                + " clientUrls={}",
                        command.getMemberAttributes().getName(),
                        MemberIds.hex(member.id()),
                        MemberIds.hex(clusterId),
                        command.getMemberAttributes().getClientUrlsList());
                published.complete(null);
            } else {
                LOG.debug("publishing failed, retrying: {}", error.toString());
                retryDelay.execute(this::attempt);
            }
        });
    }

    /** Stops retrying. */
    public void close() {
        closed = true;
        published.cancel(false);
    }
}
