package io.etcdj.server.cluster;

import java.util.List;

/** One member as the cluster knows it. */
public record MemberInfo(long id, String name, List<String> peerUrls, List<String> clientUrls, boolean learner) {}
